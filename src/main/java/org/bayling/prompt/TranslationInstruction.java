package org.bayling.prompt;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * BayLing's translation instructions, exactly as its training and evaluation scripts wrote them:
 * <pre>
 * en: Provide the {Target} translation for this sentence: {text}
 * zh: 提供这句话的{目标语言}翻译：{text}
 * </pre>
 * With required terms a second line follows: {@code \nMake sure to include these words: t1, t2}
 * or {@code \n确保包含这些词：t1, t2}. Terms are joined with {@code ", "} (comma and space) in
 * both instruction languages, as BayLing's {@code constrained_translate.py} did
 * ({@code ", ".join(line["constraint"])}); no braces are written.
 *
 * <p>Leading and trailing line breaks of the source text are removed ({@code strip("\n")} in
 * BayLing's scripts; {@code \r} too, for CRLF input); everything else is kept as given. Blank
 * terms are dropped and repeated terms kept once, in their first position.
 */
public final class TranslationInstruction {

    /** Separator between required terms. */
    public static final String TERM_SEPARATOR = ", ";

    private TranslationInstruction() {
    }

    /** Instruction without required terms. */
    public static String build(InstructionLanguage lang, String targetCode, String text) {
        return build(lang, Languages.of(targetCode), text, List.of());
    }

    /** Instruction with required target terms (none when {@code terms} is empty or null). */
    public static String build(InstructionLanguage lang, String targetCode, String text, List<String> terms) {
        return build(lang, Languages.of(targetCode), text, terms);
    }

    public static String build(InstructionLanguage lang, Language target, String text, List<String> terms) {
        Objects.requireNonNull(lang, "instruction language");
        Objects.requireNonNull(target, "target language");
        String src = PyStrings.strip(Objects.requireNonNull(text, "text"), "\r\n");
        if (PyStrings.strip(src).isEmpty()) {
            throw new IllegalArgumentException("source text is empty");
        }
        List<String> required = normalizeTerms(terms);
        StringBuilder sb = new StringBuilder();
        if (lang == InstructionLanguage.ZH) {
            sb.append("提供这句话的").append(target.chineseName()).append("翻译：").append(src);
            if (!required.isEmpty()) {
                sb.append("\n确保包含这些词：").append(String.join(TERM_SEPARATOR, required));
            }
        } else {
            sb.append("Provide the ").append(target.englishName()).append(" translation for this sentence: ").append(src);
            if (!required.isEmpty()) {
                sb.append("\nMake sure to include these words: ").append(String.join(TERM_SEPARATOR, required));
            }
        }
        return sb.toString();
    }

    /** Terms as they will appear: stripped, blank ones dropped, duplicates removed in order. */
    public static List<String> normalizeTerms(List<String> terms) {
        if (terms == null || terms.isEmpty()) {
            return List.of();
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String t : terms) {
            if (t != null) {
                String s = PyStrings.strip(t);
                if (!s.isEmpty()) {
                    seen.add(s);
                }
            }
        }
        return List.copyOf(new ArrayList<>(seen));
    }
}
