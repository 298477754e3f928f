package org.bayling.quality;

/**
 * Problems {@link QualityScorer} reports per row ({@link RowQuality#flags()} holds their names).
 * Thresholds are in {@code conf/quality.properties}.
 */
public enum QualityFlag {
    /** Translation is blank (or has no letter/digit while the source has some). */
    EMPTY,
    /** Judged not to be in the target language ({@code lang.*}). */
    WRONG_LANGUAGE,
    /** Translation nearly identical to the source ({@code copy.*}). */
    COPY,
    /** Repetition loop or too many repeated n-grams ({@code repetition.*}). */
    REPETITION,
    /** Generation stopped at the token limit (finish reason {@code length}). */
    TRUNCATED,
    /** Some required term is absent ({@code terms.minCoverage}). */
    MISSING_TERMS,
    /** Mean token log-prob below {@code confidence.minMeanLogprob}. */
    LOW_CONFIDENCE,
    /** Length ratio outside expected × / ÷ {@code length.tolerance}. */
    LENGTH_RATIO
}
