package org.bayling.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.bayling.output.OutputSchema;
import org.bayling.output.PersistedRows;

/**
 * {@code --mode resume --retry-errors}, after the run's rows are committed: removes the error rows that a later
 * run (same model hash and generation config) has translated again, so the output holds one row per input row.
 * An error row is superseded when its identity (id, occurrence) has a row from a later run. Parquet files
 * cannot be edited: each file holding superseded rows is rewritten without them. The new file is staged under
 * {@code <output>/_retry-errors/<n>/} (readers ignore {@code _} folders), then a {@code _replaces} marker names
 * the file it replaces; only then is the old file deleted and the new one moved in. A run killed part-way
 * leaves a stage that the next {@code --retry-errors} run finishes (marker present) or drops (no marker), and
 * superseded rows it did not reach are found again: no row is lost or duplicated.
 */
final class RetriedErrors {

    static final String STAGING = "_retry-errors";
    private static final String MARKER = "_replaces";
    private static final String FILE = "__file";
    private static final String OCC = "__occurrence";
    private static final String LATEST = "__latest_run";

    private RetriedErrors() {
    }

    /** Removes superseded error rows of this model and generation config; returns how many were removed. */
    static long replace(SparkSession spark, String output, String modelHash, String generationHash) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path out = new Path(output);
        try {
            FileSystem fs = out.getFileSystem(conf);
            Path staging = new Path(out, STAGING);
            finishStages(fs, staging);
            Dataset<Row> rows = spark.read().parquet(output);
            rows = rows.withColumn(OCC, TranslateJob.occurrence(rows)).withColumn(FILE, col("_metadata.file_path"));
            Column same = col(OutputSchema.MODEL + ".hash").equalTo(modelHash)
                    .and(col(OutputSchema.GENERATION_HASH).equalTo(generationHash));
            PersistedRows kept = PersistedRows.of(rows.where(same)
                    .withColumn(LATEST, max(col(OutputSchema.RUN_STARTED_AT))
                            .over(Window.partitionBy(col(OutputSchema.ID), col(OCC))))
                    .where(col(OutputSchema.STATUS).equalTo(OutputSchema.STATUS_ERROR)
                            .and(col(OutputSchema.RUN_STARTED_AT).lt(col(LATEST))))
                    .select(col(FILE), col(OutputSchema.ID), col(OCC), col(OutputSchema.RUN_ID), col(OutputSchema.STATUS)));
            Dataset<Row> superseded = kept.rows(); // not Spark SQL's cache: see PersistedRows
            try {
                long n = superseded.count();
                if (n == 0) {
                    return 0;
                }
                List<String> files = superseded.select(FILE).distinct().as(org.apache.spark.sql.Encoders.STRING())
                        .collectAsList();
                for (String file : files) {
                    rewriteWithout(spark, fs, output, staging, file, superseded.where(col(FILE).equalTo(file)).drop(FILE));
                }
                fs.delete(staging, true);
                return n;
            } finally {
                kept.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace retried error rows in " + output + ": " + e, e);
        }
    }

    private static void rewriteWithout(SparkSession spark, FileSystem fs, String output, Path staging, String file,
                                       Dataset<Row> victims) throws IOException {
        // file: a URI as _metadata.file_path gives it (special characters escaped)
        Dataset<Row> rows = spark.read().option("basePath", output).parquet(new Path(java.net.URI.create(file)).toString());
        rows = rows.withColumn(OCC, TranslateJob.occurrence(rows));
        Column key = rows.col(OutputSchema.ID).equalTo(victims.col(OutputSchema.ID))
                .and(rows.col(OCC).equalTo(victims.col(OCC)))
                .and(rows.col(OutputSchema.RUN_ID).equalTo(victims.col(OutputSchema.RUN_ID)))
                .and(rows.col(OutputSchema.STATUS).equalTo(victims.col(OutputSchema.STATUS)));
        List<String> keep = new ArrayList<>();
        for (String c : rows.columns()) {
            if (!c.equals(OCC) && !c.equals(OutputSchema.PARTITION_BY)) {
                keep.add(c); // the partition column lives in the folder name
            }
        }
        Dataset<Row> kept = rows.join(victims, key, "left_anti")
                .select(keep.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
        Path stage = new Path(staging, UUID.randomUUID().toString());
        kept.coalesce(1).write().parquet(stage.toString());
        try (OutputStream m = fs.create(new Path(stage, MARKER), false)) {
            m.write(file.getBytes(StandardCharsets.UTF_8));
        }
        finish(fs, stage);
    }

    /** Completes (marker present) or drops (no marker) the stages an earlier run left. */
    private static void finishStages(FileSystem fs, Path staging) throws IOException {
        if (!fs.exists(staging)) {
            return;
        }
        for (FileStatus s : fs.listStatus(staging)) {
            finish(fs, s.getPath());
        }
        fs.delete(staging, true);
    }

    private static void finish(FileSystem fs, Path stage) throws IOException {
        Path marker = new Path(stage, MARKER);
        if (fs.exists(marker)) {
            String replaced;
            try (FSDataInputStream in = fs.open(marker)) {
                replaced = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path old = new Path(java.net.URI.create(replaced));
            if (fs.exists(old)) {
                fs.delete(old, false);
            }
            for (FileStatus f : fs.listStatus(stage, p -> !p.getName().startsWith("_") && !p.getName().startsWith("."))) {
                if (!fs.rename(f.getPath(), new Path(old.getParent(), f.getPath().getName()))) {
                    throw new IOException("cannot move " + f.getPath() + " to " + old.getParent());
                }
            }
        }
        fs.delete(stage, true);
    }
}
