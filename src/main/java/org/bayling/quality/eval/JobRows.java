package org.bayling.quality.eval;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.bayling.quality.QualityInput;
import org.bayling.quality.QualityScorer;
import org.bayling.quality.RowQuality;
import org.bayling.quality.metrics.Chrf;
import org.bayling.output.OutputSchema;

/**
 * Reads a translation job's Parquet output (columns named by {@link OutputSchema}), attaches references and turns
 * each row into the normalized {@link #SCORED} form the evaluation and the report work on.
 *
 * <p>Quality flags and the combined score are taken from the output's {@code quality} struct when it has
 * {@code flags} and a combined score ({@code score}, as {@code org.bayling.spark.QualityFields} writes it, or
 * {@code combined}). Otherwise (outputs of older job versions, which wrote only {@code mean_logprob},
 * {@code min_logprob}, {@code length_ratio}) every ok row is scored again on the executors with
 * {@link QualityScorer#withDefaults()}: the mean log-prob stands in for the token log-probs (same mean, so the same
 * {@code LOW_CONFIDENCE} decision and confidence component), the finish reason comes from {@code finish_reason};
 * required terms are not in the output, so {@code MISSING_TERMS} cannot be raised in that case.
 */
public final class JobRows {

    /** Where the flags of {@link #scored} came from. */
    public enum FlagSource {
        /** The output's {@code quality.flags} / {@code quality.combined}. */
        OUTPUT,
        /** Recomputed by {@link QualityScorer} from the output's texts (see the class comment). */
        RESCORED;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final String COMBINED = "combined";
    /** Name of the combined score in the job's quality struct ({@code org.bayling.spark.QualityFields}). */
    public static final String SCORE = "score";
    public static final String FLAGS = "flags";
    public static final String MEAN_LOGPROB = "mean_logprob";
    public static final String SENTENCE_CHRF = "sentence_chrf";

    /** Normalized rows: one per output row; quality columns are null for rows that are not {@code ok}. */
    public static final StructType SCORED = DataTypes.createStructType(List.of(
            DataTypes.createStructField(OutputSchema.ID, DataTypes.StringType, true),
            DataTypes.createStructField(OutputSchema.SRC_LANG, DataTypes.StringType, true),
            DataTypes.createStructField(OutputSchema.TGT_LANG, DataTypes.StringType, true),
            DataTypes.createStructField(OutputSchema.STATUS, DataTypes.StringType, true),
            DataTypes.createStructField(OutputSchema.SOURCE, DataTypes.StringType, true),
            DataTypes.createStructField(OutputSchema.TRANSLATION, DataTypes.StringType, true),
            DataTypes.createStructField(OutputSchema.REFERENCE, DataTypes.StringType, true),
            DataTypes.createStructField(MEAN_LOGPROB, DataTypes.DoubleType, true),
            DataTypes.createStructField(COMBINED, DataTypes.DoubleType, true),
            DataTypes.createStructField(FLAGS, DataTypes.createArrayType(DataTypes.StringType, true), true),
            DataTypes.createStructField(SENTENCE_CHRF, DataTypes.DoubleType, true)));

    static final int I_ID = 0, I_SRC = 1, I_TGT = 2, I_STATUS = 3, I_SOURCE = 4, I_TRANSLATION = 5, I_REFERENCE = 6,
            I_MEAN_LOGPROB = 7, I_COMBINED = 8, I_FLAGS = 9, I_SENTENCE_CHRF = 10;

    private static final String REF_COL = "__reference";
    private static final String REF_ID = "__ref_id";

    private JobRows() {
    }

    /** The job's output (all {@code tgt_lang} partitions; {@code _report}, {@code _summary.json} are ignored by Spark). */
    public static Dataset<Row> readOutput(SparkSession spark, String outputUri) {
        return spark.read().parquet(outputUri);
    }

    /**
     * Replaces the output's {@code reference} column by the references in {@code referencesUri}, joined by id
     * (left join: rows without a reference get null). Duplicate reference ids keep one of the values.
     *
     * @param format          null = from the file name ({@link ReferenceFormat#fromPath})
     * @param idColumn        id column/field of the references (not used for {@link ReferenceFormat#TEXT})
     * @param referenceColumn reference column/field (not used for {@link ReferenceFormat#TEXT})
     */
    public static Dataset<Row> withReferences(SparkSession spark, Dataset<Row> output, String referencesUri,
                                              ReferenceFormat format, String idColumn, String referenceColumn) {
        ReferenceFormat f = format != null ? format : ReferenceFormat.fromPath(referencesUri);
        Dataset<Row> refs = readReferences(spark, referencesUri, f, idColumn, referenceColumn);
        Dataset<Row> out = hasColumn(output.schema(), OutputSchema.REFERENCE) ? output.drop(OutputSchema.REFERENCE) : output;
        Column idKey = col(OutputSchema.ID).cast("string");
        if (f == ReferenceFormat.TEXT) {
            // line number: the id itself, or what follows its last ':' (the job's ids for text inputs)
            idKey = org.apache.spark.sql.functions.substring_index(idKey, ":", -1);
        }
        Dataset<Row> j = out.withColumn("__join_id", idKey)
                .join(refs, col("__join_id").equalTo(col(REF_ID)), "left");
        return j.withColumnRenamed(REF_COL, OutputSchema.REFERENCE).drop("__join_id", REF_ID);
    }

