package org.bayling.quality;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Degeneration statistics over a token sequence (words, or letters for character scripts).
 *
 * @param repeatedNgramRatio share of n-gram occurrences that repeat an earlier n-gram, in [0,1]
 *                           (0 when there are no n-grams)
 * @param ngrams             number of n-gram occurrences
 * @param longestRepeat      tokens covered by the longest back-to-back repeat of a span (e.g.
 *                           "a b a b a b" = 6), 0 when nothing repeats back to back
 * @param loopRepeats        how many times the span of {@code longestRepeat} occurs in a row
 * @param loopPeriod         the length in tokens of that span
 */
public record Repetition(double repeatedNgramRatio, int ngrams, int longestRepeat, int loopRepeats, int loopPeriod) {

    public static final Repetition NONE = new Repetition(0.0, 0, 0, 0, 0);

    /** Statistics of the tokens with n-grams of size {@code n} and periods up to {@code maxPeriod}. */
    public static Repetition of(List<String> tokens, int n, int maxPeriod) {
        int total = Math.max(0, tokens.size() - n + 1);
        int repeated = 0;
        Set<List<String>> seen = new HashSet<>();
        for (int i = 0; i < total; i++) {
            if (!seen.add(tokens.subList(i, i + n))) {
                repeated++;
            }
        }
        double ratio = total == 0 ? 0.0 : (double) repeated / total;

        // Tandem repeats: for each period p, runs where t[i] == t[i+p] of length L cover L + p
        // tokens, i.e. (L + p) / p consecutive copies of a p-token span.
        int bestCover = 0;
        int bestRepeats = 0;
        int bestPeriod = 0;
        int size = tokens.size();
        int limit = Math.min(maxPeriod, size / 2);
        for (int p = 1; p <= limit; p++) {
            int run = 0;
            for (int i = 0; i + p < size; i++) {
                if (tokens.get(i).equals(tokens.get(i + p))) {
                    run++;
                    int copies = (run + p) / p;
                    if (copies >= 2) {
                        int cover = copies * p;
                        if (cover > bestCover) {
                            bestCover = cover;
                            bestRepeats = copies;
                            bestPeriod = p;
                        }
                    }
                } else {
                    run = 0;
                }
            }
        }
        return new Repetition(ratio, total, bestCover, bestRepeats, bestPeriod);
    }
}
