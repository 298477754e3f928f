package org.bayling.translate;

import java.util.Locale;

/** What one prompt translates: how {@link TranslationPlanner} cuts a row's text. */
public enum TranslationUnit {
    /**
     * The default: the whole text in one prompt when it fits the prompt budget and is one line, else as a
     * {@link #DOCUMENT} (so line and paragraph breaks are the source's).
     */
    AUTO,
    /** Sentence by sentence (ICU segmentation), one prompt per sentence, reassembled in the source layout. */
    SENTENCE,
    /** Sentences grouped into chunks under the token budget, never across a line break, reassembled. */
    DOCUMENT,
    /** The whole text in one prompt; a text over the budget is an error row. */
    NONE;

    public static TranslationUnit parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unit must be auto, sentence, document or none, got '" + s + "'");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