    static Dataset<Row> readReferences(SparkSession spark, String uri, ReferenceFormat f, String idColumn,
                                       String referenceColumn) {
        Dataset<Row> raw;
        switch (f) {
            case TEXT -> {
                List<String> lines = readTextLines(spark, uri);
                List<Row> rows = new ArrayList<>(lines.size());
                for (int i = 0; i < lines.size(); i++) {
                    rows.add(RowFactory.create(Integer.toString(i + 1), lines.get(i)));
                }
                StructType schema = DataTypes.createStructType(List.of(
                        DataTypes.createStructField(REF_ID, DataTypes.StringType, false),
                        DataTypes.createStructField(REF_COL, DataTypes.StringType, true)));
                return spark.createDataFrame(rows, schema);
            }
            case JSONL -> raw = spark.read().json(uri);
            case PARQUET -> raw = spark.read().parquet(uri);
            case CSV -> raw = spark.read().option("header", "true").option("multiLine", "true")
                    .option("sep", uri.toLowerCase(java.util.Locale.ROOT).endsWith(".tsv") ? "\t" : ",").csv(uri);
            default -> throw new IllegalStateException(f.toString());
        }
        for (String c : List.of(idColumn, referenceColumn)) {
            if (!hasColumn(raw.schema(), c)) {
                throw new IllegalArgumentException("references " + uri + " have no column '" + c + "' (columns: "
                        + String.join(", ", raw.columns()) + ")");
            }
        }
        return raw.select(col(idColumn).cast("string").as(REF_ID), col(referenceColumn).cast("string").as(REF_COL))
                .where(col(REF_ID).isNotNull())
                .dropDuplicates(REF_ID);
    }

