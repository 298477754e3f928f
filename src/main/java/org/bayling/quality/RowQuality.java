package org.bayling.quality;

import java.io.Serializable;
import java.util.List;

/**
 * Quality signals of one row, computed by {@link QualityScorer#score(QualityInput)}.
 * Doubles are NaN where a signal does not apply (e.g. no log-probs, empty source).
 *
 * @param meanLogprob         mean token log-prob
 * @param minLogprob          lowest token log-prob
 * @param perplexity          exp(−meanLogprob)
 * @param sourceUnits         source length in its units (words, or characters for character scripts)
 * @param translationUnits    translation length in its units
 * @param lengthRatio         translationUnits / sourceUnits
 * @param expectedLengthRatio expected ratio for the pair ({@code length.expected.*})
 * @param detectedLang        detected language of the translation (ISO 639-1) or {@code und}
 * @param langConfidence      detection margin in [0,1] (see {@link LanguageId.Check#confidence()})
 * @param targetLangScore     Lingua's relative score of the target language (1 = best)
 * @param langDecided         whether the text was long enough to judge its language
 * @param copySimilarity      normalised character similarity of translation and source, in [0,1]
 * @param repeatedNgramRatio  share of repeated n-grams, in [0,1]
 * @param longestRepeat       tokens covered by the longest back-to-back repeat
 * @param truncated           finish reason was {@code length}
 * @param termsFound          required terms found verbatim
 * @param termsMissing        required terms not found
 * @param termCoverage        found fraction of required terms (1.0 without terms)
 * @param sentenceBleu        sentence BLEU from the reference-metrics hook, or null
 * @param sentenceChrf        sentence chrF from the reference-metrics hook, or null
 * @param combined            combined score in [0,1] (weighted geometric mean of the components)
 * @param flags               names of the raised {@link QualityFlag}s, in enum order
 */
public record RowQuality(double meanLogprob, double minLogprob, double perplexity,
                         int sourceUnits, int translationUnits, double lengthRatio, double expectedLengthRatio,
                         String detectedLang, double langConfidence, double targetLangScore, boolean langDecided,
                         double copySimilarity, double repeatedNgramRatio, int longestRepeat, boolean truncated,
                         List<String> termsFound, List<String> termsMissing, double termCoverage,
                         Double sentenceBleu, Double sentenceChrf, double combined, List<String> flags)
        implements Serializable {

    public RowQuality {
        termsFound = termsFound == null ? List.of() : List.copyOf(termsFound);
        termsMissing = termsMissing == null ? List.of() : List.copyOf(termsMissing);
        flags = flags == null ? List.of() : List.copyOf(flags);
    }

    public boolean has(QualityFlag flag) {
        return flags.contains(flag.name());
    }

    public boolean flagged() {
        return !flags.isEmpty();
    }
}
