package org.bayling.translate;

/** Text the model must not be given: unpaired surrogates and control characters (tab, newline and CR are fine). */
public final class TextChecks {

    private TextChecks() {
    }

    /** Why the text cannot be translated, or null. */
    public static String problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return String.format("lone surrogate U+%04X at index %d", (int) c, i);
            }
            if (Character.isLowSurrogate(c)) {
                return String.format("lone surrogate U+%04X at index %d", (int) c, i);
            }
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                return String.format("control character U+%04X at index %d", (int) c, i);
            }
        }
        return null;
    }
}
