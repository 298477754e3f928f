package org.bayling.spark;

import static org.apache.spark.sql.types.DataTypes.DoubleType;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.bayling.output.OutputSchema;
import org.bayling.quality.QualityInput;
import org.bayling.quality.QualityScorer;
import org.bayling.quality.RowQuality;
import org.bayling.quality.SentenceReferenceMetrics;
import org.bayling.translate.RowTranslation;
import org.bayling.translate.TranslationTask;

/**
 * The one place that fills the output's {@code quality} struct ({@link OutputSchema#QUALITY_STRUCT}):
 * {@link QualityScorer} on executors for each translated request (confidence, length ratio, language
 * check, copy, repetition, truncation, terms, combined score and flags), and sentence BLEU/chrF against
 * the row's reference once rows are joined back (references belong to rows, not to deduplicated requests).
 */
public final class QualityFields {

    private static volatile QualityScorer scorer; // one per JVM: its language detector is large

    private QualityFields() {
    }

    private static QualityScorer scorer() {
        QualityScorer s = scorer;
        if (s == null) {
            synchronized (QualityFields.class) {
                if (scorer == null) {
                    scorer = QualityScorer.withDefaults();
                }
                s = scorer;
            }
        }
        return s;
    }

    /**
     * Quality of a translated row (null unless ok): of the whole text, with the log-probs of every
     * segment; a row translated in several segments also names its worst one (lowest combined score).
     */
    public static Row of(RowTranslation r, TranslationTask task) {
        if (r == null || !r.ok() || r.segments().isEmpty()) {
            return null;
        }
        QualityInput in = QualityInput.of(task.text(), r.translation(), task.srcLang(), task.tgtLang())
                .withGeneration(r.tokenLogprobs(), r.finishReason())
                .withRequiredTerms(task.terms());
        RowQuality q = scorer().score(in);
        Integer worst = null;
        Double worstScore = null;
        if (r.segments().size() > 1) {
            for (int i = 0; i < r.segments().size(); i++) {
                RowTranslation.TranslatedSegment s = r.segments().get(i);
                double c = scorer().score(QualityInput.of(s.source(), s.translation(), task.srcLang(), task.tgtLang())
                        .withGeneration(s.lastTurn().tokenLogprobs(), s.lastTurn().finishReason())).combined();
                if (worstScore == null || c < worstScore) {
                    worst = i;
                    worstScore = c;
                }
            }
        }
        return RowFactory.create(num(q.combined()), OutputSchema.seq(q.flags()), num(q.meanLogprob()), num(q.minLogprob()),
                num(q.perplexity()), num(q.lengthRatio()), num(q.expectedLengthRatio()), q.detectedLang(),
                num(q.langConfidence()), num(q.copySimilarity()), num(q.repeatedNgramRatio()), q.truncated(),
                task.terms().isEmpty() ? null : OutputSchema.seq(q.termsFound()),
                task.terms().isEmpty() ? null : num(q.termCoverage()), null, null, worst,
                worstScore == null ? null : num(worstScore));
    }

    /** The quality struct with sentence BLEU/chrF against the reference filled in (null without a reference). */
    public static Column withReferenceScores(Column quality, Column translation, Column reference, Column tgtLang) {
        return quality.withField("sentence_bleu", BLEU.apply(translation, reference, tgtLang))
                .withField("sentence_chrf", CHRF.apply(translation, reference));
    }

    private static final UserDefinedFunction BLEU = functions.udf(
            (UDF3<String, String, String, Double>) SentenceReferenceMetrics::bleu, DoubleType);
    private static final UserDefinedFunction CHRF = functions.udf(
            (UDF2<String, String, Double>) SentenceReferenceMetrics::chrf, DoubleType);

    private static Double num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }
}
