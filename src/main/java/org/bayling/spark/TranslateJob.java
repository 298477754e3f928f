package org.bayling.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.util.LongAccumulator;
import org.bayling.generate.GenerationConfig;
import org.bayling.model.ModelUnreadableException;
import org.bayling.output.PersistedRows;
import org.bayling.output.OutputSchema;

/**
 * The batch translation job: read → plan → execute → write → report.
 *
 * <ul>
 *   <li><b>read</b>: any supported input into normalized rows ({@link InputReader});</li>
 *   <li><b>plan</b>: glossary terms, row checks, request hashes ({@link RequestRows}); in resume and append
 *       modes drop the rows (by id and occurrence) the output already holds;</li>
 *   <li><b>execute</b>: distinct requests, range-partitioned by length → {@link ExecutorTranslation} (the
 *       planner the Transformer and SQL use too) → joined back to every row;</li>
 *   <li><b>write</b>: Parquet partitioned by {@code tgt_lang} through Spark's commit protocol, in one
 *       commit or one per {@code commitEvery} rows so a killed job keeps what it finished;</li>
 *   <li><b>report</b>: with {@code --retry-errors}, earlier error rows that were translated again are removed
 *       ({@link RetriedErrors}); counts read back from the committed rows, {@code _summary.json}.</li>
 * </ul>
 */
public final class TranslateJob {

