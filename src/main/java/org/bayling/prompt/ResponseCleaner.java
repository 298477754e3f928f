package org.bayling.prompt;

import java.util.List;

/**
 * Turns decoded model output into the translation.
 *
 * <ol>
 *   <li>cut at the first template artifact: a stop marker written as text ({@code </s>},
 *       {@code <|eot_id|>}, {@code <|end_of_text|>}), a leaked next turn
 *       ({@code ### Instruction:}, {@code ### Response:}, {@code <|start_header_id|>});</li>
 *   <li>strip leading and trailing whitespace (Python {@code str.strip()});</li>
 *   <li>{@link Mode#SENTENCE}: replace every {@code \n} with a space, exactly as BayLing's
 *       translation scripts did ({@code translation.strip().replace("\n", " ")});
 *       {@link Mode#DOCUMENT}: keep line breaks (CRLF becomes LF).</li>
 * </ol>
 */
public final class ResponseCleaner {

    /** Sentence mode flattens line breaks; document mode keeps them. */
    public enum Mode { SENTENCE, DOCUMENT }

    private static final List<String> ARTIFACTS = List.of("</s>", "<|eot_id|>", "<|end_of_text|>",
            "### Instruction:", "### Response:", "<|start_header_id|>");

    private ResponseCleaner() {
    }

    public static String clean(String raw, Mode mode) {
        if (raw == null) {
            return "";
        }
        int cut = raw.length();
        for (String a : ARTIFACTS) {
            int at = raw.indexOf(a);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        String s = PyStrings.strip(raw.substring(0, cut));
        return mode == Mode.SENTENCE ? s.replace("\n", " ") : s.replace("\r\n", "\n");
    }

    public static String sentence(String raw) {
        return clean(raw, Mode.SENTENCE);
    }

    public static String document(String raw) {
        return clean(raw, Mode.DOCUMENT);
    }
}
