package org.bayling.spark.stream;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.bayling.spark.HadoopModelFiles;
import org.bayling.spark.ModelManifest;
import org.bayling.spark.ModelSource;
import org.bayling.output.OutputSchema;
import org.bayling.spark.TranslateJob;
import org.bayling.spark.TranslateOptions;
import org.bayling.spark.TranslateSummary;

/**
 * Incremental (scheduled) translation: translates only the files that arrived under the input since the
 * last run on the same checkpoint, then stops.
 *
 * <p>Spark Structured Streaming's file source finds the new files ({@code binaryFile} listing, contents
 * never read by the stream) and records them in the checkpoint; {@link Trigger#AvailableNow()} processes
 * everything available and ends the query. Each micro-batch runs the batch job ({@link TranslateJob}:
 * read → plan → execute → write → report) over exactly its files, so rows and columns are those of a batch
 * run over the same files, appended to the same Parquet layout.
 *
 * <p>Exactly once: Spark logs a micro-batch's files before running it and commits it after. A batch
 * interrupted anywhere before its commit is re-run with the same files and batch id on the next run.
 * Its rows carry the deterministic run id {@code stream-<query id>-<batch id>} and the job skips ids
 * already written under that run id (same model and generation), so a re-run completes the batch
 * without duplicating rows, whether the crash came before, during or after its write.
 *
 * <p>One run at a time per checkpoint: {@link CheckpointLock}.
 */
public final class IncrementalTranslate {

    /** The checkpoint's record of the input and output it belongs to. */
    public static final String BINDING_FILE = "_bayling-incremental.json";

    /** Fault injection for tests: called after a micro-batch's rows are committed, before Spark commits the batch. */
    public static volatile LongConsumer afterBatchWritten;

    /** Settings of incremental runs. */
    public record Settings(String checkpoint, int maxFilesPerBatch, String maxFileAge, Duration lockStaleAfter) {
        public Settings {
            if (checkpoint == null || checkpoint.isBlank()) {
                throw new IllegalArgumentException("--incremental needs --checkpoint URI (where Spark records the files already translated)");
            }
            if (maxFilesPerBatch < 0) {
                throw new IllegalArgumentException("--max-files-per-batch must be >= 0 (0 = all new files in one batch), got " + maxFilesPerBatch);
            }
            if (lockStaleAfter.isNegative()) {
                throw new IllegalArgumentException("--lock-stale-after must be >= 0 (0 = never stale), got " + lockStaleAfter);
            }
        }
    }

    /** What a run did: the summed summary of its micro-batches, and files it could not pass on. */
    public record Result(TranslateSummary total, int batches, List<String> files, List<String> skippedFiles) {
    }

    /** binaryFile's fixed schema (a streaming file source needs it given); only {@code path} is ever read. */
    static final StructType FILES = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("modificationTime", DataTypes.TimestampType, false)
            .add("length", DataTypes.LongType, false)
            .add("content", DataTypes.BinaryType, true);

    private final SparkSession spark;
    private final TranslateOptions options;
    private final Settings settings;
    private final PrintStream console;

    public IncrementalTranslate(SparkSession spark, TranslateOptions options, Settings settings, PrintStream console) {
        if (options.mode() == TranslateOptions.WriteMode.OVERWRITE) {
            throw new IllegalArgumentException("--incremental appends to the output: --mode overwrite would erase the rows of "
                    + "earlier runs (omit --mode; to start over, remove both the output and the checkpoint)");
        }
        if (options.retryErrors()) {
            throw new IllegalArgumentException("--retry-errors is for batch runs (--mode resume), not --incremental");
        }
        this.spark = spark;
        this.options = options;
        this.settings = settings;
        this.console = console;
    }

