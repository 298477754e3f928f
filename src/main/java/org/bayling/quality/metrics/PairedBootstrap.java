package org.bayling.quality.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Paired bootstrap resampling as {@code sacrebleu --paired-bs} (sacreBLEU 2.x {@code significance.py}):
 * <ol>
 *   <li>one {@code (nSamples x nSegments)} matrix of segment indices is drawn with replacement from
 *       {@code numpy.random.default_rng(seed).choice(...)} (reproduced bit-for-bit by {@link NumpyRandom}; sacreBLEU
 *       draws the same matrix for the baseline's CI and for the paired test, since both re-seed with 12345);</li>
 *   <li>for every resample, the segment sufficient statistics of both systems are summed over the same indices and
 *       re-scored;</li>
 *   <li>mean and 95% CI per system: sorted resample scores, {@code ci = 0.5 * (s[n - n/40 - 1] - s[n/40])};</li>
 *   <li>p-value: {@code d_i = |sys_i - base_i|}, centred {@code d_i - mean(d)}, {@code c = #(centred > |actual
 *       difference|)}, {@code p = (c + 1) / (n + 1)}.</li>
 * </ol>
 * Differences to sacreBLEU: statistics are summed and scored in double precision (sacreBLEU sums float32 arrays
 * and, under NumPy 2, also computes precisions in float32), so resample scores can differ in the ~1e-6 range.
 * Note that, exactly as in sacreBLEU, comparing a system with itself yields {@code p = 1/(n+1)} (all centred
 * differences are 0 and none is strictly greater than 0), not a high p-value.
 */
public final class PairedBootstrap {

    public static final int DEFAULT_SAMPLES = 1000;
    /** sacreBLEU's default ({@code SACREBLEU_SEED}, 12345). */
    public static final long DEFAULT_SEED = 12345L;

    private final int nSamples;
    private final long seed;

    public PairedBootstrap() {
        this(DEFAULT_SAMPLES, DEFAULT_SEED);
    }

    public PairedBootstrap(int nSamples, long seed) {
        if (nSamples < 1) {
            throw new IllegalArgumentException("need at least one resample");
        }
        this.nSamples = nSamples;
        this.seed = seed;
    }

    public PairedBootstrapResult compare(CorpusMetric metric, List<String> baseline, List<String> system,
                                         List<List<String>> references) {
        return compare(List.of(metric), baseline, system, references).get(0);
    }

    /** Compares {@code system} against {@code baseline} on every metric, with one shared resample matrix. */
    public List<PairedBootstrapResult> compare(List<? extends CorpusMetric> metrics, List<String> baseline,
                                               List<String> system, List<List<String>> references) {
        if (baseline.size() != system.size()) {
            throw new IllegalArgumentException("baseline has " + baseline.size() + " lines but system has "
                    + system.size());
        }
        int n = baseline.size();
        int[][] idxs = NumpyRandom.defaultRng(seed).choice(n, nSamples, n);
        List<PairedBootstrapResult> out = new ArrayList<>();
        int numRefs = Signature.countRefs(references);
        for (CorpusMetric metric : metrics) {
            String sig = metric.signature(numRefs, nSamples, seed);
            double[][] blStats = metric.segmentStatistics(baseline, references).toArray(new double[0][]);
            double[][] sysStats = system.equals(baseline) ? blStats
                    : metric.segmentStatistics(system, references).toArray(new double[0][]);
            double blScore = metric.scoreFromStatistics(CorpusMetric.sum(Arrays.asList(blStats)), sig).score();
            double sysScore = metric.scoreFromStatistics(CorpusMetric.sum(Arrays.asList(sysStats)), sig).score();
            double[] blScores = resampleScores(metric, blStats, idxs, sig);
            double[] sysScores = resampleScores(metric, sysStats, idxs, sig);
            double[] bl = estimateCi(blScores);
            double[] sy = estimateCi(sysScores);
            double[] diffs = new double[nSamples];
            for (int s = 0; s < nSamples; s++) {
                diffs[s] = Math.abs(sysScores[s] - blScores[s]);
            }
            double p = pValue(diffs, Math.abs(blScore - sysScore));
            out.add(new PairedBootstrapResult(metric.name(), sig, nSamples, seed, blScore, bl[0], bl[1],
                    sysScore, sy[0], sy[1], p));
        }
        return out;
    }

    private static double[] resampleScores(CorpusMetric metric, double[][] stats, int[][] idxs, String sig) {
        int dim = stats[0].length;
        double[] scores = new double[idxs.length];
        double[] agg = new double[dim];
        for (int s = 0; s < idxs.length; s++) {
            Arrays.fill(agg, 0);
            for (int idx : idxs[s]) {
                double[] row = stats[idx];
                for (int k = 0; k < dim; k++) {
                    agg[k] += row[k];
                }
            }
            scores[s] = metric.scoreFromStatistics(agg, sig).score();
        }
        return scores;
    }

    /** sacreBLEU {@code estimate_ci}: returns {@code {mean, ci}} with ci the half-width of the 95% interval. */
    static double[] estimateCi(double[] scores) {
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        int lowerIdx = n / 40;
        int upperIdx = n - lowerIdx - 1;
        double ci = 0.5 * (sorted[upperIdx] - sorted[lowerIdx]);
        double sum = 0;
        for (double v : scores) {
            sum += v;
        }
        return new double[] {sum / n, ci};
    }

    /** sacreBLEU {@code _compute_p_value} applied to the centred resample differences. */
    static double pValue(double[] sampleDiffs, double realDifference) {
        double mean = 0;
        for (double d : sampleDiffs) {
            mean += d;
        }
        mean /= sampleDiffs.length;
        int c = 0;
        for (double d : sampleDiffs) {
            if (d - mean > realDifference) {
                c++;
            }
        }
        return (c + 1.0) / (sampleDiffs.length + 1.0);
    }
}
