package org.bayling.quality;

import java.io.Serializable;

/**
 * Hook for reference-based sentence metrics computed elsewhere (sacreBLEU-compatible BLEU/chrF
 * live in {@code org.bayling.quality.metrics}, not here). Either put precomputed values on the
 * input ({@link QualityInput#withReferenceMetrics(Double, Double)}) or give the scorer an
 * implementation ({@link QualityScorer#withReferenceMetrics(ReferenceMetrics)}); it is called only
 * for rows that have a reference and no precomputed values. Must be serializable for Spark.
 */
@FunctionalInterface
public interface ReferenceMetrics extends Serializable {

    /** Sentence scores on sacreBLEU's 0–100 scale; either may be null. */
    record Scores(Double sentenceBleu, Double sentenceChrf) implements Serializable {
    }

    Scores score(String hypothesis, String reference, String tgtLang);
}
