package org.bayling.spark.ml;

import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createStructField;
import static org.apache.spark.sql.types.DataTypes.createStructType;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.bayling.output.OutputSchema;

/**
 * The struct the DataFrame and SQL APIs return per row: the output table's per-row result columns
 * (same names, values and {@code status} vocabulary as {@link OutputSchema}) without the run-level ones.
 */
public final class TranslationResult {

    public static final StructType STRUCT = createStructType(List.of(
            createStructField(OutputSchema.TRANSLATION, StringType, true),
            createStructField(OutputSchema.STATUS, StringType, false),
            createStructField(OutputSchema.ERROR, StringType, true),
            createStructField(OutputSchema.QUALITY, OutputSchema.QUALITY_STRUCT, true),
            createStructField(OutputSchema.N_INPUT_TOKENS, IntegerType, false),
            createStructField(OutputSchema.N_OUTPUT_TOKENS, IntegerType, false),
            createStructField(OutputSchema.FINISH_REASON, StringType, true)));

    private TranslationResult() {
    }

    /** A row the model never saw: bad input. */
    static Row inputError(String message) {
        return RowFactory.create(null, OutputSchema.STATUS_ERROR, message, null, 0, 0, null);
    }

    /** Source and target language are the same: the source is copied, as the job does. */
    static Row skipped(String source) {
        return RowFactory.create(source, OutputSchema.STATUS_SKIPPED, null, null, 0, 0, null);
    }

    /** From a {@link OutputSchema#RESULT} row of {@code TranslatePartition}. */
    static Row fromResult(Row r, boolean quality) {
        StructType s = OutputSchema.RESULT;
        boolean ok = r.getBoolean(s.fieldIndex(OutputSchema.OK));
        return RowFactory.create(
                ok ? r.getString(s.fieldIndex(OutputSchema.TRANSLATION)) : null,
                ok ? OutputSchema.STATUS_OK : OutputSchema.STATUS_ERROR,
                ok ? null : r.getString(s.fieldIndex(OutputSchema.ERROR)),
                ok && quality ? r.get(s.fieldIndex(OutputSchema.QUALITY)) : null,
                r.getInt(s.fieldIndex(OutputSchema.N_INPUT_TOKENS)),
                r.getInt(s.fieldIndex(OutputSchema.N_OUTPUT_TOKENS)),
                r.getString(s.fieldIndex(OutputSchema.FINISH_REASON)));
    }
}