    /** A text file read through Hadoop, split on {@code \n} only (as {@code TextFiles.readLines}). */
    static List<String> readTextLines(SparkSession spark, String uri) {
        Path p = new Path(uri);
        try {
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            String text;
            try (InputStream in = fs.open(p)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            List<String> lines = new ArrayList<>();
            int start = 0;
            while (start < text.length()) {
                int nl = text.indexOf('\n', start);
                if (nl < 0) {
                    lines.add(text.substring(start));
                    break;
                }
                lines.add(text.substring(start, nl));
                start = nl + 1;
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read references " + uri + ": " + e.getMessage(), e);
        }
    }

    /** {@link FlagSource#OUTPUT} when the output's quality struct has both {@code flags} and {@code combined}. */
    public static FlagSource flagSource(StructType outputSchema) {
        StructType q = qualityStruct(outputSchema);
        return q != null && hasColumn(q, FLAGS) && combinedField(q) != null ? FlagSource.OUTPUT : FlagSource.RESCORED;
    }

    /** The quality struct's combined-score field: {@code combined} or {@code score}, or null. */
    static String combinedField(StructType q) {
        return hasColumn(q, COMBINED) ? COMBINED : hasColumn(q, SCORE) ? SCORE : null;
    }

    /**
     * One {@link #SCORED} row per output row. Sentence chrF (sacreBLEU {@code sentence_chrf}) is taken from
     * {@code quality.sentence_chrf} when present, else computed for ok rows that have a reference when
     * {@code sentenceChrf} is set (and always when rows are rescored, since the combined score uses it).
     */
    public static Dataset<Row> scored(Dataset<Row> output, boolean sentenceChrf) {
        StructType schema = output.schema();
        Dataset<Row> base = selected(output);
        if (isProjection(schema, sentenceChrf)) {
            return asScored(base);
        }
        FlagSource source = flagSource(schema);
        return base.mapPartitions(new RowScorer(source == FlagSource.RESCORED,
                sentenceChrf || source == FlagSource.RESCORED), Encoders.row(SCORED));
    }

    /** The output's columns that {@link #scored} reads, in {@link RowScorer}'s order (absent ones null). */
    static Dataset<Row> selected(Dataset<Row> output) {
        StructType schema = output.schema();
        StructType q = qualityStruct(schema);
        List<Column> cols = new ArrayList<>();
        cols.add(opt(schema, OutputSchema.ID, "string"));
        cols.add(opt(schema, OutputSchema.SRC_LANG, "string"));
        cols.add(opt(schema, OutputSchema.TGT_LANG, "string"));
        cols.add(opt(schema, OutputSchema.STATUS, "string"));
        cols.add(opt(schema, OutputSchema.SOURCE, "string"));
        cols.add(opt(schema, OutputSchema.TRANSLATION, "string"));
        cols.add(opt(schema, OutputSchema.REFERENCE, "string"));
        cols.add(optQuality(q, MEAN_LOGPROB, "double"));
        String combined = q == null ? null : combinedField(q);
        cols.add((combined != null ? col(OutputSchema.QUALITY + "." + combined).cast("double")
                : lit(null).cast("double")).as("q_" + COMBINED));
        cols.add((q != null && hasColumn(q, FLAGS) ? col(OutputSchema.QUALITY + "." + FLAGS).cast("array<string>")
                : lit(null).cast("array<string>")).as("q_" + FLAGS));
        cols.add(optQuality(q, SENTENCE_CHRF, "double"));
        cols.add(opt(schema, OutputSchema.FINISH_REASON, "string"));
        return output.select(cols.toArray(Column[]::new));
    }

    /**
     * Whether {@link #scored} is a column projection of the output: its flags and combined scores are taken as
     * written and no sentence chrF has to be computed (not asked for, or already in the quality struct). Such rows
     * cost a Parquet scan of the columns used, so reading them twice is cheaper than keeping them.
     */
    public static boolean isProjection(StructType outputSchema, boolean sentenceChrf) {
        StructType q = qualityStruct(outputSchema);
        return flagSource(outputSchema) == FlagSource.OUTPUT && (!sentenceChrf || hasColumn(q, SENTENCE_CHRF));
    }

    /** What {@link RowScorer} does when it neither rescores nor computes chrF, in SQL: quality only for ok rows. */
    private static Dataset<Row> asScored(Dataset<Row> base) {
        Column ok = col(OutputSchema.STATUS).equalTo(OutputSchema.STATUS_OK);
        Column noFlags = array().cast("array<string>");
        return base.select(col(OutputSchema.ID), col(OutputSchema.SRC_LANG), col(OutputSchema.TGT_LANG),
                col(OutputSchema.STATUS), col(OutputSchema.SOURCE), col(OutputSchema.TRANSLATION),
                col(OutputSchema.REFERENCE), col("q_" + MEAN_LOGPROB).as(MEAN_LOGPROB),
                when(ok, col("q_" + COMBINED)).as(COMBINED),
                when(ok, coalesce(col("q_" + FLAGS), noFlags)).as(FLAGS),
                when(ok, col("q_" + SENTENCE_CHRF)).as(SENTENCE_CHRF));
    }

    private static Column opt(StructType schema, String name, String type) {
        return (hasColumn(schema, name) ? col(name).cast(type) : lit(null).cast(type)).as(name);
    }

    private static Column optQuality(StructType q, String field, String type) {
        return (q != null && hasColumn(q, field) ? col(OutputSchema.QUALITY + "." + field).cast(type)
                : lit(null).cast(type)).as("q_" + field);
    }

    static StructType qualityStruct(StructType schema) {
        if (!hasColumn(schema, OutputSchema.QUALITY)) {
            return null;
        }
        return schema.apply(OutputSchema.QUALITY).dataType() instanceof StructType s ? s : null;
    }

    static boolean hasColumn(StructType schema, String name) {
        return Arrays.asList(schema.fieldNames()).contains(name);
    }

    /** Executor side of {@link #scored}. */
    static final class RowScorer implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final boolean rescore;
        private final boolean computeChrf;

        RowScorer(boolean rescore, boolean computeChrf) {
            this.rescore = rescore;
            this.computeChrf = computeChrf;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            Chrf chrf = Chrf.chrf();
            QualityScorer scorer = rescore ? QualityScorer.withDefaults() : null;
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Row next() {
                    return score(rows.next(), chrf, scorer);
                }
            };
        }

        private Row score(Row r, Chrf chrf, QualityScorer scorer) {
            String status = r.getString(3);
            String translation = r.getString(5);
            String reference = r.getString(6);
            Double mean = r.isNullAt(7) ? null : r.getDouble(7);
            Double combined = r.isNullAt(8) ? null : r.getDouble(8);
            List<String> flags = r.isNullAt(9) ? null : r.getList(9);
            Double sentChrf = r.isNullAt(10) ? null : r.getDouble(10);
            String finish = r.getString(11);
            boolean ok = OutputSchema.STATUS_OK.equals(status);
            if (ok) {
                if (sentChrf == null && computeChrf && reference != null) {
                    sentChrf = chrf.sentenceScore(translation == null ? "" : translation, List.of(reference)).score();
                }
                if (scorer != null) {
                    QualityInput in = QualityInput.of(r.getString(4), translation, r.getString(1), r.getString(2))
                            .withGeneration(mean == null ? null : new float[] {mean.floatValue()}, finish)
                            .withReference(reference)
                            .withReferenceMetrics(null, sentChrf);
                    RowQuality rq = scorer.score(in);
                    combined = rq.combined();
                    flags = rq.flags();
                } else if (flags == null) {
                    flags = List.of();
                }
            } else {
                combined = null;
                flags = null;
                sentChrf = null;
            }
            return RowFactory.create(r.getString(0), r.getString(1), r.getString(2), status, r.getString(4),
                    translation, reference, mean, combined,
                    flags == null ? null : OutputSchema.seq(flags), sentChrf);
        }
    }
}
