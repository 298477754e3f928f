package org.bayling.quality;

import java.io.Serializable;
import java.util.List;

/**
 * One translated row to score.
 *
 * @param source        source text
 * @param translation   model output (null is treated as empty)
 * @param srcLang       source language (ISO 639-1, e.g. {@code en}; {@code zh-CN} is accepted)
 * @param tgtLang       target language
 * @param tokenLogprobs log-probability of each generated token; null or empty when unknown
 *                      (confidence is then left out: no {@code LOW_CONFIDENCE}, NaN statistics)
 * @param finishReason  {@code eos}, {@code length} or {@code stop}; null when unknown
 * @param requiredTerms terms that must appear verbatim in the translation (may be empty)
 * @param reference     reference translation, or null
 * @param sentenceBleu  sentence BLEU (0–100) computed elsewhere, or null — see {@link ReferenceMetrics}
 * @param sentenceChrf  sentence chrF (0–100) computed elsewhere, or null
 */
public record QualityInput(String source, String translation, String srcLang, String tgtLang,
                           float[] tokenLogprobs, String finishReason, List<String> requiredTerms,
                           String reference, Double sentenceBleu, Double sentenceChrf) implements Serializable {

    public QualityInput {
        requiredTerms = requiredTerms == null ? List.of() : List.copyOf(requiredTerms.stream()
                .filter(java.util.Objects::nonNull).toList());
    }

    /** A row with only texts and languages. */
    public static QualityInput of(String source, String translation, String srcLang, String tgtLang) {
        return new QualityInput(source, translation, srcLang, tgtLang, null, null, List.of(), null, null, null);
    }

    public QualityInput withGeneration(float[] logprobs, String finishReason) {
        return new QualityInput(source, translation, srcLang, tgtLang, logprobs, finishReason, requiredTerms,
                reference, sentenceBleu, sentenceChrf);
    }

    public QualityInput withRequiredTerms(List<String> terms) {
        return new QualityInput(source, translation, srcLang, tgtLang, tokenLogprobs, finishReason, terms,
                reference, sentenceBleu, sentenceChrf);
    }

    public QualityInput withReference(String ref) {
        return new QualityInput(source, translation, srcLang, tgtLang, tokenLogprobs, finishReason, requiredTerms,
                ref, sentenceBleu, sentenceChrf);
    }

    /**
     * Reference-metrics hook: sentence BLEU/chrF (sacreBLEU scale 0–100) computed by
     * {@code org.bayling.quality.metrics}; either may be null.
     */
    public QualityInput withReferenceMetrics(Double bleu, Double chrf) {
        return new QualityInput(source, translation, srcLang, tgtLang, tokenLogprobs, finishReason, requiredTerms,
                reference, bleu, chrf);
    }

    public boolean hasLogprobs() {
        return tokenLogprobs != null && tokenLogprobs.length > 0;
    }
}
