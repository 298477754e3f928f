package org.bayling.translate;

/** Why a row cannot be translated: the one set of row checks, used by {@link TranslationPlanner}. */
public final class TaskChecks {

    private TaskChecks() {
    }

    /** Why the task cannot be translated, or null when it can. */
    public static String problem(TranslationTask t) {
        String problem = problem(t.text(), t.srcLang(), t.tgtLang());
        for (int f = 0; problem == null && f < t.followups().size(); f++) {
            String p = textProblem(t.followups().get(f));
            problem = p == null ? null : "follow-up: " + p;
        }
        return problem;
    }

    /** Why a row cannot be translated, or null when it can. */
    public static String problem(String text, String srcLang, String tgtLang) {
        if (text == null) {
            return "text is null";
        }
        if (text.isBlank()) {
            return "text is empty";
        }
        if (srcLang == null || srcLang.isBlank()) {
            return "no source language (set --src-lang or a src_lang column)";
        }
        if (tgtLang == null || tgtLang.isBlank()) {
            return "no target language (set --tgt-lang or a tgt_lang column)";
        }
        if (!LanguageCodes.isKnown(srcLang)) {
            return "unknown source language code '" + srcLang + "'";
        }
        if (!LanguageCodes.isKnown(tgtLang)) {
            return "unknown target language code '" + tgtLang + "'";
        }
        return textProblem(text);
    }

    /**
     * Lone surrogates and control characters ({@link TextChecks}), and U+FFFD: Spark decodes invalid
     * UTF-8 and unpaired surrogate escapes in the input to it, so here it marks a broken row.
     */
    public static String textProblem(String text) {
        String problem = TextChecks.problem(text);
        if (problem != null) {
            return problem;
        }
        int replacement = text.indexOf('\uFFFD');
        return replacement < 0 ? null : String.format("replacement character U+FFFD at index %d (invalid UTF-8 or an "
                + "unpaired surrogate in the input)", replacement);
    }
}
