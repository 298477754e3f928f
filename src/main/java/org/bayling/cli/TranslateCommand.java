package org.bayling.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.bayling.generate.GenerationConfig;
import org.bayling.spark.ExecutorMemory;
import org.bayling.spark.HadoopModelFiles;
import org.bayling.spark.JobPaths;
import org.bayling.spark.TranslateJob;
import org.bayling.spark.TranslateOptions;
import org.bayling.spark.TranslationSettings;
import org.bayling.translate.TranslationUnit;
import org.bayling.spark.TranslateSummary;
import org.bayling.spark.stream.IncrementalTranslate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code translate}: batch-translates a corpus with Spark. Runs embedded ({@code local[*]}) by default;
 * under {@code spark-submit} it uses the session spark-submit configured. Only parses arguments: the
 * work is {@link TranslateJob}.
 */
@Command(name = "translate", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = CommandLine.PropertiesDefaultProvider.class,
        description = {"Translate a corpus with BayLing on Spark: Parquet output partitioned by tgt_lang,",
                "one row per input row, and _summary.json beside it.",
                "--incremental --checkpoint URI: only the files that arrived under --input since the last run.",
                "Defaults can come from a properties file: -Dpicocli.defaults.translate.path=conf/translate.properties"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
                "0:done (incremental: also when nothing was new)",
                "1:failed unexpectedly (Spark job, storage); safe to re-run",
                "2:bad configuration (arguments, options, input)",
                "3:model unreadable (missing, no config.json, unreadable files)",
                "4:checkpoint locked by another run (--incremental)",
                "5:partial failure: output committed, error rows above --max-error-fraction"})
public class TranslateCommand implements Callable<Integer> {

    // Without arguments the job runs on its embedded default: the sample corpus and the tiny model the project ships.
    @Option(names = "--input", defaultValue = "samples/enzh-sample.jsonl",
            description = "Input file, directory or glob (any Hadoop URI; default: the shipped sample corpus).")
    String input;

    @Option(names = "--output", defaultValue = "out/sample-run", description = "Output directory (any Hadoop URI; default: ${DEFAULT-VALUE}).")
    String output;

    @Option(names = "--src-lang", description = "Source language code, unless a src_lang column says otherwise.")
    String srcLang;

    @Option(names = "--tgt-lang", description = "Target language code, unless a tgt_lang column says otherwise.")
    String tgtLang;

    @Option(names = "--format", description = "parquet|jsonl|csv|tsv|text (default: from the input's extension).")
    String format;

    @Option(names = "--model", defaultValue = "models/tiny-bayling",
            description = "Hugging Face model directory or URI (hdfs://, s3a://, file://; default: the shipped tiny random-weight model).")
    String model;

    @Option(names = "--mode", description = "overwrite|append|resume (default: overwrite; append with --incremental).")
    String mode;

    @Option(names = "--incremental", description = "Translate only files that arrived under --input since the last run on"
            + " --checkpoint (Structured Streaming file source, Trigger.AvailableNow); appends to --output.")
    boolean incremental;

    @Option(names = "--checkpoint", description = "Checkpoint URI of --incremental runs (which files are done; the run lock).")
    String checkpoint;

    @Option(names = "--max-files-per-batch", defaultValue = "0",
            description = "--incremental: new files per micro-batch (0 = all in one; default: ${DEFAULT-VALUE}).")
    int maxFilesPerBatch;

    @Option(names = "--max-file-age", defaultValue = "3650d",
            description = "--incremental: files older than this (by modification time, relative to the newest seen) are"
                    + " ignored (default: ${DEFAULT-VALUE}; Spark's own default of 7d would skip old files moved in late).")
    String maxFileAge;

    @Option(names = "--lock-stale-after", defaultValue = "15m",
            description = "--incremental: a checkpoint lock without heartbeat for this long (s, m, h) is stale and taken"
                    + " over (0 = never; default: ${DEFAULT-VALUE}). A lock of a dead process on this host is stale at once.")
    String lockStaleAfter;

