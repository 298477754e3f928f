package org.bayling.quality.metrics;

/** Common view of a corpus- or sentence-level score. */
public interface MetricScore {

    /** Display name, as sacreBLEU prints it ({@code BLEU}, {@code chrF2}, {@code chrF2++}, {@code TER}). */
    String name();

    /** The score on sacreBLEU's 0..100 scale. */
    double score();

    String signature();
}
