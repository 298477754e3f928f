package org.bayling.spark;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import org.bayling.generate.GenerationConfig;
import org.bayling.translate.EngineOptions;

/**
 * Everything the translation job needs, parsed and validated once on the driver. Immutable and
 * serializable: executor code receives the same object. Build with {@link #builder()}.
 */
public final class TranslateOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Input layouts. Line-based formats (jsonl, csv, tsv, text) get stable ids from file + line number. */
    public enum InputFormat {
        PARQUET, JSONL, CSV, TSV, TEXT;

        public boolean lineBased() {
            return this != PARQUET;
        }

        public static InputFormat parse(String s) {
            String v = s.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "parquet" -> PARQUET;
                case "jsonl", "json", "ndjson" -> JSONL;
                case "csv" -> CSV;
                case "tsv" -> TSV;
                case "text", "txt" -> TEXT;
                default -> throw new IllegalArgumentException(
                        "unknown input format '" + s + "': use parquet, jsonl, csv, tsv or text");
            };
        }

        /** Guesses the format from a file name; parquet when nothing matches (a directory of part files). */
        public static InputFormat fromPath(String path) {
            String p = path.toLowerCase(Locale.ROOT).replaceAll("\\.(gz|bz2|zst|snappy)$", "");
            if (p.endsWith(".jsonl") || p.endsWith(".json") || p.endsWith(".ndjson")) {
                return JSONL;
            }
            if (p.endsWith(".csv")) {
                return CSV;
            }
            if (p.endsWith(".tsv")) {
                return TSV;
            }
            if (p.endsWith(".txt") || p.endsWith(".src") || p.endsWith(".text")) {
                return TEXT;
            }
            return PARQUET;
        }
    }

    /** What to do with an existing output. */
    public enum WriteMode {
        /** Replace the output. */
        OVERWRITE,
        /** Add rows; existing rows stay. */
        APPEND,
        /** Append only rows whose id is not yet in the output for the same model hash and generation parameters. */
        RESUME;

        public static WriteMode parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** How executors get the model files. */
    public enum Distribution {
        /** Broadcast when the model is at most {@code broadcastLimitBytes}, else filesystem. */
        AUTO,
        /** The driver reads the files once and Spark-broadcasts their bytes. */
        BROADCAST,
        /** Executors copy from the model URI (or use it in place when it is a local path). */
        FILESYSTEM;

        public static Distribution parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    /**
     * Input column names. Missing optional columns are fine: {@code id} is then derived, languages
     * come from the job defaults, followups/terms are empty, reference is null.
     */
    public record Columns(String id, String text, String srcLang, String tgtLang, String followups, String terms,
                          String reference) implements Serializable {
        public static Columns defaults() {
            return new Columns("id", "text", "src_lang", "tgt_lang", "followups", "terms", "reference");
        }

        public Columns {
            Objects.requireNonNull(text, "text column name is required");
        }
    }

    public static final long DEFAULT_BROADCAST_LIMIT = 2L << 30;

    private final String input;
    private final InputFormat format;
    private final String output;
    private final String srcLang;
    private final String tgtLang;
    private final Columns columns;
    private final String glossary;
    private final String model;
    private final Distribution distribution;
    private final long broadcastLimitBytes;
    private final String cacheDir;
    private final WriteMode mode;
    private final GenerationConfig generation;
    private final String device;
    private final String dtype;
    private final String weights;
    private final int threadsPerTask;
    private final String template;
    private final String instructionLanguage;
    private final int maxBatchTokens;
    private final int maxPromptTokens;
    private final boolean dedup;
    private final int partitions;
    private final long commitEvery;
    private final String runId;
    private final String engineFactory;
    private final long progressIntervalMs;

    private TranslateOptions(Builder b) {
        input = require(b.input, "--input is required");
        format = b.format != null ? b.format : InputFormat.fromPath(b.input);
        output = require(b.output, "--output is required");
        srcLang = blankToNull(b.srcLang);
        tgtLang = blankToNull(b.tgtLang);
        columns = b.columns != null ? b.columns : Columns.defaults();
        glossary = blankToNull(b.glossary);
        model = require(b.model, "--model is required (a Hugging Face model directory or URI)");
        distribution = b.distribution != null ? b.distribution : Distribution.AUTO;
        broadcastLimitBytes = b.broadcastLimitBytes > 0 ? b.broadcastLimitBytes : DEFAULT_BROADCAST_LIMIT;
        cacheDir = b.cacheDir != null ? b.cacheDir
                : System.getProperty("java.io.tmpdir") + "/bayling-model-cache";
        mode = b.mode != null ? b.mode : WriteMode.OVERWRITE;
        generation = b.generation != null ? b.generation : GenerationConfig.bayling();
        device = blankToNull(b.device);
        dtype = b.dtype == null || b.dtype.isBlank() ? "auto" : b.dtype.trim();
        weights = b.weights == null || b.weights.isBlank() ? "auto" : b.weights.trim();
        threadsPerTask = b.threadsPerTask;
        template = blankToNull(b.template);
        instructionLanguage = b.instructionLanguage != null ? b.instructionLanguage : "en";
        maxBatchTokens = b.maxBatchTokens > 0 ? b.maxBatchTokens : 8192;
        maxPromptTokens = b.maxPromptTokens;
        dedup = b.dedup;
        partitions = b.partitions;
        commitEvery = b.commitEvery;
        runId = b.runId != null ? b.runId : UUID.randomUUID().toString();
        engineFactory = b.engineFactory != null ? b.engineFactory : DefaultEngineFactory.class.getName();
        progressIntervalMs = b.progressIntervalMs > 0 ? b.progressIntervalMs : 10_000;

        check(threadsPerTask >= 0, "--threads must be >= 0 (0 = spark.task.cpus), got " + threadsPerTask);
        check(maxPromptTokens >= 0, "--max-prompt-tokens must be >= 0 (0 = from the model config), got " + maxPromptTokens);
        check(partitions >= 0, "--partitions must be >= 0 (0 = automatic), got " + partitions);
        check(commitEvery >= 0, "--commit-every must be >= 0 (0 = one commit), got " + commitEvery);
        check(instructionLanguage.equals("en") || instructionLanguage.equals("zh"),
                "--instruction-language must be en or zh, got " + instructionLanguage);
        check(device == null || device.equals("auto") || device.equals("cpu") || device.matches("gpu(:\\d+)?"),
                "--device must be auto, cpu, gpu or gpu:N, got " + device);
        EngineOptions.checkPrecision(dtype, weights);
        if (srcLang != null) {
            check(LanguageCodes.isKnown(srcLang), "--src-lang '" + srcLang + "' is not a known language code");
        }
        if (tgtLang != null) {
            check(LanguageCodes.isKnown(tgtLang), "--tgt-lang '" + tgtLang + "' is not a known language code");
        }
        check(!output.equals(input), "--output must differ from --input");
    }

    private static String require(String v, String message) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(message);
        }
        return v;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.input = input;
        b.format = format;
        b.output = output;
        b.srcLang = srcLang;
        b.tgtLang = tgtLang;
        b.columns = columns;
        b.glossary = glossary;
        b.model = model;
        b.distribution = distribution;
        b.broadcastLimitBytes = broadcastLimitBytes;
        b.cacheDir = cacheDir;
        b.mode = mode;
        b.generation = generation;
        b.device = device;
        b.dtype = dtype;
        b.weights = weights;
        b.threadsPerTask = threadsPerTask;
        b.template = template;
        b.instructionLanguage = instructionLanguage;
        b.maxBatchTokens = maxBatchTokens;
        b.maxPromptTokens = maxPromptTokens;
        b.dedup = dedup;
        b.partitions = partitions;
        b.commitEvery = commitEvery;
        b.runId = null; // a new run gets a new id
        b.engineFactory = engineFactory;
        b.progressIntervalMs = progressIntervalMs;
        return b;
    }

    /** Engine options for one executor, once the model is local and the device chosen. */
    public EngineOptions engineOptions(String localModelDir, String chosenDevice, int threads) {
        return new EngineOptions(localModelDir, chosenDevice, threads, generation, template, instructionLanguage,
                maxBatchTokens, dtype, weights);
    }

    public String input() { return input; }
    public InputFormat format() { return format; }
    public String output() { return output; }
    public String srcLang() { return srcLang; }
    public String tgtLang() { return tgtLang; }
    public Columns columns() { return columns; }
    public String glossary() { return glossary; }
    public String model() { return model; }
    public Distribution distribution() { return distribution; }
    public long broadcastLimitBytes() { return broadcastLimitBytes; }
    public String cacheDir() { return cacheDir; }
    public WriteMode mode() { return mode; }
    public GenerationConfig generation() { return generation; }
    public String device() { return device; }
    /** Compute dtype option: auto, f32, f16 or bf16. */
    public String dtype() { return dtype; }
    /** Weight storage option: auto, f32, f16, bf16 or int8. */
    public String weights() { return weights; }
    public int threadsPerTask() { return threadsPerTask; }
    public String template() { return template; }
    public String instructionLanguage() { return instructionLanguage; }
    public int maxBatchTokens() { return maxBatchTokens; }
    public int maxPromptTokens() { return maxPromptTokens; }
    public boolean dedup() { return dedup; }
    public int partitions() { return partitions; }
    public long commitEvery() { return commitEvery; }
    public String runId() { return runId; }
    public String engineFactory() { return engineFactory; }
    public long progressIntervalMs() { return progressIntervalMs; }

    @Override
    public String toString() {
        return "TranslateOptions{input=" + input + ", format=" + format + ", output=" + output + ", src=" + srcLang
                + ", tgt=" + tgtLang + ", model=" + model + ", distribution=" + distribution + ", mode=" + mode
                + ", generation=" + generation + ", dtype=" + dtype + ", weights=" + weights + ", runId=" + runId + "}";
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String input;
        private InputFormat format;
        private String output;
        private String srcLang;
        private String tgtLang;
        private Columns columns;
        private String glossary;
        private String model;
        private Distribution distribution;
        private long broadcastLimitBytes;
        private String cacheDir;
        private WriteMode mode;
        private GenerationConfig generation;
        private String device;
        private String dtype;
        private String weights;
        private int threadsPerTask;
        private String template;
        private String instructionLanguage;
        private int maxBatchTokens;
        private int maxPromptTokens;
        private boolean dedup = true;
        private int partitions;
        private long commitEvery;
        private String runId;
        private String engineFactory;
        private long progressIntervalMs;

        public Builder input(String v) { input = v; return this; }
        public Builder format(InputFormat v) { format = v; return this; }
        public Builder output(String v) { output = v; return this; }
        public Builder srcLang(String v) { srcLang = v; return this; }
        public Builder tgtLang(String v) { tgtLang = v; return this; }
        public Builder columns(Columns v) { columns = v; return this; }
        public Builder glossary(String v) { glossary = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder distribution(Distribution v) { distribution = v; return this; }
        public Builder broadcastLimitBytes(long v) { broadcastLimitBytes = v; return this; }
        public Builder cacheDir(String v) { cacheDir = v; return this; }
        public Builder mode(WriteMode v) { mode = v; return this; }
        public Builder generation(GenerationConfig v) { generation = v; return this; }
        public Builder device(String v) { device = v; return this; }
        public Builder dtype(String v) { dtype = v; return this; }
        public Builder weights(String v) { weights = v; return this; }
        public Builder threadsPerTask(int v) { threadsPerTask = v; return this; }
        public Builder template(String v) { template = v; return this; }
        public Builder instructionLanguage(String v) { instructionLanguage = v; return this; }
        public Builder maxBatchTokens(int v) { maxBatchTokens = v; return this; }
        public Builder maxPromptTokens(int v) { maxPromptTokens = v; return this; }
        public Builder dedup(boolean v) { dedup = v; return this; }
        public Builder partitions(int v) { partitions = v; return this; }
        public Builder commitEvery(long v) { commitEvery = v; return this; }
        public Builder runId(String v) { runId = v; return this; }
        public Builder engineFactory(String v) { engineFactory = v; return this; }
        public Builder progressIntervalMs(long v) { progressIntervalMs = v; return this; }

        public TranslateOptions build() {
            return new TranslateOptions(this);
        }
    }
}
