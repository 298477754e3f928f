package org.bayling.prompt;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UScript;
import com.ibm.icu.text.Normalizer2;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Source term → target term for one language pair. {@link #requiredTerms(String)} returns the
 * target terms whose source term occurs in a text: they become the row's required terms
 * ({@code Make sure to include these words: ...}).
 *
 * <p>Matching: text and terms are NFC-normalized; case is ignored (this matters for Latin,
 * Greek and Cyrillic; other scripts have no case); a term starting or ending in a letter or digit
 * of a script written with spaces must not continue a word there ({@code cat} does not match in
 * {@code concatenate}, {@code Tür} not in {@code Haustür}), while in Chinese, Japanese, Thai,
 * Korean, ... any occurrence counts (a Latin term inside Chinese text, as in {@code 通过App与},
 * matches too). A match lying inside a longer match is ignored ({@code York} inside
 * {@code New York}). Terms come back in the order they occur, each once.
 */
public final class Glossary implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Normalizer2 NFC = Normalizer2.getNFCInstance();

    private final Language source;
    private final Language target;
    /** Normalized source term → target term, insertion order. */
    private final LinkedHashMap<String, String> entries;

    private Glossary(Language source, Language target, LinkedHashMap<String, String> entries) {
        this.source = source;
        this.target = target;
        this.entries = entries;
    }

    public static Builder builder(String sourceCode, String targetCode) {
        return new Builder(Languages.of(sourceCode), Languages.of(targetCode));
    }

    public static Glossary of(String sourceCode, String targetCode, Map<String, String> terms) {
        Builder b = builder(sourceCode, targetCode);
        terms.forEach(b::add);
        return b.build();
    }

    /**
     * Reads {@code source<TAB>target} lines; blank lines and lines starting with {@code #} are
     * skipped.
     *
     * @throws IllegalArgumentException for a line without a tab, naming the line number
     */
    public static Glossary parseTsv(String sourceCode, String targetCode, Reader reader) throws IOException {
        Builder b = builder(sourceCode, targetCode);
        BufferedReader r = reader instanceof BufferedReader br ? br : new BufferedReader(reader);
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new IllegalArgumentException("glossary line " + n + " has no tab between source and target term");
            }
            b.add(line.substring(0, tab), line.substring(tab + 1));
        }
        return b.build();
    }

    /** Target terms whose source term occurs in {@code sourceText}, in order of occurrence. */
    public List<String> requiredTerms(String sourceText) {
        if (sourceText == null || sourceText.isEmpty() || entries.isEmpty()) {
            return List.of();
        }
        String text = NFC.normalize(sourceText);
        String lower = text.toLowerCase(Locale.ROOT);
        boolean lowerAligned = lower.length() == text.length();
        List<int[]> matches = new ArrayList<>(); // start, end, entry index
        List<String> targets = new ArrayList<>(entries.values());
        int idx = 0;
        for (String term : entries.keySet()) {
            String lowerTerm = term.toLowerCase(Locale.ROOT);
            boolean fast = lowerAligned && lowerTerm.length() == term.length();
            int from = 0;
            while (from <= text.length() - term.length()) {
                int at = fast ? lower.indexOf(lowerTerm, from) : regionIndexOf(text, term, from);
                if (at < 0) {
                    break;
                }
                int end = at + term.length();
                if (wholeWord(text, at, end)) {
                    matches.add(new int[] {at, end, idx});
                }
                from = at + 1;
            }
            idx++;
        }
        matches.sort(Comparator.<int[]>comparingInt(m -> m[0]).thenComparingInt(m -> -(m[1] - m[0])));
        Set<String> out = new LinkedHashSet<>();
        List<int[]> kept = new ArrayList<>();
        for (int[] m : matches) {
            boolean inside = false;
            for (int[] k : kept) {
                if (k[0] <= m[0] && m[1] <= k[1] && (k[1] - k[0]) > (m[1] - m[0])) {
                    inside = true;
                    break;
                }
            }
            if (!inside) {
                kept.add(m);
                out.add(targets.get(m[2]));
            }
        }
        return List.copyOf(out);
    }

    public Language source() {
        return source;
    }

    public Language target() {
        return target;
    }

    public int size() {
        return entries.size();
    }

    /** The entries (normalized source term → target term). */
    public Map<String, String> entries() {
        return java.util.Collections.unmodifiableMap(entries);
    }

    private static int regionIndexOf(String text, String term, int from) {
        for (int i = from; i <= text.length() - term.length(); i++) {
            if (text.regionMatches(true, i, term, 0, term.length())) {
                return i;
            }
        }
        return -1;
    }

    private static boolean wholeWord(String text, int start, int end) {
        if (start > 0 && isSpacedWordChar(text.codePointAt(start)) && isSpacedWordChar(text.codePointBefore(start))) {
            return false;
        }
        return end >= text.length()
                || !(isSpacedWordChar(text.codePointBefore(end)) && isSpacedWordChar(text.codePointAt(end)));
    }

    /** A letter, digit or mark of a script that separates words with spaces. */
    static boolean isSpacedWordChar(int cp) {
        int type = Character.getType(cp);
        boolean wordy = Character.isLetterOrDigit(cp) || type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK;
        if (!wordy) {
            return false;
        }
        int script = UScript.getScript(cp);
        return switch (script) {
            case UScript.HAN, UScript.HIRAGANA, UScript.KATAKANA, UScript.HANGUL, UScript.THAI, UScript.LAO,
                 UScript.KHMER, UScript.MYANMAR, UScript.BOPOMOFO, UScript.YI, UScript.TIBETAN -> false;
            default -> true;
        };
    }

    /** Collects entries; source terms are unique ignoring case. */
    public static final class Builder {
        private final Language source;
        private final Language target;
        private final LinkedHashMap<String, String> entries = new LinkedHashMap<>();
        private final Map<String, String> byFolded = new LinkedHashMap<>();

        private Builder(Language source, Language target) {
            this.source = source;
            this.target = target;
        }

        /**
         * @throws IllegalArgumentException for a blank term, or a source term already mapped
         *                                  (ignoring case) to a different target term
         */
        public Builder add(String sourceTerm, String targetTerm) {
            Objects.requireNonNull(sourceTerm, "source term");
            Objects.requireNonNull(targetTerm, "target term");
            String s = NFC.normalize(PyStrings.strip(sourceTerm));
            String t = PyStrings.strip(targetTerm);
            if (s.isEmpty() || t.isEmpty()) {
                throw new IllegalArgumentException("blank glossary term: '" + sourceTerm + "' -> '" + targetTerm + "'");
            }
            String folded = UCharacter.foldCase(s, true);
            String previous = byFolded.get(folded);
            if (previous != null) {
                if (!entries.get(previous).equals(t)) {
                    throw new IllegalArgumentException("glossary maps '" + s + "' to both '" + entries.get(previous)
                            + "' and '" + t + "'");
                }
                return this;
            }
            byFolded.put(folded, s);
            entries.put(s, t);
            return this;
        }

        public Glossary build() {
            return new Glossary(source, target, new LinkedHashMap<>(entries));
        }
    }
}
