package org.bayling.quality.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python 3 {@code str} semantics that sacreBLEU silently relies on: {@code split()}/{@code strip()} with
 * Python's Unicode whitespace set (which, unlike {@link Character#isWhitespace}, includes NBSP U+00A0,
 * U+2007, U+202F), code-point indexing, and code-point lexicographic comparison.
 */
final class PyText {

    private PyText() {
    }

    /** {@code str.isspace()} for a single code point (CPython 3.11 table). */
    static boolean isSpace(int cp) {
        if (cp <= 0x20) {
            return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
        }
        if (cp < 0x85) {
            return false;
        }
        switch (cp) {
            case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
                return true;
            default:
                return cp >= 0x2000 && cp <= 0x200A;
        }
    }

    /** {@code s.split()}: split on runs of whitespace, dropping empty pieces. */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            while (i < n && isSpace(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            if (i >= n) {
                break;
            }
            int start = i;
            while (i < n && !isSpace(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            out.add(s.substring(start, i));
        }
        return out;
    }

    /** {@code ' '.join(s.split())}. */
    static String normalizeSpaces(String s) {
        return String.join(" ", split(s));
    }

    /** {@code ''.join(s.split())}. */
    static String removeSpaces(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().filter(cp -> !isSpace(cp)).forEach(sb::appendCodePoint);
        return sb.toString();
    }

    static String rstrip(String s) {
        int end = s.length();
        while (end > 0) {
            int cp = s.codePointBefore(end);
            if (!isSpace(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return s.substring(0, end);
    }

    static String strip(String s) {
        String r = rstrip(s);
        int start = 0;
        while (start < r.length()) {
            int cp = r.codePointAt(start);
            if (!isSpace(cp)) {
                break;
            }
            start += Character.charCount(cp);
        }
        return r.substring(start);
    }

    /** {@code str.lower()} (full Unicode case mapping, locale independent). */
    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** Python string comparison: lexicographic by code point (not by UTF-16 unit). */
    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    /** Number of code points ({@code len(s)} in Python). */
    static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
