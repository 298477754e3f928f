package org.bayling.quality.eval;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.SparkSession;
import org.bayling.quality.QualityReport;
import org.bayling.quality.ReportRow;
import org.bayling.output.OutputSchema;
import org.bayling.output.PersistedRows;

/**
 * The quality report of a translation job's output: {@code report.md}, {@code report.html} and PNG charts
 * ({@link QualityReport}) written to {@code <output>/_report/} (Spark skips {@code _}-prefixed directories, so the
 * output stays readable as a table) or any other Hadoop URI.
 *
 * <p>Rows are the output's {@code ok} rows with their combined score and flags ({@link JobRows#scored}: from the
 * {@code quality} struct, or recomputed when the struct has no flags), mean token log-prob and, for rows with a
 * {@code reference}, sentence chrF. The driver collects the numbers of every ok row (no text) to draw the
 * distributions, and the texts of the worst rows only. The report is rendered in a local temporary directory and
 * copied with {@link FileSystem#copyFromLocalFile}, so HDFS / object-store outputs work.
 */
public final class JobReport {

    /** Report directory inside the job output. */
    public static final String REPORT_DIR = "_report";

    /** What was written: URIs of the directory and files, and the row counts. */
    public record Written(String dir, String markdown, String html, List<String> charts, long rows, long ok,
                          JobRows.FlagSource flagSource) {
    }

    private JobReport() {
    }

    /** {@code <outputUri>/_report/} with the default worst-row count ({@value QualityReport#DEFAULT_WORST}). */
    public static Written write(SparkSession spark, String outputUri) {
        return write(spark, outputUri, defaultDir(outputUri), QualityReport.DEFAULT_WORST, null);
    }

    /** {@code <outputUri>/_report/}. */
    public static String defaultDir(String outputUri) {
        return new Path(outputUri, REPORT_DIR).toString();
    }

    /**
     * @param reportUri target directory (replaced if it exists)
     * @param worstN    rows in the worst-rows table
     * @param title     report title, or null for one naming the output and its row counts
     */
    public static Written write(SparkSession spark, String outputUri, String reportUri, int worstN, String title) {
        if (worstN < 0) {
            throw new IllegalArgumentException("--worst must be >= 0");
        }
        Dataset<Row> output = JobRows.readOutput(spark, outputUri);
        JobRows.FlagSource source = JobRows.flagSource(output.schema());
        // the job already stored sentence chrF in its quality struct: recompute it only for older outputs
        StructType quality = JobRows.qualityStruct(output.schema());
        boolean hasChrf = quality != null && JobRows.hasColumn(quality, JobRows.SENTENCE_CHRF);
        // rows computed per row are kept for the two passes below (not in Spark SQL's cache: see PersistedRows);
        // a projection of the output is read twice instead (a scan of the columns used: a warm report of 1,000 rows
        // took 0.66 and 0.80 s against 0.72 and 1.15 s when kept, in two A/B runs)
        Dataset<Row> scored = JobRows.scored(output, !hasChrf);
        PersistedRows kept = JobRows.isProjection(output.schema(), !hasChrf) ? null : PersistedRows.of(scored);
        Dataset<Row> all = kept == null ? scored : kept.rows();
        try {
            Dataset<Row> ok = all.where(col(OutputSchema.STATUS).equalTo(OutputSchema.STATUS_OK));
            // one pass for the numbers of every row (no text): the total and the ok rows' figures
            List<Row> lightAll = all.select(OutputSchema.ID, OutputSchema.SRC_LANG, OutputSchema.TGT_LANG,
                    JobRows.COMBINED, JobRows.FLAGS, JobRows.MEAN_LOGPROB, JobRows.SENTENCE_CHRF,
                    OutputSchema.STATUS).collectAsList();
            long rows = lightAll.size();
            List<Row> light = new ArrayList<>();
            for (Row r : lightAll) {
                if (OutputSchema.STATUS_OK.equals(r.getString(7))) {
                    light.add(r);
                }
            }
            // texts for the worst rows only, in QualityReport's order (combined asc, more flags first, id);
            // a margin covers ties that the two sorts could break differently
            Map<String, String[]> texts = new HashMap<>();
            if (worstN > 0) {
                for (Row r : ok.orderBy(col(JobRows.COMBINED).asc_nulls_first(), size(col(JobRows.FLAGS)).desc(),
                                col(OutputSchema.ID).asc())
                        .limit(2 * worstN + 10)
                        .select(OutputSchema.ID, OutputSchema.SOURCE, OutputSchema.TRANSLATION).collectAsList()) {
                    texts.put(r.getString(0), new String[] {r.getString(1), r.getString(2)});
                }
            }
            List<ReportRow> reportRows = new ArrayList<>(light.size());
            for (Row r : light) {
                String id = r.getString(0);
                String[] t = texts.get(id);
                reportRows.add(new ReportRow(id, r.getString(1), r.getString(2), t == null ? null : t[0],
                        t == null ? null : t[1], r.isNullAt(3) ? Double.NaN : r.getDouble(3),
                        r.isNullAt(4) ? List.of() : r.getList(4), r.isNullAt(5) ? Double.NaN : r.getDouble(5),
                        r.isNullAt(6) ? null : r.getDouble(6)));
            }
            reportRows.sort(Comparator.comparing(ReportRow::pair).thenComparing(x -> String.valueOf(x.id())));
            long okRows = reportRows.size();
            String t = title != null ? title : String.format(Locale.ROOT,
                    "Translation quality report: %s (%d ok of %d rows%s)", outputUri, okRows, rows,
                    source == JobRows.FlagSource.RESCORED ? "; flags recomputed from the output" : "");
            return render(spark, reportRows, reportUri, worstN, t, rows, okRows, source);
        } finally {
            if (kept != null) {
                kept.close();
            }
        }
    }

    private static Written render(SparkSession spark, List<ReportRow> rows, String reportUri, int worstN, String title,
                                  long total, long ok, JobRows.FlagSource source) {
        java.nio.file.Path local = null;
        try {
            local = Files.createTempDirectory("bayling-report");
            QualityReport.Written w = new QualityReport(title, worstN).write(rows, local);
            Path dst = new Path(reportUri);
            FileSystem fs = dst.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.exists(dst)) {
                fs.delete(dst, true);
            }
            if (dst.getParent() != null) {
                fs.mkdirs(dst.getParent());
            }
            fs.copyFromLocalFile(false, true, new Path(local.toUri()), dst);
            Path qualified = fs.makeQualified(dst);
            List<String> charts = new ArrayList<>();
            for (java.nio.file.Path c : w.charts()) {
                charts.add(new Path(qualified, local.relativize(c).toString().replace('\\', '/')).toString());
            }
            return new Written(qualified.toString(), new Path(qualified, "report.md").toString(),
                    new Path(qualified, "report.html").toString(), List.copyOf(charts), total, ok, source);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + reportUri + ": " + e.getMessage(), e);
        } finally {
            if (local != null) {
                deleteQuietly(local);
            }
        }
    }

    private static void deleteQuietly(java.nio.file.Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary directory: best effort
        }
    }
}