    public static final String SUMMARY_FILE = "_summary.json";
    /**
     * Distinct requests per translation partition when --partitions is not given: large enough that a
     * task fills several token-budget batches (per-task overhead and small batches cost throughput),
     * small enough that a failed task redoes little work.
     */
    static final int REQUESTS_PER_PARTITION = 256;
    static final int TASKS_PER_CORE = 4;
    private static final String CHUNK = "__chunk";
    private static final String RESULT = "__result";
    private static final String DONE_ID = "__done_id";
    private static final String DONE_OCCURRENCE = "__done_occurrence";
    /** Columns of the request rows sent to executors, in order. */
    static final List<String> REQUEST_COLUMNS = List.of(OutputSchema.REQUEST_HASH, OutputSchema.SOURCE,
            OutputSchema.SRC_LANG, OutputSchema.TGT_LANG, OutputSchema.FOLLOWUPS, OutputSchema.TERMS);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TranslateJob.class);

    private final SparkSession spark;
    private TranslateOptions options;
    private final PrintStream console;
    private boolean resumeOwnRun;
    private ExecutorMemory.Result memory;
    private PeakRssAccumulator peakRss;

    public TranslateJob(SparkSession spark, TranslateOptions options, PrintStream console) {
        this.spark = spark;
        this.options = options;
        this.console = console;
    }

    public static TranslateSummary run(SparkSession spark, TranslateOptions options) {
        return new TranslateJob(spark, options, System.out).run();
    }

    public TranslateSummary run() {
        try {
            planMemory(); // before the model is hashed or any weight read: what cannot fit ends here
        } catch (ModelUnreadableException unreadable) {
            prepareModel(spark, options); // the driver-side model check names the file and the reason precisely
            throw unreadable;
        }
        return run(prepareModel(spark, options)); // fails fast, before any task
    }

    /**
     * Uses a memory check already made before the Spark session started (the command line does it there, so it
     * can set executor settings); its token budget is the one the options carry.
     */
    public TranslateJob withMemory(ExecutorMemory.Result checked) {
        this.memory = checked;
        return this;
    }

    /**
     * The executor memory plan ({@link ExecutorMemory#check}): refuses what cannot fit (an
     * {@link org.bayling.model.InsufficientMemoryException}), shrinks the token budget when the KV cache would not
     * fit, logs the plan and its notes. Done once per job.
     */
    public ExecutorMemory.Result planMemory() {
        if (memory == null) {
            memory = ExecutorMemory.check(spark.sparkContext().getConf(), hadoopConf(), options.translation());
            log(memory, console);
        }
        if (memory.settings().maxBatchTokens() != options.translation().maxBatchTokens()) {
            options = options.toBuilder().translation(memory.settings()).build();
        }
        return memory;
    }

    /** Prints the plan table and the notes (budget shrunk, Spark settings) to the console and the log. */
    public static void log(ExecutorMemory.Result m, PrintStream console) {
        console.println(m.plan().toTable());
        LOG.info("executor memory plan:\n{}", m.plan().toTable());
        for (String note : m.notes()) {
            console.println("memory: " + note);
            LOG.warn("memory: {}", note);
        }
    }

    /**
     * Reads, checks and distributes the model on the driver ({@link ModelSource#prepare}); any problem
     * becomes a {@link ModelUnreadableException}. Runs that translate several inputs with one model
     * (incremental micro-batches) prepare it once and call {@link #run(ModelSource)} per input.
     */
    public static ModelSource prepareModel(SparkSession spark, TranslateOptions options) {
        try {
            return ModelSource.prepare(spark, options.translation());
        } catch (ModelUnreadableException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ModelUnreadableException(options.translation().model(), null, e.getMessage(), e);
        }
    }

    /**
     * Makes {@code resume} idempotent for one run id: skip only ids this run id already wrote (same model
     * and generation). An incremental micro-batch has a deterministic run id, so re-running it after a
     * crash between its write and its checkpoint commit completes it without duplicating rows, and
     * without confusing it with equal ids written by other batches.
     */
    public TranslateJob resumingOwnRun() {
        this.resumeOwnRun = true;
        return this;
    }

    /** The job over an already prepared model ({@link #prepareModel}). */
    public TranslateSummary run(ModelSource model) {
        JobPaths.check(hadoopConf(), options); // never write over what this job did not create
        long t0 = System.nanoTime();
        Timestamp startedAt = new Timestamp(System.currentTimeMillis());

        // kept as an RDD of rows, not in Spark SQL's cache: see PersistedRows (the cache can stop executor heartbeats)
        PersistedRows kept = PersistedRows.of(plan(InputReader.read(spark, options)));
        Dataset<Row> planned = kept.rows();
        try {
            Row plannedCounts = rowsAndRequests(planned);
            long inputRows = plannedCounts.getLong(0);
            Dataset<Row> pending = skipDone(planned, model.manifest());
            Row pendingCounts = pending == planned ? plannedCounts : rowsAndRequests(pending);
            long pendingRows = pendingCounts.getLong(0);
            long pendingRequests = pendingCounts.getLong(1);
            if (options.mode() == TranslateOptions.WriteMode.APPEND && !resumeOwnRun && pendingRows < inputRows) {
                console.println("append: " + (inputRows - pendingRows) + " of " + inputRows + " input rows are already "
                        + "in the output (same id and occurrence) and were skipped");
            }
            execute(pending, pendingRows, pendingRequests, model, startedAt);
            long replaced = options.retryErrors()
                    ? RetriedErrors.replace(spark, options.output(), model.manifest().hash(), generationHash()) : 0;
            return report(inputRows, inputRows - pendingRows, replaced, model.manifest(), (System.nanoTime() - t0) / 1e9);
        } finally {
            kept.close();
        }
    }

    private String generationHash() {
        return OutputSchema.generationHash(options.translation().generation());
    }

    // ---- plan ----

    private Dataset<Row> plan(Dataset<Row> inputs) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Map<String, List<String[]>>> glossary =
                options.glossary() == null ? null : jsc.broadcast(readGlossary());
        return inputs.map(new RequestRows(glossary, options.dedup()), Encoders.row(RequestRows.SCHEMA));
    }

    private Map<String, List<String[]>> readGlossary() {
        String g = options.glossary();
        Dataset<Row> df = TranslateOptions.InputFormat.fromPath(g) == TranslateOptions.InputFormat.PARQUET
                ? spark.read().parquet(g)
                : spark.read().option("header", "true")
                        .option("sep", g.toLowerCase(Locale.ROOT).endsWith(".tsv") ? "\t" : ",").csv(g);
        for (String c : List.of("src_lang", "tgt_lang", "source_term", "target_term")) {
            if (!List.of(df.columns()).contains(c)) {
                throw new IllegalArgumentException("glossary " + g + " has no column " + c
                        + " (needs src_lang, tgt_lang, source_term, target_term)");
            }
        }
        Map<String, List<String[]>> map = new HashMap<>();
        for (Row r : df.select("src_lang", "tgt_lang", "source_term", "target_term").collectAsList()) {
            if (r.anyNull() || r.getString(2).isBlank() || r.getString(3).isBlank()) {
                continue;
            }
            map.computeIfAbsent(RequestRows.pairKey(r.getString(0).trim(), r.getString(1).trim()), k -> new ArrayList<>())
                    .add(new String[] {r.getString(2).trim().toLowerCase(Locale.ROOT), r.getString(3).trim()});
        }
        return map;
    }

    /**
     * Drops the input rows the output already holds, by row identity (id, occurrence). Resume: rows written
     * with the same model hash and generation config (and, with {@link #resumingOwnRun()}, the same run id;
     * with {@code --retry-errors}, error rows do not count). Append: rows with that identity from any run.
     */
    private Dataset<Row> skipDone(Dataset<Row> planned, ModelManifest manifest) {
        boolean resume = options.mode() == TranslateOptions.WriteMode.RESUME || resumeOwnRun;
        boolean append = options.mode() == TranslateOptions.WriteMode.APPEND;
        if (!(resume || append) || !outputExists()) {
            return planned;
        }
        Column same = lit(true);
        if (resume) {
            same = col(OutputSchema.MODEL + ".hash").equalTo(manifest.hash())
                    .and(col(OutputSchema.GENERATION_HASH).equalTo(generationHash()));
            if (resumeOwnRun) {
                same = same.and(col(OutputSchema.RUN_ID).equalTo(options.runId()));
            }
            if (options.retryErrors()) {
                same = same.and(col(OutputSchema.STATUS).notEqual(OutputSchema.STATUS_ERROR));
            }
        }
        Dataset<Row> out = spark.read().parquet(options.output());
        Dataset<Row> done = out.where(same)
                .select(col(OutputSchema.ID).as(DONE_ID), occurrence(out).as(DONE_OCCURRENCE)).distinct();
        return planned.join(done, planned.col(OutputSchema.ID).equalTo(done.col(DONE_ID))
                .and(planned.col(OutputSchema.OCCURRENCE).equalTo(done.col(DONE_OCCURRENCE))), "left_anti");
    }

    /** The occurrence column of an output (1 for rows written before the job had one). */
    static Column occurrence(Dataset<Row> output) {
        return List.of(output.columns()).contains(OutputSchema.OCCURRENCE)
                ? coalesce(col(OutputSchema.OCCURRENCE), lit(1)) : lit(1);
    }

    // ---- execute + write ----

    private void execute(Dataset<Row> pending, long pendingRows, long totalRequests, ModelSource model,
                         Timestamp startedAt) {
        int chunks = options.commitEvery() > 0 ? (int) Math.max(1, ceilDiv(pendingRows, options.commitEvery())) : 1;
        Dataset<Row> rows = pending.withColumn(CHUNK, chunks == 1 ? lit(0)
                : pmod(hash(coalesce(col(OutputSchema.REQUEST_HASH), col(OutputSchema.ID))), lit(chunks)));

        LongAccumulator done = spark.sparkContext().longAccumulator("bayling.requests");
        LongAccumulator tokens = spark.sparkContext().longAccumulator("bayling.outputTokens");
        peakRss = new PeakRssAccumulator();
        spark.sparkContext().register(peakRss, "bayling.peakRss");
        ExecutorTranslation translator = ExecutorTranslation.prepare(options.translation(), model, done, tokens)
                .reportingPeakRss(peakRss);
        // request columns: request_hash, source, src_lang, tgt_lang, followups, terms
        var fn = translator.appendResults(new ExecutorTranslation.Columns(1, 2, null, 3, null, 4, 5), true);
        int parallelism = spark.sparkContext().defaultParallelism();
        // progress while tasks run: accumulator values from executor heartbeats, not only from finished tasks
        LiveProgress live = new LiveProgress(done, tokens);
        spark.sparkContext().addSparkListener(live);
        try (ProgressReporter ignored = new ProgressReporter(totalRequests, () -> Math.min(totalRequests, live.value(0)),
                () -> live.value(1), options.progressIntervalMs(), console).start()) {
            for (int c = 0; c < chunks; c++) {
                Dataset<Row> part = rows.where(col(CHUNK).equalTo(c)).drop(CHUNK);
                long chunkRequests = chunks == 1 ? totalRequests : ceilDiv(totalRequests, chunks);
                int partitions = options.partitions() > 0 ? options.partitions() : partitions(chunkRequests, parallelism);
                Dataset<Row> requests = part.where(TRANSLATABLE)
                        .select(REQUEST_COLUMNS.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new))
                        .dropDuplicates(OutputSchema.REQUEST_HASH)
                        // range-partition by source length: each task gets requests of similar length, so its
                        // batches carry little padding; longest first, because tasks start in partition order and
                        // the long tasks (documents) must not be the last ones left running on one core
                        .repartitionByRange(partitions,
                                org.apache.spark.sql.functions.length(col(OutputSchema.SOURCE)).desc(),
                                col(OutputSchema.REQUEST_HASH));
                Dataset<Row> results = requests.mapPartitions(fn,
                        Encoders.row(ExecutorTranslation.resultSchema(requests.schema(), RESULT, true)));
                Dataset<Row> out = assemble(part, results, model.manifest(), startedAt);
                SaveMode mode = c == 0 && options.mode() == TranslateOptions.WriteMode.OVERWRITE
                        ? SaveMode.Overwrite : SaveMode.Append;
                out.write().mode(mode).partitionBy(OutputSchema.PARTITION_BY).parquet(options.output());
            }
        } finally {
            spark.sparkContext().removeSparkListener(live);
        }
    }

    private static Column sameLanguage() {
        return lower(col(OutputSchema.SRC_LANG)).equalTo(lower(col(OutputSchema.TGT_LANG)));
    }

    /** Planned rows that go to the model: no input error, source and target languages differ. */
    private static final Column TRANSLATABLE = col(OutputSchema.INPUT_ERROR).isNull().and(sameLanguage().unary_$bang());

    /**
     * The rows of {@code planned} and its distinct requests to translate, in one pass (each Spark job costs
     * ~0.1-0.3 s of scheduling).
     */
    private static Row rowsAndRequests(Dataset<Row> planned) {
        return planned.agg(count(lit(1)), countDistinct(when(TRANSLATABLE, col(OutputSchema.REQUEST_HASH)))).first();
    }

    /** Every planned row with its request's result, in output columns. */
    private Dataset<Row> assemble(Dataset<Row> rows, Dataset<Row> results, ModelManifest manifest, Timestamp startedAt) {
        List<Column> flat = new ArrayList<>();
        flat.add(col(OutputSchema.REQUEST_HASH).as("r_" + OutputSchema.REQUEST_HASH));
        for (String n : OutputSchema.RESULT.fieldNames()) {
            flat.add(col(RESULT + "." + n).as("r_" + n));
        }
        flat.add(col(OutputSchema.TRANSLATED_AT).as("r_" + OutputSchema.TRANSLATED_AT));
        flat.add(col(OutputSchema.EXECUTOR).as("r_" + OutputSchema.EXECUTOR));
        Dataset<Row> r = results.select(flat.toArray(Column[]::new));
        Dataset<Row> j = rows.join(r, rows.col(OutputSchema.REQUEST_HASH).equalTo(r.col("r_" + OutputSchema.REQUEST_HASH)),
                "left");
        Column inputError = col(OutputSchema.INPUT_ERROR);
        Column skipped = inputError.isNull().and(sameLanguage());
        Column ok = inputError.isNull().and(skipped.unary_$bang())
                .and(coalesce(col("r_" + OutputSchema.STATUS).equalTo(OutputSchema.STATUS_OK), lit(false)));
        Column status = when(inputError.isNotNull(), OutputSchema.STATUS_ERROR)
                .when(skipped, OutputSchema.STATUS_SKIPPED)
                .when(ok, OutputSchema.STATUS_OK)
                .otherwise(OutputSchema.STATUS_ERROR);
        Column error = when(inputError.isNotNull(), inputError)
                .when(skipped.or(ok), lit(null).cast("string"))
                .otherwise(coalesce(col("r_" + OutputSchema.ERROR), lit("no result for this request")));
        GenerationConfig g = options.translation().generation();
        Row gen = OutputSchema.generationRow(g);
        List<Column> genFields = new ArrayList<>();
        for (int i = 0; i < OutputSchema.GENERATION_STRUCT.fields().length; i++) {
            genFields.add(lit(gen.get(i)).as(OutputSchema.GENERATION_STRUCT.fields()[i].name()));
        }
        Map<String, Column> c = new HashMap<>();
        c.put(OutputSchema.ID, col(OutputSchema.ID));
        c.put(OutputSchema.OCCURRENCE, col(OutputSchema.OCCURRENCE));
        c.put(OutputSchema.SRC_LANG, col(OutputSchema.SRC_LANG));
        c.put(OutputSchema.TGT_LANG, col(OutputSchema.TGT_LANG));
        c.put(OutputSchema.SOURCE, col(OutputSchema.SOURCE));
        c.put(OutputSchema.REFERENCE, col(OutputSchema.REFERENCE));
        c.put(OutputSchema.TRANSLATION, when(skipped, col(OutputSchema.SOURCE))
                .when(ok, col("r_" + OutputSchema.TRANSLATION)));
        c.put(OutputSchema.TURNS, when(ok, col("r_" + OutputSchema.TURNS)));
        c.put(OutputSchema.STATUS, status);
        c.put(OutputSchema.ERROR, error);
        c.put(OutputSchema.QUALITY, when(ok, QualityFields.withReferenceScores(col("r_" + OutputSchema.QUALITY),
                col("r_" + OutputSchema.TRANSLATION), col(OutputSchema.REFERENCE), col(OutputSchema.TGT_LANG))));
        c.put(OutputSchema.N_INPUT_TOKENS, coalesce(col("r_" + OutputSchema.N_INPUT_TOKENS), lit(0)));
        c.put(OutputSchema.N_OUTPUT_TOKENS, coalesce(col("r_" + OutputSchema.N_OUTPUT_TOKENS), lit(0)));
        c.put(OutputSchema.REUSED_PREFIX_TOKENS, coalesce(col("r_" + OutputSchema.REUSED_PREFIX_TOKENS), lit(0)));
        c.put(OutputSchema.FINISH_REASON, col("r_" + OutputSchema.FINISH_REASON));
        c.put(OutputSchema.SEGMENTS, when(ok, col("r_" + OutputSchema.SEGMENTS)));
        c.put(OutputSchema.ALIGNMENT, when(ok, col("r_" + OutputSchema.ALIGNMENT)));
        c.put(OutputSchema.MODEL, struct(lit(manifest.name()).as("name"), lit(manifest.hash()).as("hash")));
        c.put(OutputSchema.GENERATION, struct(genFields.toArray(Column[]::new)));
        c.put(OutputSchema.GENERATION_HASH, lit(OutputSchema.generationHash(g)));
        c.put(OutputSchema.REQUEST_HASH, col(OutputSchema.REQUEST_HASH));
        c.put(OutputSchema.RUN_ID, lit(options.runId()));
        c.put(OutputSchema.RUN_STARTED_AT, lit(startedAt));
        c.put(OutputSchema.TRANSLATED_AT, coalesce(col("r_" + OutputSchema.TRANSLATED_AT), current_timestamp()));
        c.put(OutputSchema.EXECUTOR, col("r_" + OutputSchema.EXECUTOR));
        Metadata meta = new MetadataBuilder()
                .putString("bayling.model.name", manifest.name())
                .putString("bayling.model.hash", manifest.hash())
                .putString("bayling.model.uri", manifest.uri())
                .putString("bayling.generation", OutputSchema.generationJson(g))
                .putString("bayling.run_id", options.runId())
                .build();
        List<Column> cols = new ArrayList<>();
        for (String name : OutputSchema.OUTPUT_COLUMNS) {
            Column col = c.get(name);
            cols.add(name.equals(OutputSchema.MODEL) ? col.as(name, meta) : col.as(name));
        }
        return j.select(cols.toArray(Column[]::new));
    }

    // ---- report ----

    private TranslateSummary report(long inputRows, long alreadyDone, long replacedErrorRows, ModelManifest manifest,
                                    double wallSeconds) {
        Dataset<Row> output = spark.read().parquet(options.output());
        // the whole output and this run's rows in one pass, the per-request token sums in a second
        Column mine = col(OutputSchema.RUN_ID).equalTo(options.runId());
        Row counts = output.agg(count(lit(1)), countIf(mine),
                countIf(mine.and(col(OutputSchema.STATUS).equalTo(OutputSchema.STATUS_OK))),
                countIf(mine.and(col(OutputSchema.STATUS).equalTo(OutputSchema.STATUS_ERROR))),
                countIf(mine.and(col(OutputSchema.STATUS).equalTo(OutputSchema.STATUS_SKIPPED))),
                countIf(mine.and(col(OutputSchema.EXECUTOR).isNotNull()))).first();
        long outputRows = counts.getLong(0);
        long translatedRows = longOrZero(counts, 5);
        Row perRequest = output.where(mine.and(col(OutputSchema.EXECUTOR).isNotNull()))
                .groupBy(OutputSchema.REQUEST_HASH).agg(
                        first(OutputSchema.N_INPUT_TOKENS).as("i"), first(OutputSchema.N_OUTPUT_TOKENS).as("o"),
                        first(OutputSchema.REUSED_PREFIX_TOKENS).as("p"))
                .agg(count(lit(1)), sum("i"), sum("o"), sum("p")).first();
        long requests = perRequest.getLong(0);
        TranslateSummary s = new TranslateSummary(options.runId(), options.output(), manifest.name(), manifest.hash(),
                OutputSchema.generationJson(options.translation().generation()), inputRows, alreadyDone,
                longOrZero(counts, 1), longOrZero(counts, 2), longOrZero(counts, 3), longOrZero(counts, 4), requests,
                translatedRows - requests, longOrZero(perRequest, 1), longOrZero(perRequest, 2), longOrZero(perRequest, 3),
                replacedErrorRows, outputRows, wallSeconds).withMemory(memoryJson());
        writeSummary(s);
        console.println(s.toText());
        writeReport();
        return s;
    }

    /** The plan and each executor's measured peak resident size (MB), for {@code _summary.json}. */
    private String memoryJson() {
        if (memory == null) {
            return null;
        }
        Map<String, Object> m = new java.util.LinkedHashMap<>(memory.toMap());
        Map<String, Object> measured = new java.util.LinkedHashMap<>();
        if (peakRss != null) {
            peakRss.value().forEach((executor, bytes) -> measured.put(executor, Math.round(bytes / 1048576.0 * 10) / 10.0));
        }
        m.put("measured_peak_rss_mb", measured);
        return new com.google.gson.GsonBuilder().serializeNulls().create().toJson(m);
    }

    private static Column countIf(Column condition) {
        return sum(when(condition, 1).otherwise(0));
    }

    /**
     * Tasks for {@code requests}: at most {@link #REQUESTS_PER_PARTITION} requests each, and up to
     * {@link #TASKS_PER_CORE} tasks per core, so that cores which finish early take the remaining tasks
     * (a few long documents otherwise leave one core working alone).
     */
    static int partitions(long requests, int parallelism) {
        long balanced = Math.min(requests, (long) TASKS_PER_CORE * parallelism);
        long tasks = Math.max(parallelism, Math.max(balanced, ceilDiv(requests, REQUESTS_PER_PARTITION)));
        return (int) Math.min(10_000, Math.max(1, tasks));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long longOrZero(Row r, int i) {
        return r.isNullAt(i) ? 0 : ((Number) r.get(i)).longValue();
    }

    /** The quality report (Markdown, HTML, charts) beside the output; a failure here never fails the job. */
    private void writeReport() {
        try {
            org.bayling.quality.eval.JobReport.write(spark, options.output());
            console.println("quality report written to " + new Path(options.output(), "_report"));
        } catch (RuntimeException e) {
            console.println("warning: quality report not written: " + e.getMessage());
        }
    }

    private void writeSummary(TranslateSummary s) {
        writeSummary(hadoopConf(), s);
    }

    /** Writes {@code _summary.json} into the summary's output directory. */
    public static void writeSummary(Configuration conf, TranslateSummary s) {
        Path p = new Path(s.output(), SUMMARY_FILE);
        try {
            FileSystem fs = p.getFileSystem(conf);
            try (OutputStream out = fs.create(p, true)) {
                out.write(s.toJson().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + p + ": " + e, e);
        }
    }

    private boolean outputExists() {
        Path p = new Path(options.output());
        try {
            FileSystem fs = p.getFileSystem(hadoopConf());
            return fs.exists(p) && fs.listStatus(p, q -> !q.getName().startsWith("_") && !q.getName().startsWith("."))
                    .length > 0;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read output " + p + ": " + e, e);
        }
    }

    private Configuration hadoopConf() {
        return spark.sparkContext().hadoopConfiguration();
    }
}
