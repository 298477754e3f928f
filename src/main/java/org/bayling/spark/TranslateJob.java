package org.bayling.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
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
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF0;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructType;
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
 *   <li><b>execute</b>: rows range-partitioned by source length and request → {@link ExecutorTranslation} (the
 *       planner the Transformer and SQL use too) translates each distinct request of a task once and serves
 *       it to every row of the request;</li>
 *   <li><b>write</b>: by the same tasks, Parquet partitioned by {@code tgt_lang} through Spark's commit protocol,
 *       in one commit or one per {@code commitEvery} rows so a killed job keeps what it finished; the summary's
 *       counts are observed on the rows as they are written;</li>
 *   <li><b>report</b>: with {@code --retry-errors}, earlier error rows that were translated again are removed
 *       ({@link RetriedErrors}); the quality report, {@code _summary.json}.</li>
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
    /**
     * Source characters per token of the batch budget that make about one full batch: a prompt is the source plus
     * the template (~60 tokens), and a token is 1-4 characters of source depending on the script, so a batch of
     * {@code maxBatchTokens} prompt tokens holds roughly twice as many source characters in Latin scripts.
     */
    static final int SOURCE_CHARS_PER_BATCH_TOKEN = 2;
    private static final String CHUNK = "__chunk";
    private static final String RESULT = "__result";
    /** The request a row is translated by (null for rows that go to no model), and the row it was translated for. */
    private static final String REQUEST = "__request";
    private static final String TRANSLATED_HERE = "__translated_here";
    private static final String DONE_ID = "__done_id";
    private static final String DONE_OCCURRENCE = "__done_occurrence";

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
     * Reads, checks and distributes the model on the driver ({@link ModelSource#prepare}) once per Spark
     * application and model state ({@link DriverModels}, as the Transformer and SQL do): a later run in the same
     * application over the unchanged model reuses it, a changed model is checked again. Any problem becomes a
     * {@link ModelUnreadableException}. Runs that translate several inputs with one model (incremental
     * micro-batches) prepare it once and call {@link #run(ModelSource)} per input.
     */
    public static ModelSource prepareModel(SparkSession spark, TranslateOptions options) {
        try {
            return DriverModels.prepare(spark, options.translation());
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
            long[] plannedCounts = rowsAndRequests(planned);
            long inputRows = plannedCounts[0];
            Dataset<Row> pending = skipDone(planned, model.manifest());
            long[] pendingCounts = pending == planned ? plannedCounts : rowsAndRequests(pending);
            long pendingRows = pendingCounts[0];
            long pendingRequests = pendingCounts[1];
            long pendingChars = pendingCounts[2];
            if (options.mode() == TranslateOptions.WriteMode.APPEND && !resumeOwnRun && pendingRows < inputRows) {
                console.println("append: " + (inputRows - pendingRows) + " of " + inputRows + " input rows are already "
                        + "in the output (same id and occurrence) and were skipped");
            }
            Written written = execute(pending, pendingRows, pendingRequests, pendingChars, model, startedAt);
            long replaced = options.retryErrors()
                    ? RetriedErrors.replace(spark, options.output(), model.manifest().hash(), generationHash()) : 0;
            return report(inputRows, inputRows - pendingRows, written, replaced, model.manifest(),
                    (System.nanoTime() - t0) / 1e9);
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
        return inputs.map(new RequestRows(glossary, options.dedup()), Encoders.row(RequestRows.SCHEMA))
                // the request a row is translated by; null for rows that go to no model (input errors, skipped)
                .withColumn(REQUEST, when(TRANSLATABLE, col(OutputSchema.REQUEST_HASH)));
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

    /**
     * Translates and writes the pending rows: range-partitioned by source length, then by request, so that a
     * task gets requests of similar length (its batches carry little padding) and every row of a request: the
     * request is translated once and its result served to each of its rows (dedup without a shuffle of its own or
     * a join back), and the task writes its rows. Returns the figures of the written rows, observed while writing.
     */
    private Written execute(Dataset<Row> pending, long pendingRows, long totalRequests, long totalChars,
                            ModelSource model, Timestamp startedAt) {
        int chunks = options.commitEvery() > 0 ? (int) Math.max(1, ceilDiv(pendingRows, options.commitEvery())) : 1;
        Dataset<Row> rows = pending.withColumn(CHUNK, chunks == 1 ? lit(0)
                : pmod(hash(coalesce(col(OutputSchema.REQUEST_HASH), col(OutputSchema.ID))), lit(chunks)));

        LongAccumulator done = spark.sparkContext().longAccumulator("bayling.requests");
        LongAccumulator tokens = spark.sparkContext().longAccumulator("bayling.outputTokens");
        peakRss = new PeakRssAccumulator();
        spark.sparkContext().register(peakRss, "bayling.peakRss");
        ExecutorTranslation translator = ExecutorTranslation.prepare(options.translation(), model, done, tokens)
                .reportingPeakRss(peakRss);
        int parallelism = spark.sparkContext().defaultParallelism();
        // longest first, because tasks start in partition order and the long tasks (documents) must not be the last
        // ones left running on one core; the request next, so that a request's rows are next to each other in a task
        Column[] order = {org.apache.spark.sql.functions.length(col(OutputSchema.SOURCE)).desc(), col(REQUEST)};
        // progress while tasks run: accumulator values from executor heartbeats, not only from finished tasks
        LiveProgress live = new LiveProgress(done, tokens);
        spark.sparkContext().addSparkListener(live);
        Written written = Written.NONE;
        try (ProgressReporter ignored = new ProgressReporter(totalRequests, () -> Math.min(totalRequests, live.value(0)),
                () -> live.value(1), options.progressIntervalMs(), console).start()) {
            for (int c = 0; c < chunks; c++) {
                long chunkRequests = chunks == 1 ? totalRequests : ceilDiv(totalRequests, chunks);
                long chunkChars = chunks == 1 ? totalChars : ceilDiv(totalChars, chunks);
                int partitions = options.partitions() > 0 ? options.partitions()
                        : partitions(chunkRequests, chunkChars, options.translation().maxBatchTokens(), parallelism);
                Dataset<Row> part = rows.where(col(CHUNK).equalTo(c)).drop(CHUNK)
                        .repartitionByRange(partitions, order).sortWithinPartitions(order);
                StructType in = part.schema();
                var fn = translator.appendResultsOncePerKey(new ExecutorTranslation.Columns(
                        in.fieldIndex(OutputSchema.SOURCE), in.fieldIndex(OutputSchema.SRC_LANG), null,
                        in.fieldIndex(OutputSchema.TGT_LANG), null, in.fieldIndex(OutputSchema.FOLLOWUPS),
                        in.fieldIndex(OutputSchema.TERMS)), in.fieldIndex(REQUEST));
                Dataset<Row> results = part.mapPartitions(fn,
                        Encoders.row(ExecutorTranslation.keyedResultSchema(in, RESULT, TRANSLATED_HERE)));
                Observation observed = new Observation("bayling-written-" + c);
                Dataset<Row> out = Written.observe(assemble(results, model.manifest(), startedAt), observed);
                SaveMode mode = c == 0 && options.mode() == TranslateOptions.WriteMode.OVERWRITE
                        ? SaveMode.Overwrite : SaveMode.Append;
                out.write().mode(mode).partitionBy(OutputSchema.PARTITION_BY).parquet(options.output());
                written = written.plus(Written.of(observed));
            }
        } finally {
            spark.sparkContext().removeSparkListener(live);
        }
        return written;
    }

    /**
     * What a run wrote, observed on the rows while the write job ran ({@link Dataset#observe}): Spark merges the
     * figures of each written partition once, from the task attempt that committed it, so retried tasks do not
     * inflate them and no extra pass over the output is needed. Requests and tokens count the rows a request was
     * translated for (the other rows of a request were served by dedup).
     */
    private record Written(long rows, long ok, long errors, long skipped, long translated, long requests,
                           long inputTokens, long outputTokens, long reusedPrefixTokens) {

        static final Written NONE = new Written(0, 0, 0, 0, 0, 0, 0, 0, 0);
        private static final List<String> NAMES = List.of("rows", "ok", "errors", "skipped", "translated", "requests",
                "input_tokens", "output_tokens", "reused_prefix_tokens");

        /** The assembled rows with the figures observed, without the column that marks where a request was translated. */
        static Dataset<Row> observe(Dataset<Row> assembled, Observation observation) {
            Column status = col(OutputSchema.STATUS);
            Column here = col(TRANSLATED_HERE);
            List<Column> figures = List.of(count(lit(1)), countIf(status.equalTo(OutputSchema.STATUS_OK)),
                    countIf(status.equalTo(OutputSchema.STATUS_ERROR)), countIf(status.equalTo(OutputSchema.STATUS_SKIPPED)),
                    countIf(col(OutputSchema.EXECUTOR).isNotNull()), countIf(here),
                    sum(when(here, col(OutputSchema.N_INPUT_TOKENS))), sum(when(here, col(OutputSchema.N_OUTPUT_TOKENS))),
                    sum(when(here, col(OutputSchema.REUSED_PREFIX_TOKENS))));
            Column[] named = new Column[figures.size()];
            for (int i = 0; i < named.length; i++) {
                named[i] = figures.get(i).as(NAMES.get(i));
            }
            return assembled.observe(observation, named[0], java.util.Arrays.copyOfRange(named, 1, named.length))
                    .drop(TRANSLATED_HERE);
        }

        /** The figures of a finished write (waits for Spark to deliver them, which it does as the write ends). */
        static Written of(Observation observation) {
            Map<String, Object> m;
            try {
                m = observation.getAsJava();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the written row counts", e);
            }
            if (!m.keySet().containsAll(NAMES)) {
                throw new IllegalStateException("the write reported no row counts (observed: " + m + ")");
            }
            long[] v = new long[NAMES.size()];
            for (int i = 0; i < v.length; i++) {
                Object x = m.get(NAMES.get(i));
                v[i] = x == null ? 0 : ((Number) x).longValue();
            }
            return new Written(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
        }

        Written plus(Written o) {
            return new Written(rows + o.rows, ok + o.ok, errors + o.errors, skipped + o.skipped,
                    translated + o.translated, requests + o.requests, inputTokens + o.inputTokens,
                    outputTokens + o.outputTokens, reusedPrefixTokens + o.reusedPrefixTokens);
        }
    }

    private static Column sameLanguage() {
        return lower(col(OutputSchema.SRC_LANG)).equalTo(lower(col(OutputSchema.TGT_LANG)));
    }

    /** Planned rows that go to the model: no input error, source and target languages differ. */
    private static final Column TRANSLATABLE = col(OutputSchema.INPUT_ERROR).isNull().and(sameLanguage().unary_$bang());

    /**
     * The rows of {@code planned}, its distinct requests to translate and their source characters: the rows counted
     * per request (rows that go to no model under one empty key), in one Spark job of two stages (the SQL aggregate
     * with a distinct count ran three adaptive jobs, ~0.1 s more per run).
     */
    private static long[] rowsAndRequests(Dataset<Row> planned) {
        int request = planned.schema().fieldIndex(REQUEST);
        int source = planned.schema().fieldIndex(OutputSchema.SOURCE);
        return planned.javaRDD()
                .mapToPair(r -> new scala.Tuple2<>(r.isNullAt(request) ? "" : r.getString(request),
                        new long[] {1, r.isNullAt(source) ? 0 : r.getString(source).length()}))
                .reduceByKey((a, b) -> new long[] {a[0] + b[0], a[1]})
                .aggregate(new long[3], (counts, perRequest) -> {
                    boolean translated = !perRequest._1().isEmpty();
                    counts[0] += perRequest._2()[0];
                    counts[1] += translated ? 1 : 0;
                    counts[2] += translated ? perRequest._2()[1] : 0;
                    return counts;
                }, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
    }

    /**
     * Every row with its request's result ({@link ExecutorTranslation#appendResultsOncePerKey}), in output columns,
     * and the column that marks the row its request was translated for.
     */
    private Dataset<Row> assemble(Dataset<Row> translated, ModelManifest manifest, Timestamp startedAt) {
        Column inputError = col(OutputSchema.INPUT_ERROR);
        Column skipped = inputError.isNull().and(sameLanguage());
        Column ok = inputError.isNull().and(skipped.unary_$bang())
                .and(coalesce(result(OutputSchema.STATUS).equalTo(OutputSchema.STATUS_OK), lit(false)));
        Column status = when(inputError.isNotNull(), OutputSchema.STATUS_ERROR)
                .when(skipped, OutputSchema.STATUS_SKIPPED)
                .when(ok, OutputSchema.STATUS_OK)
                .otherwise(OutputSchema.STATUS_ERROR);
        Column error = when(inputError.isNotNull(), inputError)
                .when(skipped.or(ok), lit(null).cast("string"))
                .otherwise(coalesce(result(OutputSchema.ERROR), lit("no result for this request")));
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
                .when(ok, result(OutputSchema.TRANSLATION)));
        c.put(OutputSchema.TURNS, when(ok, result(OutputSchema.TURNS)));
        c.put(OutputSchema.STATUS, status);
        c.put(OutputSchema.ERROR, error);
        c.put(OutputSchema.QUALITY, when(ok, QualityFields.withReferenceScores(result(OutputSchema.QUALITY),
                result(OutputSchema.TRANSLATION), col(OutputSchema.REFERENCE), col(OutputSchema.TGT_LANG))));
        c.put(OutputSchema.N_INPUT_TOKENS, coalesce(result(OutputSchema.N_INPUT_TOKENS), lit(0)));
        c.put(OutputSchema.N_OUTPUT_TOKENS, coalesce(result(OutputSchema.N_OUTPUT_TOKENS), lit(0)));
        c.put(OutputSchema.REUSED_PREFIX_TOKENS, coalesce(result(OutputSchema.REUSED_PREFIX_TOKENS), lit(0)));
        c.put(OutputSchema.FINISH_REASON, result(OutputSchema.FINISH_REASON));
        c.put(OutputSchema.SEGMENTS, when(ok, result(OutputSchema.SEGMENTS)));
        c.put(OutputSchema.ALIGNMENT, when(ok, result(OutputSchema.ALIGNMENT)));
        c.put(OutputSchema.MODEL, struct(lit(manifest.name()).as("name"), lit(manifest.hash()).as("hash")));
        c.put(OutputSchema.GENERATION, struct(genFields.toArray(Column[]::new)));
        c.put(OutputSchema.GENERATION_HASH, lit(OutputSchema.generationHash(g)));
        c.put(OutputSchema.REQUEST_HASH, col(OutputSchema.REQUEST_HASH));
        c.put(OutputSchema.RUN_ID, lit(options.runId()));
        c.put(OutputSchema.RUN_STARTED_AT, sameForEveryRow(startedAt));
        c.put(OutputSchema.TRANSLATED_AT, col(OutputSchema.TRANSLATED_AT));
        c.put(OutputSchema.EXECUTOR, col(OutputSchema.EXECUTOR));
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
        cols.add(col(TRANSLATED_HERE));
        return translated.select(cols.toArray(Column[]::new));
    }

    /**
     * A timestamp for every row, read by the generated code from a reference: a timestamp literal is compiled into
     * the code of the stage that writes the rows, and a new one each run would compile that stage again.
     */
    private static Column sameForEveryRow(Timestamp t) {
        return org.apache.spark.sql.functions.udf((UDF0<Timestamp>) () -> t, DataTypes.TimestampType).apply();
    }

    /** A field of the result struct. */
    private static Column result(String field) {
        return col(RESULT + "." + field);
    }

    // ---- report ----

    private TranslateSummary report(long inputRows, long alreadyDone, Written w, long replacedErrorRows,
                                    ModelManifest manifest, double wallSeconds) {
        // the report reads every committed row: the output's row count (all runs) comes from it
        org.bayling.quality.eval.JobReport.Written report = writeReport();
        long outputRows = report != null ? report.rows() : spark.read().parquet(options.output()).count();
        TranslateSummary s = new TranslateSummary(options.runId(), options.output(), manifest.name(), manifest.hash(),
                OutputSchema.generationJson(options.translation().generation()), inputRows, alreadyDone,
                w.rows(), w.ok(), w.errors(), w.skipped(), w.requests(), w.translated() - w.requests(), w.inputTokens(),
                w.outputTokens(), w.reusedPrefixTokens(), replacedErrorRows, outputRows, wallSeconds)
                .withMemory(memoryJson());
        writeSummary(s);
        console.println(s.toText());
        if (report != null) {
            console.println("quality report written to " + report.dir());
        }
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
     * Tasks for {@code requests} of {@code chars} source characters: at most {@link #REQUESTS_PER_PARTITION}
     * requests each, and up to {@link #TASKS_PER_CORE} tasks per core, so that cores which finish early take the
     * remaining tasks (a few long documents otherwise leave one core working alone); but no more tasks than give
     * each one {@link #SOURCE_CHARS_PER_BATCH_TOKEN} characters per token of the batch budget, about one full batch:
     * a task's batches are made of its own requests, and splitting 200 sentences into 8 tasks of 25 made 25-row
     * batches that streamed the weights four times as often per token as the bare predictor's (134M model, +17%).
     */
    static int partitions(long requests, long chars, int maxBatchTokens, int parallelism) {
        long fullBatches = ceilDiv(chars, (long) SOURCE_CHARS_PER_BATCH_TOKEN * maxBatchTokens);
        long balanced = Math.min(Math.min(requests, fullBatches), (long) TASKS_PER_CORE * parallelism);
        long tasks = Math.max(parallelism, Math.max(balanced, ceilDiv(requests, REQUESTS_PER_PARTITION)));
        return (int) Math.min(10_000, Math.max(1, tasks));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long longOrZero(Row r, int i) {
        return r.isNullAt(i) ? 0 : ((Number) r.get(i)).longValue();
    }

    /**
     * The quality report (Markdown, HTML, charts) beside the output, or null when it could not be written: a
     * failure here never fails the job.
     */
    private org.bayling.quality.eval.JobReport.Written writeReport() {
        try {
            return org.bayling.quality.eval.JobReport.write(spark, options.output());
        } catch (RuntimeException e) {
            console.println("warning: quality report not written: " + e.getMessage());
            return null;
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
