package org.bayling.quality.metrics;

import java.util.Arrays;
import java.util.Locale;

/**
 * BLEU with its sufficient statistics, as sacreBLEU's {@code BLEUScore}. {@code counts}/{@code totals} are the raw
 * matched / total n-gram counts (before any add-k smoothing).
 */
public record BleuScore(double score, long[] counts, long[] totals, double[] precisions, double bp,
                        long sysLen, long refLen, String signature) implements MetricScore {

    @Override
    public String name() {
        return "BLEU";
    }

    public double ratio() {
        return refLen == 0 ? 0 : (double) sysLen / refLen;
    }

    /** sacreBLEU's verbose part, e.g. {@code 61.8/35.3/22.2/14.5 (BP = 0.944 ratio = 0.946 hyp_len = 35601 ref_len = 37634)}. */
    public String verbose() {
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < precisions.length; i++) {
            if (i > 0) {
                p.append('/');
            }
            p.append(String.format(Locale.ROOT, "%.1f", precisions[i]));
        }
        return String.format(Locale.ROOT, "%s (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)",
                p, bp, ratio(), sysLen, refLen);
    }

    /** {@code BLEU = 27.36 61.8/35.3/22.2/14.5 (BP = ...)}. */
    public String format() {
        return String.format(Locale.ROOT, "BLEU = %.2f %s", score, verbose());
    }

    @Override
    public String toString() {
        return format() + " [" + signature + "] counts=" + Arrays.toString(counts) + " totals=" + Arrays.toString(totals);
    }
}
