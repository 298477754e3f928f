package org.bayling.quality.metrics;

/** TER (0..100+) with the cumulative number of edits and average reference length. */
public record TerScore(double score, double numEdits, double refLength, String signature) implements MetricScore {

    @Override
    public String name() {
        return "TER";
    }
}