    public Result run() {
        long t0 = System.nanoTime();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        checkPaths(conf);
        checkModelExists(options.translation().model(), conf);
        try (CheckpointLock lock = CheckpointLock.acquire(settings.checkpoint(), conf, settings.lockStaleAfter(),
                options.runId(), console)) {
            checkBinding(conf);
            Batches batches = new Batches();
            StreamingQuery query = startQuery(batches);
            try {
                query.awaitTermination();
            } catch (StreamingQueryException e) {
                throw rootCause(e);
            } finally {
                stopQuietly(query);
            }
            TranslateSummary total = total(batches.summaries, batches.model, (System.nanoTime() - t0) / 1e9);
            TranslateJob.writeSummary(conf, total);
            if (batches.summaries.isEmpty()) {
                console.println("incremental run: no new files under " + options.input());
            } else {
                console.println("incremental run: " + batches.summaries.size() + " micro-batch(es), "
                        + batches.files.size() + " new file(s)\n" + total.toText());
            }
            for (String f : batches.skipped) {
                console.println("warning: not translated (unsupported file name): " + f);
            }
            return new Result(total, batches.summaries.size(), List.copyOf(batches.files), List.copyOf(batches.skipped));
        }
    }

    private StreamingQuery startQuery(Batches batches) {
        var reader = spark.readStream().format("binaryFile").schema(FILES)
                .option("maxFileAge", settings.maxFileAge());
        if (settings.maxFilesPerBatch() > 0) {
            reader = reader.option("maxFilesPerTrigger", settings.maxFilesPerBatch());
        }
        try {
            return reader.load(options.input()).select("path").writeStream()
                    .option("checkpointLocation", settings.checkpoint())
                    .trigger(Trigger.AvailableNow())
                    .foreachBatch(batches)
                    .start();
        } catch (TimeoutException e) {
            throw new IllegalStateException("streaming query did not start: " + e, e);
        }
    }

    /** The foreachBatch function: one batch job per micro-batch, over that micro-batch's files. */
    private final class Batches implements VoidFunction2<Dataset<Row>, Long> {
        private static final long serialVersionUID = 1L;
        final transient List<TranslateSummary> summaries = new ArrayList<>();
        final transient List<String> files = new ArrayList<>();
        final transient List<String> skipped = new ArrayList<>();
        transient ModelSource model;

        @Override
        public void call(Dataset<Row> batch, Long batchId) {
            List<String> paths = new ArrayList<>(batch.select("path").distinct().as(Encoders.STRING()).collectAsList());
            paths.sort(null);
            List<String> usable = new ArrayList<>();
            for (String p : paths) {
                (hasGlobCharacters(new Path(p).getName()) ? skipped : usable).add(p);
            }
            if (usable.isEmpty()) {
                return;
            }
            SparkSession session = batch.sparkSession();
            if (model == null) {
                model = TranslateJob.prepareModel(session, options); // once per run, and only when there is work
            }
            String queryId = session.sparkContext().getLocalProperty("sql.streaming.queryId");
            if (queryId == null) {
                throw new IllegalStateException("no streaming query id in micro-batch " + batchId);
            }
            TranslateOptions batchOptions = options.toBuilder().input(String.join(",", usable))
                    .mode(TranslateOptions.WriteMode.APPEND).runId(batchRunId(queryId, batchId)).build();
            console.println("micro-batch " + batchId + ": " + usable.size() + " new file(s), run id " + batchOptions.runId());
            TranslateSummary s = new TranslateJob(session, batchOptions, console).resumingOwnRun().run(model);
            summaries.add(s);
            files.addAll(usable);
            LongConsumer hook = afterBatchWritten;
            if (hook != null) {
                hook.accept(batchId);
            }
        }
    }

    /** The run id of a micro-batch's rows: the same whenever the batch is (re-)run on this checkpoint. */
    public static String batchRunId(String queryId, long batchId) {
        return "stream-" + queryId + "-" + batchId;
    }

    /**
     * Names Hadoop would read as a glob or a list ({@code , { } [ ] * ? \}) cannot be passed on as input
     * paths: such files are reported (the run ends with the partial-failure code) and not translated;
     * renaming the file makes it new again.
     */
    static boolean hasGlobCharacters(String name) {
        return name.chars().anyMatch(c -> ",{}[]*?\\".indexOf(c) >= 0);
    }

