package org.bayling.quality;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Text helpers shared by the quality checks: cleaning, units (words or characters), similarity. */
public final class TextUnits {

    /** WMT-style anonymisation placeholders such as {@code #PRS_ORG#}, {@code #NUMBER#}. */
    static final Pattern PLACEHOLDER = Pattern.compile("#[A-Z][A-Z0-9_]*#");
    static final Pattern URL = Pattern.compile("(?i)\\b(?:https?://|www\\.)\\S+");
    static final Pattern EMAIL = Pattern.compile("\\S+@\\S+\\.\\S+");

    private TextUnits() {
    }

    /** Text with placeholders, URLs and e-mail addresses replaced by spaces. */
    public static String stripNonLinguistic(String text) {
        if (text == null) {
            return "";
        }
        String s = PLACEHOLDER.matcher(text).replaceAll(" ");
        s = URL.matcher(s).replaceAll(" ");
        return EMAIL.matcher(s).replaceAll(" ");
    }

    public static int countLetters(String text) {
        return (int) text.codePoints().filter(Character::isLetter).count();
    }

    /**
     * Units of a text: for character scripts every letter/digit code point, otherwise every
     * whitespace-separated token containing a letter or digit. Lower-cased.
     */
    public static List<String> units(String text, boolean charScript) {
        List<String> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        if (charScript) {
            text.codePoints().filter(Character::isLetterOrDigit)
                    .forEach(cp -> out.add(new String(Character.toChars(Character.toLowerCase(cp)))));
        } else {
            for (String tok : text.trim().split("\\s+")) {
                if (tok.codePoints().anyMatch(Character::isLetterOrDigit)) {
                    out.add(tok.toLowerCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    /** Number of {@link #units}, without materialising them. */
    public static int countUnits(String text, boolean charScript) {
        if (text == null) {
            return 0;
        }
        if (charScript) {
            return (int) text.codePoints().filter(Character::isLetterOrDigit).count();
        }
        int n = 0;
        for (String tok : text.trim().split("\\s+")) {
            if (tok.codePoints().anyMatch(Character::isLetterOrDigit)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Normal form used for copy detection: non-linguistic parts removed, NFKC, lower case, only
     * letters and digits.
     */
    public static String normalizeForCopy(String text) {
        String s = Normalizer.normalize(stripNonLinguistic(text), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().filter(Character::isLetterOrDigit).forEach(b::appendCodePoint);
        return b.toString();
    }

    /** Longest input considered by {@link #similarity} (longer strings are cut), bounding the cost. */
    static final int MAX_SIMILARITY_CHARS = 4000;

    /**
     * Character-level similarity {@code 1 - levenshtein(a, b) / max(|a|, |b|)} in [0,1] over code
     * points; 1 for two empty strings.
     */
    public static double similarity(String a, String b) {
        int[] x = a.codePoints().limit(MAX_SIMILARITY_CHARS).toArray();
        int[] y = b.codePoints().limit(MAX_SIMILARITY_CHARS).toArray();
        int max = Math.max(x.length, y.length);
        if (max == 0) {
            return 1.0;
        }
        return 1.0 - (double) levenshtein(x, y) / max;
    }

    static int levenshtein(int[] a, int[] b) {
        if (a.length < b.length) {
            int[] t = a;
            a = b;
            b = t;
        }
        int[] prev = new int[b.length + 1];
        int[] cur = new int[b.length + 1];
        for (int j = 0; j <= b.length; j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length; i++) {
            cur[0] = i;
            int ai = a[i - 1];
            for (int j = 1; j <= b.length; j++) {
                int cost = ai == b[j - 1] ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }
}
