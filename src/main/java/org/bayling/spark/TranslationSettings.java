package org.bayling.spark;

import java.io.Serializable;
import java.util.Locale;
import org.bayling.generate.GenerationConfig;
import org.bayling.translate.EngineOptions;
import org.bayling.translate.TranslationPlanner;
import org.bayling.translate.TranslationUnit;

/**
 * What translation needs, whoever asks for it (the job, the ML Transformer, SQL): the model and how
 * executors get it, decoding, prompt and batch budgets, the translation unit and quality scoring.
 * Where rows come from and go to is the job's business ({@link TranslateOptions}). Immutable and
 * serializable: executors receive the same object. Build with {@link #builder()}.
 */
public final class TranslationSettings implements Serializable {

    private static final long serialVersionUID = 1L;

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

    public static final long DEFAULT_BROADCAST_LIMIT = 2L << 30;
    public static final int DEFAULT_MAX_BATCH_TOKENS = 8192;
    /** Source tokens of one chunk of a cut text: a few sentences, well inside any max_new_tokens BayLing uses. */
    public static final int DEFAULT_CHUNK_TOKENS = 256;

    private final String model;
    private final Distribution distribution;
    private final long broadcastLimitBytes;
    private final String cacheDir;
    private final GenerationConfig generation;
    private final String device;
    private final String dtype;
    private final String weights;
    private final int threadsPerTask;
    private final String template;
    private final String instructionLanguage;
    private final int maxBatchTokens;
    private final int maxPromptTokens;
    private final int chunkTokens;
    private final TranslationUnit unit;
    private final boolean quality;
    private final String engineFactory;

    private TranslationSettings(Builder b) {
        model = b.model == null || b.model.isBlank() ? null : b.model.trim();
        if (model == null) {
            throw new IllegalArgumentException("--model is required (a Hugging Face model directory or URI)");
        }
        distribution = b.distribution != null ? b.distribution : Distribution.AUTO;
        broadcastLimitBytes = b.broadcastLimitBytes > 0 ? b.broadcastLimitBytes : DEFAULT_BROADCAST_LIMIT;
        cacheDir = b.cacheDir != null && !b.cacheDir.isBlank() ? b.cacheDir
                : System.getProperty("java.io.tmpdir") + "/bayling-model-cache";
        generation = b.generation != null ? b.generation : GenerationConfig.bayling();
        device = blankToNull(b.device);
        dtype = b.dtype == null || b.dtype.isBlank() ? "auto" : b.dtype.trim();
        weights = b.weights == null || b.weights.isBlank() ? "auto" : b.weights.trim();
        threadsPerTask = b.threadsPerTask;
        template = blankToNull(b.template);
        instructionLanguage = b.instructionLanguage != null && !b.instructionLanguage.isBlank()
                ? b.instructionLanguage.trim() : "en";
        maxBatchTokens = b.maxBatchTokens > 0 ? b.maxBatchTokens : DEFAULT_MAX_BATCH_TOKENS;
        maxPromptTokens = b.maxPromptTokens;
        chunkTokens = b.chunkTokens > 0 ? b.chunkTokens : DEFAULT_CHUNK_TOKENS;
        unit = b.unit != null ? b.unit : TranslationUnit.AUTO;
        quality = b.quality;
        engineFactory = b.engineFactory != null ? b.engineFactory : DefaultEngineFactory.class.getName();

        check(threadsPerTask >= 0, "--threads must be >= 0 (0 = spark.task.cpus), got " + threadsPerTask);
        check(maxPromptTokens >= 0, "--max-prompt-tokens must be >= 0 (0 = from the model config), got " + maxPromptTokens);
        check(chunkTokens >= 8, "--chunk-tokens must be >= 8, got " + chunkTokens);
        check(instructionLanguage.equals("en") || instructionLanguage.equals("zh"),
                "--instruction-language must be en or zh, got " + instructionLanguage);
        check(device == null || device.equals("auto") || device.equals("cpu") || device.matches("gpu(:\\d+)?"),
                "--device must be auto, cpu, gpu or gpu:N, got " + device);
        EngineOptions.checkPrecision(dtype, weights);
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
        b.model = model;
        b.distribution = distribution;
        b.broadcastLimitBytes = broadcastLimitBytes;
        b.cacheDir = cacheDir;
        b.generation = generation;
        b.device = device;
        b.dtype = dtype;
        b.weights = weights;
        b.threadsPerTask = threadsPerTask;
        b.template = template;
        b.instructionLanguage = instructionLanguage;
        b.maxBatchTokens = maxBatchTokens;
        b.maxPromptTokens = maxPromptTokens;
        b.chunkTokens = chunkTokens;
        b.unit = unit;
        b.quality = quality;
        b.engineFactory = engineFactory;
        return b;
    }

