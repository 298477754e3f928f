package org.bayling.spark;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.createStructField;
import static org.apache.spark.sql.types.DataTypes.createStructType;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.bayling.translate.TranslationOutcome;
import org.bayling.translate.TurnOutput;

/**
 * The one place that fills the output's {@code quality} struct. Swap the body of {@link #of} for
 * {@code org.bayling.quality.QualityScorer} when it lands; keep {@link #STRUCT} in step.
 */
public final class QualityFields {

    public static final StructType STRUCT = createStructType(List.of(
            createStructField("mean_logprob", DoubleType, true),
            createStructField("min_logprob", DoubleType, true),
            createStructField("length_ratio", DoubleType, true)));

    private QualityFields() {
    }

    /** Quality of a finished translation (last turn), or null for failed outcomes. */
    public static Row of(TranslationOutcome outcome, String source) {
        if (outcome == null || !outcome.ok() || outcome.lastTurn() == null) {
            return null;
        }
        TurnOutput last = outcome.lastTurn();
        float[] lp = last.tokenLogprobs();
        Double mean = null;
        Double min = null;
        if (lp != null && lp.length > 0) {
            double sum = 0;
            double m = Double.POSITIVE_INFINITY;
            for (float v : lp) {
                sum += v;
                m = Math.min(m, v);
            }
            mean = sum / lp.length;
            min = m;
        }
        String t = outcome.translation();
        Double ratio = source == null || source.isEmpty() || t == null ? null
                : (double) t.codePointCount(0, t.length()) / source.codePointCount(0, source.length());
        return RowFactory.create(mean, min, ratio);
    }
}
