package org.bayling.quality.eval;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createStructField;
import static org.apache.spark.sql.types.DataTypes.createStructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.bayling.SharedData;
import org.bayling.quality.metrics.TextFiles;
import org.bayling.output.OutputSchema;

/** A lean local Spark session and builders of job-shaped Parquet outputs for the evaluation tests. */
final class EvalTestSupport {

    private static SparkSession spark;

    private EvalTestSupport() {
    }

    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2,2]").appName("bayling-eval-tests") // same master as the other suites: whichever starts Spark first, retries work
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.default.parallelism", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.sql.session.timeZone", "UTC")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }

    static List<String> lines(Path p) {
        try {
            return TextFiles.readLines(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> wmt(String file) {
        return lines(SharedData.wmt22(file));
    }

    static List<String> hyp(String system, String pair) {
        return lines(SharedData.wmt22("systems/" + system + "/" + pair + ".hyp"));
    }

    /** Quality struct with the job's names for the combined score and flags ({@code QualityFields}). */
    static final StructType QUALITY_WITH_FLAGS = createStructType(List.of(
            createStructField("mean_logprob", DoubleType, true),
            createStructField("min_logprob", DoubleType, true),
            createStructField("length_ratio", DoubleType, true),
            createStructField("score", DoubleType, true),
            createStructField("flags", createArrayType(StringType, true), true)));

    /** An older job's quality struct (no flags: evaluation/report rescore). */
    static final StructType QUALITY_PLAIN = createStructType(List.of(
            createStructField("mean_logprob", DoubleType, true),
            createStructField("min_logprob", DoubleType, true),
            createStructField("length_ratio", DoubleType, true)));

    static StructType schema(StructType quality, boolean withReference) {
        List<org.apache.spark.sql.types.StructField> f = new ArrayList<>();
        f.add(createStructField(OutputSchema.ID, StringType, true));
        f.add(createStructField(OutputSchema.SRC_LANG, StringType, true));
        f.add(createStructField(OutputSchema.TGT_LANG, StringType, true));
        f.add(createStructField(OutputSchema.SOURCE, StringType, true));
        if (withReference) {
            f.add(createStructField(OutputSchema.REFERENCE, StringType, true));
        }
        f.add(createStructField(OutputSchema.TRANSLATION, StringType, true));
        f.add(createStructField(OutputSchema.STATUS, StringType, true));
        f.add(createStructField(OutputSchema.ERROR, StringType, true));
        f.add(createStructField(OutputSchema.QUALITY, quality, true));
        f.add(createStructField(OutputSchema.FINISH_REASON, StringType, true));
        return createStructType(f);
    }

    /** One output row in {@link #schema} order. */
    static Row row(boolean withReference, boolean withFlags, String id, String src, String tgt, String source,
                   String reference, String translation, String status, Double combined, List<String> flags) {
        Row q = !"ok".equals(status) ? null : withFlags
                ? RowFactory.create(-0.5, -2.0, 1.0, combined, OutputSchema.seq(flags))
                : RowFactory.create(-0.5, -2.0, 1.0);
        String error = "ok".equals(status) ? null : "boom";
        String finish = "ok".equals(status) ? "eos" : null;
        return withReference
                ? RowFactory.create(id, src, tgt, source, reference, translation, status, error, q, finish)
                : RowFactory.create(id, src, tgt, source, translation, status, error, q, finish);
    }

    /** Writes rows as the job does: Parquet partitioned by tgt_lang. */
    static void write(List<Row> rows, StructType schema, Path dir) {
        spark().createDataFrame(rows, schema).write().mode("overwrite").partitionBy(OutputSchema.PARTITION_BY)
                .parquet(dir.toString());
    }
}