    /** Engine options for one executor, once the model is local and the device chosen. */
    public EngineOptions engineOptions(String localModelDir, String chosenDevice, int threads) {
        return new EngineOptions(localModelDir, chosenDevice, threads, generation, template, instructionLanguage, dtype,
                weights);
    }

    /** The planner's budgets and unit. */
    public TranslationPlanner.Settings plannerSettings() {
        return new TranslationPlanner.Settings(unit, maxPromptTokens, maxBatchTokens, chunkTokens, generation);
    }

    /**
     * Identity of a loaded engine: executors share one engine per key (see {@link ExecutorModelCache}). The
     * cache dir is part of it: an engine is loaded from one local copy of the model.
     */
    public String engineKey(String modelHash, DeviceSelector.Choice device) {
        return String.join("|", modelHash, cacheDir, device.device(), Integer.toString(device.threads()),
                org.bayling.output.OutputSchema.generationHash(generation), String.valueOf(template),
                instructionLanguage, dtype, weights, engineFactory);
    }

    public String model() { return model; }
    public Distribution distribution() { return distribution; }
    public long broadcastLimitBytes() { return broadcastLimitBytes; }
    public String cacheDir() { return cacheDir; }
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
    public int chunkTokens() { return chunkTokens; }
    public TranslationUnit unit() { return unit; }
    public boolean quality() { return quality; }
    public String engineFactory() { return engineFactory; }

    @Override
    public String toString() {
        return "TranslationSettings{model=" + model + ", distribution=" + distribution + ", unit=" + unit.id()
                + ", dtype=" + dtype + ", weights=" + weights + ", generation=" + generation + "}";
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String model;
        private Distribution distribution;
        private long broadcastLimitBytes;
        private String cacheDir;
        private GenerationConfig generation;
        private String device;
        private String dtype;
        private String weights;
        private int threadsPerTask;
        private String template;
        private String instructionLanguage;
        private int maxBatchTokens;
        private int maxPromptTokens;
        private int chunkTokens;
        private TranslationUnit unit;
        private boolean quality = true;
        private String engineFactory;

        public Builder model(String v) { model = v; return this; }
        public Builder distribution(Distribution v) { distribution = v; return this; }
        public Builder broadcastLimitBytes(long v) { broadcastLimitBytes = v; return this; }
        public Builder cacheDir(String v) { cacheDir = v; return this; }
        public Builder generation(GenerationConfig v) { generation = v; return this; }
        public Builder device(String v) { device = v; return this; }
        public Builder dtype(String v) { dtype = v; return this; }
        public Builder weights(String v) { weights = v; return this; }
        public Builder threadsPerTask(int v) { threadsPerTask = v; return this; }
        public Builder template(String v) { template = v; return this; }
        public Builder instructionLanguage(String v) { instructionLanguage = v; return this; }
        public Builder maxBatchTokens(int v) { maxBatchTokens = v; return this; }
        public Builder maxPromptTokens(int v) { maxPromptTokens = v; return this; }
        public Builder chunkTokens(int v) { chunkTokens = v; return this; }
        public Builder unit(TranslationUnit v) { unit = v; return this; }
        public Builder quality(boolean v) { quality = v; return this; }
        public Builder engineFactory(String v) { engineFactory = v; return this; }

        public TranslationSettings build() {
            return new TranslationSettings(this);
        }
    }
}
