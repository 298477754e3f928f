package org.bayling.translate;

import java.util.HashSet;
import java.util.IllformedLocaleException;
import java.util.Locale;
import java.util.Set;

/** Recognizes language codes: a well-formed BCP-47 tag whose language is an ISO 639-1 or 639-2/3 code. */
public final class LanguageCodes {

    private static final Set<String> LANGUAGES = new HashSet<>();

    static {
        for (String l : Locale.getISOLanguages()) {
            LANGUAGES.add(l);
            try {
                LANGUAGES.add(new Locale(l).getISO3Language());
            } catch (RuntimeException ignored) {
                // no ISO3 form
            }
        }
    }

    private LanguageCodes() {
    }

    public static boolean isKnown(String code) {
        if (code == null || code.isBlank()) {
            return false;
        }
        try {
            Locale locale = new Locale.Builder().setLanguageTag(code.trim().replace('_', '-')).build();
            return LANGUAGES.contains(locale.getLanguage());
        } catch (IllformedLocaleException e) {
            return false;
        }
    }

    /** Canonical form used in the output: trimmed, {@code _} as {@code -}, language lower case ("zh-CN", "en"). */
    public static String normalize(String code) {
        if (code == null) {
            return null;
        }
        String c = code.trim().replace('_', '-');
        try {
            return new Locale.Builder().setLanguageTag(c).build().toLanguageTag();
        } catch (IllformedLocaleException e) {
            return c;
        }
    }
}
