package org.bayling.quality.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * A metric that, like sacreBLEU's {@code Metric}, decomposes into per-segment sufficient statistics that are
 * summed and turned into a score. This is what paired bootstrap resampling works on.
 *
 * <p>{@code references} are reference <em>streams</em> as in sacreBLEU: {@code references.get(k).get(i)} is the
 * k-th reference of segment i; a {@code null} entry means "no k-th reference for this segment".
 */
public interface CorpusMetric extends java.io.Serializable {

    /** Name as sacreBLEU reports it ({@code BLEU}, {@code chrF2}, {@code chrF2++}, {@code TER}). */
    String name();

    /** One statistics vector per hypothesis segment. */
    List<double[]> segmentStatistics(List<String> hypotheses, List<List<String>> references);

    /** Score from already aggregated (summed) statistics. */
    MetricScore scoreFromStatistics(double[] aggregated, String signature);

    /** Signature for the given number of references per segment ({@code -1} = variable). */
    String signature(int numRefs, Integer nBootstrap, Long seed);

    default MetricScore corpusScore(List<String> hypotheses, List<List<String>> references) {
        List<double[]> stats = segmentStatistics(hypotheses, references);
        return scoreFromStatistics(sum(stats), signature(Signature.countRefs(references), null, null));
    }

    default MetricScore sentenceScore(String hypothesis, List<String> references) {
        List<List<String>> streams = new ArrayList<>();
        for (String r : references) {
            streams.add(java.util.Collections.singletonList(r));
        }
        return corpusScore(List.of(hypothesis), streams);
    }

    static double[] sum(List<double[]> stats) {
        if (stats.isEmpty()) {
            throw new IllegalArgumentException("no segments");
        }
        double[] total = new double[stats.get(0).length];
        for (double[] s : stats) {
            for (int k = 0; k < total.length; k++) {
                total[k] += s[k];
            }
        }
        return total;
    }

    /** sacreBLEU's input checks: same number of lines in every stream, at least one reference stream. */
    static void checkStreams(List<String> hypotheses, List<List<String>> references) {
        if (hypotheses == null || hypotheses.isEmpty()) {
            throw new IllegalArgumentException("no hypotheses given");
        }
        if (references == null || references.isEmpty()) {
            throw new IllegalArgumentException("no reference streams given");
        }
        for (int k = 0; k < references.size(); k++) {
            if (references.get(k).size() != hypotheses.size()) {
                throw new IllegalArgumentException("System and reference streams have different lengths: "
                        + hypotheses.size() + " hypothesis lines vs " + references.get(k).size()
                        + " lines in reference stream " + (k + 1));
            }
        }
        for (String h : hypotheses) {
            if (h == null) {
                throw new IllegalArgumentException("Undefined line in hypotheses stream!");
            }
        }
    }

    /** Non-null references of segment {@code i}. */
    static List<String> refsOf(List<List<String>> references, int i) {
        List<String> out = new ArrayList<>(references.size());
        for (List<String> stream : references) {
            String r = stream.get(i);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }
}
