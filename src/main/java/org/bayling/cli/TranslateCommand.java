package org.bayling.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.bayling.generate.GenerationConfig;
import org.bayling.spark.TranslateJob;
import org.bayling.spark.TranslateOptions;
import org.bayling.spark.TranslateSummary;
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
                "Defaults can come from a properties file: -Dpicocli.defaults.translate.path=conf/translate.properties"})
public final class TranslateCommand implements Callable<Integer> {

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

    @Option(names = "--mode", defaultValue = "overwrite", description = "overwrite|append|resume (default: ${DEFAULT-VALUE}).")
    String mode;

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
            description = "Longer prompts become error rows (0 = the model's max_position_embeddings).")
    int maxPromptTokens;
    @Option(names = "--no-dedup", description = "Translate identical requests separately.") boolean noDedup;
    @Option(names = "--partitions", defaultValue = "0", description = "Translation partitions (0 = automatic).")
    int partitions;
    @Option(names = "--commit-every", defaultValue = "0",
            description = "Commit output every N rows so a killed job can --mode resume (0 = one commit).")
    long commitEvery;
    @Option(names = "--run-id") String runId;
    @Option(names = "--progress-interval", defaultValue = "10", description = "Seconds between progress lines.")
    long progressSeconds;
    @Option(names = "--engine-factory", hidden = true) String engineFactory;

    /** Decoding flags, shared with {@code generate}; unset = BayLing's recipe (see {@link #recipe()}). */
    @CommandLine.Mixin
    GenerationOptions generationOptions = new GenerationOptions();

    private final PrintStream out;
    private final PrintStream err;

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
            org.apache.hadoop.fs.FileSystem fs = file.getFileSystem(new org.apache.hadoop.conf.Configuration());
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
                .mode(TranslateOptions.WriteMode.parse(mode))
                .distribution(TranslateOptions.Distribution.parse(distribution)).broadcastLimitBytes(broadcastLimit)
                .cacheDir(cacheDir).glossary(glossary)
                .columns(new TranslateOptions.Columns(idColumn, textColumn, srcLangColumn, tgtLangColumn,
                        followupsColumn, termsColumn, referenceColumn))
                .generation(generation()).device(device).threadsPerTask(threads).template(template)
                .instructionLanguage(instructionLanguage).maxBatchTokens(maxBatchTokens)
                .maxPromptTokens(maxPromptTokens).dedup(!noDedup).partitions(partitions).commitEvery(commitEvery)
                .runId(runId).progressIntervalMs(progressSeconds * 1000).engineFactory(engineFactory).build();
    }

    @Override
    public Integer call() {
        TranslateOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            err.println("translate: " + e.getMessage());
            return 2;
        }
        boolean existing = SparkSession.getActiveSession().isDefined() || SparkSession.getDefaultSession().isDefined();
        SparkSession.Builder builder = SparkSession.builder().appName("bayling-translate");
        if (master != null) {
            builder.master(master);
        } else if (!existing && !new SparkConf().contains("spark.master")) {
            builder.master("local[*]"); // embedded run; spark-submit sets spark.master itself
        }
        conf.forEach(builder::config);
        SparkSession spark = builder.getOrCreate();
        try {
            TranslateSummary s = new TranslateJob(spark, options, out).run();
            out.println("summary written to " + options.output() + "/" + TranslateJob.SUMMARY_FILE
                    + " (" + s.rowsWritten() + " rows)");
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("translate: " + e.getMessage());
            return 2;
        } finally {
            if (!existing) {
                spark.stop();
            }
        }
    }
}