    @Option(names = "--max-error-fraction", defaultValue = "0.1",
            description = "Exit 5 when more than this fraction of the rows written has status error (default: ${DEFAULT-VALUE}).")
    double maxErrorFraction;

    @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    @Option(names = "--conf", description = "Spark configuration k=v (repeatable).")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--distribution", defaultValue = "auto",
            description = "broadcast|filesystem|auto (auto: broadcast up to --broadcast-limit).")
    String distribution;

    @Option(names = "--broadcast-limit", defaultValue = "2147483648", description = "Bytes (default 2 GiB).")
    long broadcastLimit;

    @Option(names = "--cache-dir", description = "Executor-local model cache directory (default: <tmp>/bayling-model-cache).")
    String cacheDir;

    @Option(names = "--glossary", description = "Glossary table (Parquet/CSV: src_lang, tgt_lang, source_term, target_term).")
    String glossary;

    @Option(names = "--id-column", defaultValue = "id") String idColumn;
    @Option(names = "--text-column", defaultValue = "text") String textColumn;
    @Option(names = "--src-lang-column", defaultValue = "src_lang") String srcLangColumn;
    @Option(names = "--tgt-lang-column", defaultValue = "tgt_lang") String tgtLangColumn;
    @Option(names = "--followups-column", defaultValue = "followups") String followupsColumn;
    @Option(names = "--terms-column", defaultValue = "terms") String termsColumn;
    @Option(names = "--reference-column", defaultValue = "reference") String referenceColumn;

    @Option(names = "--device", description = "auto|cpu|gpu|gpu:N (auto: the GPU Spark assigns to the task, else CPU).")
    String device;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads per task (0 = spark.task.cpus).")
    int threads;

    @Option(names = "--template", description = "bayling|bayling3 (default: detect from the model).")
    String template;

    @Option(names = "--instruction-language", defaultValue = "en", description = "en|zh.")
    String instructionLanguage;

    @Option(names = "--max-batch-tokens", defaultValue = "8192") int maxBatchTokens;
    @Option(names = "--max-prompt-tokens", defaultValue = "0",
            description = "Prompt budget (0 = the model's max_position_embeddings minus max_new_tokens); longer texts "
                    + "are cut into chunks, or are error rows with --unit none.")
    int maxPromptTokens;
    @Option(names = "--unit", defaultValue = "auto",
            description = "How texts are cut: auto (a text over the prompt budget or with line breaks is translated "
                    + "as a document), sentence, document or none (whole text; over the budget: an error row).")
    String unit;
    @Option(names = "--chunk-tokens", defaultValue = "" + TranslationSettings.DEFAULT_CHUNK_TOKENS,
            description = "Largest source text of one chunk of a document, in tokens (default: ${DEFAULT-VALUE}).")
    int chunkTokens;
    @Option(names = "--no-dedup", description = "Translate identical requests separately.") boolean noDedup;
    @Option(names = "--partitions", defaultValue = "0", description = "Translation partitions (0 = automatic).")
    int partitions;
    @Option(names = "--commit-every", defaultValue = "0",
            description = "Commit output every N rows so a killed job can --mode resume (0 = one commit).")
    long commitEvery;
    @Option(names = "--run-id") String runId;
    @Option(names = "--retry-errors",
            description = "With --mode resume: translate again the rows the output holds as errors and replace those error rows.")
    boolean retryErrors;

    @Option(names = "--progress-interval", defaultValue = "10", description = "Seconds between progress lines.")
    long progressSeconds;
    @Option(names = "--engine-factory", hidden = true) String engineFactory;
    @Option(names = "--verbose", description = "Print the stack trace of a failure (else only its one-line reason; the"
            + " trace goes to the log at debug level).")
    boolean verbose;

    /** Decoding flags, shared with {@code generate}; unset = BayLing's recipe (see {@link #recipe()}). */
    @CommandLine.Mixin
    GenerationOptions generationOptions = new GenerationOptions();

    @CommandLine.Mixin
    PrecisionOptions precision = new PrecisionOptions();

    final PrintStream out;
    final PrintStream err;

    public TranslateCommand() {
        this(System.out, System.err);
    }

    TranslateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TranslateCommand()).execute(args));
    }

    GenerationConfig generation() {
        return generationOptions.applyTo(recipe());
    }

    /**
     * BayLing's translation recipe (5 beams, no sampling), with the checkpoint's own
     * {@code max_new_tokens} when its generation_config.json sets one (else 1024, as BayLing's script).
     * Sampling settings in generation_config.json are deliberately not taken: chat checkpoints ship
     * them, and translation runs are meant to be deterministic.
     */
    GenerationConfig recipe() {
        GenerationConfig recipe = GenerationConfig.bayling();
        try {
            org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(model, "generation_config.json");
            org.apache.hadoop.fs.FileSystem fs = file.getFileSystem(hadoopConfiguration()); // s3a:// needs --conf
            if (fs.exists(file)) {
                try (var in = new java.io.InputStreamReader(fs.open(file), java.nio.charset.StandardCharsets.UTF_8)) {
                    var json = com.google.gson.JsonParser.parseReader(in).getAsJsonObject();
                    if (json.has("max_new_tokens") && !json.get("max_new_tokens").isJsonNull()) {
                        recipe = recipe.toBuilder().maxNewTokens(json.get("max_new_tokens").getAsInt()).build();
                    }
                }
            }
        } catch (Exception e) {
            // unreadable here: the job's model check reports it before any task runs
        }
        return recipe;
    }

    TranslateOptions options() {
        return TranslateOptions.builder().input(input).output(output).srcLang(srcLang).tgtLang(tgtLang)
                .format(format == null ? null : TranslateOptions.InputFormat.parse(format)).model(model)
                .mode(mode != null ? TranslateOptions.WriteMode.parse(mode)
                        : incremental ? TranslateOptions.WriteMode.APPEND : TranslateOptions.WriteMode.OVERWRITE)
                .distribution(TranslationSettings.Distribution.parse(distribution)).broadcastLimitBytes(broadcastLimit)
                .cacheDir(cacheDir).glossary(glossary)
                .columns(new TranslateOptions.Columns(idColumn, textColumn, srcLangColumn, tgtLangColumn,
                        followupsColumn, termsColumn, referenceColumn))
                .generation(generation()).device(device).dtype(precision.dtype).weights(precision.weights)
                .threadsPerTask(threads).template(template)
                .instructionLanguage(instructionLanguage).maxBatchTokens(maxBatchTokens)
                .maxPromptTokens(maxPromptTokens).unit(TranslationUnit.parse(unit)).chunkTokens(chunkTokens).dedup(!noDedup).partitions(partitions).commitEvery(commitEvery).retryErrors(retryErrors)
                .runId(runId).progressIntervalMs(progressSeconds * 1000).engineFactory(engineFactory).build();
    }

    IncrementalTranslate.Settings incrementalSettings() {
        if (!(maxErrorFraction >= 0 && maxErrorFraction <= 1)) {
            throw new IllegalArgumentException("--max-error-fraction must be between 0 and 1, got " + maxErrorFraction);
        }
        if (!incremental) {
            if (checkpoint != null) {
                throw new IllegalArgumentException("--checkpoint only applies to --incremental runs");
            }
            return null;
        }
        return new IncrementalTranslate.Settings(checkpoint, maxFilesPerBatch, maxFileAge, duration(lockStaleAfter));
    }

    /** {@code 90s}, {@code 15m}, {@code 2h}, or plain seconds. */
    static Duration duration(String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*([smh]?)").matcher(s.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("--lock-stale-after takes a duration like 90s, 15m or 2h, got " + s);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    @Override
    public Integer call() {
        TranslateOptions options;
        IncrementalTranslate.Settings settings;
        try {
            options = options();
            settings = incrementalSettings();
        } catch (IllegalArgumentException e) {
            err.println("translate: " + e.getMessage());
            return ExitCodes.BAD_CONFIGURATION;
        }
        ExecutorMemory.Result memory;
        try {
            // before Spark starts: bad paths, broken models and models that cannot fit end in seconds, with one line
            Configuration conf = hadoopConfiguration();
            JobPaths.check(conf, options);
            HadoopModelFiles.check(options.translation().model(), conf);
            memory = ExecutorMemory.check(sparkConf(), conf, options.translation());
        } catch (RuntimeException e) {
            return CommandFailure.report("translate", e, err, verbose);
        }
        memory.sparkConf().forEach(conf::putIfAbsent); // e.g. the executors' memory overhead, from the plan
        options = options.toBuilder().translation(memory.settings()).build(); // the token budget may have shrunk
        TranslateJob.log(memory, out);
        CommandSession session = CommandSession.open("bayling-translate", master, conf);
        SparkSession spark = session.spark();
        try {
            TranslateSummary s;
            List<String> leftOut = List.of();
            if (settings != null) {
                IncrementalTranslate.Result r = new IncrementalTranslate(spark, options, settings, out).run();
                s = r.total();
                leftOut = r.skippedFiles();
            } else {
                s = new TranslateJob(spark, options, out).withMemory(memory).run();
            }
            out.println("summary written to " + options.output() + "/" + TranslateJob.SUMMARY_FILE
                    + " (" + s.rowsWritten() + " rows)");
            double errorFraction = s.rowsWritten() == 0 ? 0 : (double) s.errors() / s.rowsWritten();
            if (errorFraction > maxErrorFraction) {
                err.printf(Locale.ROOT, "translate: partial failure: %d of %d rows written have status error (%.1f%% > "
                        + "--max-error-fraction %.1f%%); the output is committed, see the error column%n",
                        s.errors(), s.rowsWritten(), 100 * errorFraction, 100 * maxErrorFraction);
                return ExitCodes.PARTIAL_FAILURE;
            }
            if (!leftOut.isEmpty()) {
                err.println("translate: partial failure: " + leftOut.size() + " new file(s) not translated, their names"
                        + " contain one of , { } [ ] * ? \\ (rename them to have them picked up): " + leftOut);
                return ExitCodes.PARTIAL_FAILURE;
            }
            return ExitCodes.OK;
        } catch (Exception e) { // Spark throws its checked SparkException from Scala
            return CommandFailure.report("translate", e, err, verbose);
        } finally {
            session.close();
        }
    }

    /**
     * The Spark configuration the run will use, before its session exists: the active session's, else
     * spark-submit's properties with {@code --conf} and {@code --master} over them.
     */
    SparkConf sparkConf() {
        var active = SparkSession.getActiveSession();
        if (active.isDefined()) {
            return active.get().sparkContext().getConf();
        }
        SparkConf c = new SparkConf();
        conf.forEach(c::set);
        if (master != null) {
            c.setMaster(master);
        }
        return c;
    }

    /**
     * The Hadoop configuration the run will use, before its Spark session exists: the active session's, else
     * Hadoop's defaults with {@code spark.hadoop.*} from spark-submit's properties and {@code --conf}.
     */
    Configuration hadoopConfiguration() {
        var active = SparkSession.getActiveSession();
        if (active.isDefined()) {
            return active.get().sparkContext().hadoopConfiguration();
        }
        Configuration c = new Configuration();
        Map<String, String> all = new LinkedHashMap<>();
        for (scala.Tuple2<String, String> kv : new SparkConf().getAll()) {
            all.put(kv._1(), kv._2());
        }
        all.putAll(conf);
        all.forEach((k, v) -> {
            if (k.startsWith("spark.hadoop.")) {
                c.set(k.substring("spark.hadoop.".length()), v);
            }
        });
        return c;
    }
}
