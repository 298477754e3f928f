package org.bayling.translate;

import java.io.Serializable;
import java.util.List;

/**
 * One unit of translation work: a source text, its language pair, optional follow-up instructions
 * (interactive refinement turns run in one conversation) and optional required target terms.
 *
 * @param key       caller's identifier, returned unchanged in the outcome
 * @param text      source text (may be null or empty: the outcome then is an error, never an exception)
 * @param srcLang   source language code (ISO 639-1 / BCP-47)
 * @param tgtLang   target language code
 * @param followups refinement instructions after the first translation, in order (empty for none)
 * @param terms     target-language terms the translation must contain (empty for none)
 */
public record TranslationTask(String key, String text, String srcLang, String tgtLang,
                              List<String> followups, List<String> terms) implements Serializable {

    /** Languages trimmed; null and blank follow-ups and terms dropped. */
    public TranslationTask {
        srcLang = srcLang == null ? null : srcLang.trim();
        tgtLang = tgtLang == null ? null : tgtLang.trim();
        followups = present(followups);
        terms = present(terms);
    }

    private static List<String> present(List<String> l) {
        return l == null ? List.of() : l.stream().filter(s -> s != null && !s.isBlank()).toList();
    }

    public static TranslationTask of(String key, String text, String srcLang, String tgtLang) {
        return new TranslationTask(key, text, srcLang, tgtLang, List.of(), List.of());
    }
}