    private TranslateSummary total(List<TranslateSummary> parts, ModelSource model, double wallSeconds) {
        ModelManifest m = model == null ? null : model.manifest();
        long[] n = new long[12];
        long outputRows = 0;
        for (TranslateSummary s : parts) {
            long[] v = {s.inputRows(), s.alreadyDone(), s.rowsWritten(), s.ok(), s.errors(), s.skipped(), s.requests(),
                    s.dedupSaved(), s.inputTokens(), s.outputTokens(), s.reusedPrefixTokens()};
            for (int i = 0; i < v.length; i++) {
                n[i] += v[i];
            }
            outputRows = s.outputRows(); // the output as the last micro-batch left it
        }
        return new TranslateSummary(options.runId(), options.output(), m == null ? null : m.name(),
                m == null ? null : m.hash(), OutputSchema.generationJson(options.translation().generation()), n[0], n[1], n[2], n[3],
                n[4], n[5], n[6], n[7], n[8], n[9], n[10], 0, outputRows, wallSeconds);
    }

    private void checkPaths(Configuration conf) {
        Path in = new Path(options.input());
        try {
            FileSystem fs = in.getFileSystem(conf);
            String input = fs.makeQualified(in).toString();
            if (!hasGlobCharacters(options.input()) && !fs.exists(in)) {
                throw new IllegalArgumentException("input " + options.input() + " does not exist (--incremental watches a directory)");
            }
            for (String[] other : List.of(new String[] {"--output", options.output()},
                    new String[] {"--checkpoint", settings.checkpoint()})) {
                Path p = new Path(other[1]);
                String q = p.getFileSystem(conf).makeQualified(p).toString();
                if (q.equals(input) || q.startsWith(input.endsWith("/") ? input : input + "/")) {
                    throw new IllegalArgumentException(other[0] + " " + other[1] + " is inside the input " + options.input()
                            + ": its files would be taken for new input");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check input " + options.input() + ": " + e, e);
        }
    }

    /** The driver-side model check (headers only, no weights), so a bad model fails even when nothing is new. */
    static void checkModelExists(String model, Configuration conf) {
        HadoopModelFiles.check(model, conf);
    }

    /** A checkpoint belongs to one input and one output: refuses a run that names others. */
    private void checkBinding(Configuration conf) {
        Path file = new Path(settings.checkpoint(), BINDING_FILE);
        JsonObject mine = new JsonObject();
        try {
            mine.addProperty("input", qualified(options.input(), conf));
            mine.addProperty("output", qualified(options.output(), conf));
            FileSystem fs = file.getFileSystem(conf);
            if (fs.exists(file)) {
                JsonObject recorded;
                try (InputStream in = fs.open(file)) {
                    recorded = new Gson().fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), JsonObject.class);
                }
                for (String k : List.of("input", "output")) {
                    if (!recorded.get(k).getAsString().equals(mine.get(k).getAsString())) {
                        throw new IllegalArgumentException("checkpoint " + settings.checkpoint() + " belongs to --" + k + " "
                                + recorded.get(k).getAsString() + ", not " + mine.get(k).getAsString()
                                + " (use another checkpoint for another " + k + ")");
                    }
                }
                return;
            }
            try (OutputStream out = fs.create(file, false)) {
                out.write(mine.toString().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file + ": " + e, e);
        }
    }

    private static String qualified(String uri, Configuration conf) throws IOException {
        Path p = new Path(uri);
        return p.getFileSystem(conf).makeQualified(p).toString();
    }

    /**
     * What failed, under Spark's streaming wrappers (the query exception and the foreachBatch wrapper):
     * the job's own exception when a micro-batch threw one, so the command maps it as in a batch run.
     */
    static RuntimeException rootCause(StreamingQueryException e) {
        Throwable t = e.getCause();
        while (t != null && t.getCause() != null && t.getCause() != t
                && (t instanceof StreamingQueryException || t.getClass().getSimpleName().startsWith("ForeachBatchUserFunc"))) {
            t = t.getCause();
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException("incremental run failed: " + e.getMessage(), e);
    }

    private static void stopQuietly(StreamingQuery q) {
        try {
            q.stop();
        } catch (TimeoutException | RuntimeException ignored) {
            // already terminated
        }
    }
}
