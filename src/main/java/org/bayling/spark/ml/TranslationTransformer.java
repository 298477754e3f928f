package org.bayling.spark.ml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.bayling.generate.GenerationConfig;
import org.bayling.output.OutputSchema;
import org.bayling.spark.QualityFields;
import org.bayling.spark.ExecutorTranslation;
import org.bayling.spark.TranslationSettings;
import org.bayling.translate.TranslationUnit;

/**
 * Spark ML {@link Transformer} that translates a text column with BayLing and adds an
 * {@link OutputSchema#RESULT} struct column ({@code translation, status, error, quality, n_input_tokens,
 * n_output_tokens, finish_reason, reused_prefix_tokens, turns, segments, alignment}): the same result,
 * field for field, as the job's output row. Every input column and row is kept, in order. Optional columns give
 * each row required terms ({@link #termsCol()}), follow-up instructions ({@link #followupsCol()}) and a reference
 * ({@link #referenceCol()}: sentence BLEU/chrF in {@code quality}), as in the job.
 *
 * <p>Runs the job's executor code ({@link ExecutorTranslation}: the one planner, its token-budgeted batches,
 * documents cut and reassembled when over the prompt budget) on the executor's shared engine. Rows with
 * bad input get {@code status = error}; rows whose source and target language are equal are copied
 * ({@code skipped}), exactly as in the job's output.
 *
 * <pre>{@code
 * TranslationTransformer t = new TranslationTransformer()
 *     .setInputCol("text").setSrcLang("en").setTgtLang("zh").setModel("hdfs:///models/bayling-2-7b");
 * Dataset<Row> out = t.transform(df);                       // out.select("bayling.translation")
 * new Pipeline().setStages(new PipelineStage[] {t}).fit(df).write().save(path);
 * }</pre>
 *
 * Generation defaults are BayLing's recipe ({@link GenerationConfig#bayling()}: 5 beams, 1024 new tokens).
 * Options can also be set from a map of snake_case keys ({@link #setOptions}), as the SQL function does.
 */
public final class TranslationTransformer extends Transformer implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;

    private final String uid;

    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> srcLang;
    private final Param<String> tgtLang;
    private final Param<String> srcLangCol;
    private final Param<String> tgtLangCol;
    private final Param<String> followupsCol;
    private final Param<String> referenceCol;
    private final Param<String> termsCol;
    private final Param<String> model;
    private final IntParam maxNewTokens;
    private final IntParam minNewTokens;
    private final IntParam numBeams;
    private final DoubleParam lengthPenalty;
    private final BooleanParam doSample;
    private final DoubleParam temperature;
    private final IntParam topK;
    private final DoubleParam topP;
    private final LongParam seed;
    private final DoubleParam repetitionPenalty;
    private final BooleanParam quality;
    private final Param<String> instructionLanguage;
    private final Param<String> template;
    private final Param<String> device;
    private final Param<String> dtype;
    private final Param<String> weights;
    private final IntParam threads;
    private final IntParam maxBatchTokens;
    private final IntParam maxPromptTokens;
    private final IntParam chunkTokens;
    private final Param<String> unit;
    private final Param<String> distribution;
    private final Param<String> cacheDir;

    public TranslationTransformer() {
        this(Identifiable.randomUID("translationTransformer"));
    }

    public TranslationTransformer(String uid) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "text column to translate");
        outputCol = new Param<>(this, "outputCol", "result struct column to add");
        srcLang = new Param<>(this, "srcLang", "source language code for every row (when srcLangCol is not set)");
        tgtLang = new Param<>(this, "tgtLang", "target language code for every row (when tgtLangCol is not set)");
        srcLangCol = new Param<>(this, "srcLangCol", "column with each row's source language code (overrides srcLang)");
        tgtLangCol = new Param<>(this, "tgtLangCol", "column with each row's target language code (overrides tgtLang)");
        followupsCol = new Param<>(this, "followupsCol",
                "optional array<string> column of refinement instructions run after the first translation");
        referenceCol = new Param<>(this, "referenceCol",
                "optional reference translation column: fills quality.sentence_bleu and quality.sentence_chrf");
        termsCol = new Param<>(this, "termsCol", "optional array<string> column of terms the translation must contain");
        model = new Param<>(this, "model", "model directory URI (any Hadoop filesystem or local path)");
        maxNewTokens = new IntParam(this, "maxNewTokens", "max new tokens per turn");
        minNewTokens = new IntParam(this, "minNewTokens", "min new tokens per turn");
        numBeams = new IntParam(this, "numBeams", "beam width (1 = greedy or sampling)");
        lengthPenalty = new DoubleParam(this, "lengthPenalty", "beam search length penalty");
        doSample = new BooleanParam(this, "doSample", "sample instead of greedy (numBeams must be 1)");
        temperature = new DoubleParam(this, "temperature", "sampling temperature");
        topK = new IntParam(this, "topK", "top-k sampling (0 disables)");
        topP = new DoubleParam(this, "topP", "nucleus sampling probability");
        seed = new LongParam(this, "seed", "sampling seed");
        repetitionPenalty = new DoubleParam(this, "repetitionPenalty", "repetition penalty (1 = none)");
        quality = new BooleanParam(this, "quality", "fill the quality struct");
        instructionLanguage = new Param<>(this, "instructionLanguage", "language of the instruction: en or zh");
        template = new Param<>(this, "template", "conversation template: bayling, bayling3, or empty to detect");
        device = new Param<>(this, "device", "auto, cpu, gpu or gpu:N");
        dtype = new Param<>(this, "dtype", "compute dtype: auto (f32 on CPU; bf16/f16 on GPUs), f32, f16 or bf16");
        weights = new Param<>(this, "weights", "weight storage: auto (as computed), f32, f16, bf16 or int8");
        threads = new IntParam(this, "threads", "CPU threads per task (0 = spark.task.cpus)");
        maxBatchTokens = new IntParam(this, "maxBatchTokens", "token budget of one forward batch");
        maxPromptTokens = new IntParam(this, "maxPromptTokens", "longest prompt accepted (0 = the model's context)");
        chunkTokens = new IntParam(this, "chunkTokens", "largest source text of one chunk of a cut text, in tokens");
        unit = new Param<>(this, "unit", "how texts are cut: auto (only when over the prompt budget), sentence, "
                + "document or none (over the budget: an error)");
        distribution = new Param<>(this, "distribution", "how executors get the model: auto, broadcast or filesystem");
        cacheDir = new Param<>(this, "cacheDir", "host-local model cache directory on executors");

        GenerationConfig g = GenerationConfig.bayling();
        setDefault(inputCol, "text");
        setDefault(outputCol, "bayling");
        setDefault(srcLang, "");
        setDefault(tgtLang, "");
        setDefault(srcLangCol, "");
        setDefault(tgtLangCol, "");
        setDefault(followupsCol, "");
        setDefault(termsCol, "");
        setDefault(referenceCol, "");
        setDefault(model, "");
        setDefault(maxNewTokens, g.maxNewTokens());
        setDefault(minNewTokens, g.minNewTokens());
        setDefault(numBeams, g.numBeams());
        setDefault(lengthPenalty, g.lengthPenalty());
        setDefault(doSample, g.doSample());
        setDefault(temperature, g.temperature());
        setDefault(topK, g.topK());
        setDefault(topP, g.topP());
        setDefault(seed, g.seed());
        setDefault(repetitionPenalty, g.repetitionPenalty());
        setDefault(quality, true);
        setDefault(instructionLanguage, "en");
        setDefault(template, "");
        setDefault(device, "auto");
        setDefault(dtype, "auto");
        setDefault(weights, "auto");
        setDefault(threads, 0);
        setDefault(maxBatchTokens, 8192);
        setDefault(maxPromptTokens, 0);
        setDefault(chunkTokens, org.bayling.spark.TranslationSettings.DEFAULT_CHUNK_TOKENS);
        setDefault(unit, "auto");
        setDefault(distribution, "auto");
        setDefault(cacheDir, System.getProperty("java.io.tmpdir") + "/bayling-model-cache");
    }

    @Override
    public String uid() {
        return uid;
    }

    // ---- params (public no-arg accessors: Spark ML finds params by reflection) ----

    public Param<String> inputCol() { return inputCol; }
    public Param<String> outputCol() { return outputCol; }
    public Param<String> srcLang() { return srcLang; }
    public Param<String> tgtLang() { return tgtLang; }
    public Param<String> srcLangCol() { return srcLangCol; }
    public Param<String> tgtLangCol() { return tgtLangCol; }
    public Param<String> followupsCol() { return followupsCol; }
    public Param<String> termsCol() { return termsCol; }
    public Param<String> referenceCol() { return referenceCol; }
    public Param<String> model() { return model; }
    public IntParam maxNewTokens() { return maxNewTokens; }
    public IntParam minNewTokens() { return minNewTokens; }
    public IntParam numBeams() { return numBeams; }
    public DoubleParam lengthPenalty() { return lengthPenalty; }
    public BooleanParam doSample() { return doSample; }
    public DoubleParam temperature() { return temperature; }
    public IntParam topK() { return topK; }
    public DoubleParam topP() { return topP; }
    public LongParam seed() { return seed; }
    public DoubleParam repetitionPenalty() { return repetitionPenalty; }
    public BooleanParam quality() { return quality; }
    public Param<String> instructionLanguage() { return instructionLanguage; }
    public Param<String> template() { return template; }
    public Param<String> device() { return device; }
    public Param<String> dtype() { return dtype; }
    public Param<String> weights() { return weights; }
    public IntParam threads() { return threads; }
    public IntParam maxBatchTokens() { return maxBatchTokens; }
    public IntParam maxPromptTokens() { return maxPromptTokens; }
    public IntParam chunkTokens() { return chunkTokens; }
    public Param<String> unit() { return unit; }
    public Param<String> distribution() { return distribution; }
    public Param<String> cacheDir() { return cacheDir; }

    // ---- setters and getters ----

    public TranslationTransformer setInputCol(String v) { set(inputCol, v); return this; }
    public TranslationTransformer setOutputCol(String v) { set(outputCol, v); return this; }
    public TranslationTransformer setSrcLang(String v) { set(srcLang, v); return this; }
    public TranslationTransformer setTgtLang(String v) { set(tgtLang, v); return this; }
    public TranslationTransformer setSrcLangCol(String v) { set(srcLangCol, v); return this; }
    public TranslationTransformer setTgtLangCol(String v) { set(tgtLangCol, v); return this; }
    public TranslationTransformer setFollowupsCol(String v) { set(followupsCol, v); return this; }
    public TranslationTransformer setTermsCol(String v) { set(termsCol, v); return this; }
    public TranslationTransformer setReferenceCol(String v) { set(referenceCol, v); return this; }
    public TranslationTransformer setModel(String v) { set(model, v); return this; }
    public TranslationTransformer setMaxNewTokens(int v) { set(maxNewTokens, v); return this; }
    public TranslationTransformer setMinNewTokens(int v) { set(minNewTokens, v); return this; }
    public TranslationTransformer setNumBeams(int v) { set(numBeams, v); return this; }
    public TranslationTransformer setLengthPenalty(double v) { set(lengthPenalty, v); return this; }
    public TranslationTransformer setDoSample(boolean v) { set(doSample, v); return this; }
    public TranslationTransformer setTemperature(double v) { set(temperature, v); return this; }
    public TranslationTransformer setTopK(int v) { set(topK, v); return this; }
    public TranslationTransformer setTopP(double v) { set(topP, v); return this; }
    public TranslationTransformer setSeed(long v) { set(seed, v); return this; }
    public TranslationTransformer setRepetitionPenalty(double v) { set(repetitionPenalty, v); return this; }
    public TranslationTransformer setQuality(boolean v) { set(quality, v); return this; }
    public TranslationTransformer setInstructionLanguage(String v) { set(instructionLanguage, v); return this; }
    public TranslationTransformer setTemplate(String v) { set(template, v); return this; }
    public TranslationTransformer setDevice(String v) { set(device, v); return this; }
    public TranslationTransformer setDtype(String v) { set(dtype, v); return this; }
    public TranslationTransformer setWeights(String v) { set(weights, v); return this; }
    public TranslationTransformer setThreads(int v) { set(threads, v); return this; }
    public TranslationTransformer setMaxBatchTokens(int v) { set(maxBatchTokens, v); return this; }
    public TranslationTransformer setMaxPromptTokens(int v) { set(maxPromptTokens, v); return this; }
    public TranslationTransformer setChunkTokens(int v) { set(chunkTokens, v); return this; }
    public TranslationTransformer setUnit(String v) { set(unit, v); return this; }
    public TranslationTransformer setDistribution(String v) { set(distribution, v); return this; }
    public TranslationTransformer setCacheDir(String v) { set(cacheDir, v); return this; }

    /** Sets the decoding parameters from a {@link GenerationConfig} (stop strings and EOS ids are not params). */
    public TranslationTransformer setGeneration(GenerationConfig g) {
        return setMaxNewTokens(g.maxNewTokens()).setMinNewTokens(g.minNewTokens()).setNumBeams(g.numBeams())
                .setLengthPenalty(g.lengthPenalty()).setDoSample(g.doSample()).setTemperature(g.temperature())
                .setTopK(g.topK()).setTopP(g.topP()).setSeed(g.seed()).setRepetitionPenalty(g.repetitionPenalty());
    }

    public String getInputCol() { return str(inputCol); }
    public String getOutputCol() { return str(outputCol); }
    public String getModel() { return str(model); }
    public boolean getQuality() { return (Boolean) getOrDefault(quality); }

    /** The decoding parameters these params describe (validated). */
    public GenerationConfig generation() {
        return GenerationConfig.builder()
                .maxNewTokens((Integer) getOrDefault(maxNewTokens)).minNewTokens((Integer) getOrDefault(minNewTokens))
                .numBeams((Integer) getOrDefault(numBeams)).lengthPenalty((Double) getOrDefault(lengthPenalty))
                .doSample((Boolean) getOrDefault(doSample)).temperature((Double) getOrDefault(temperature))
                .topK((Integer) getOrDefault(topK)).topP((Double) getOrDefault(topP)).seed((Long) getOrDefault(seed))
                .repetitionPenalty((Double) getOrDefault(repetitionPenalty)).build();
    }

    /**
     * Sets params from string options, keyed by param name or its snake_case form
     * ({@code max_new_tokens}, {@code num_beams}, {@code model}, {@code quality}, …).
     *
     * @throws IllegalArgumentException naming the unknown key or the bad value
     */
    public TranslationTransformer setOptions(Map<String, String> options) {
        for (Map.Entry<String, String> e : options.entrySet()) {
            String name = camel(e.getKey());
            if (!hasParam(name)) {
                throw new IllegalArgumentException("unknown bayling option '" + e.getKey() + "'; known: "
                        + String.join(", ", optionNames()));
            }
            Param<Object> p = getParam(name);
            String v = e.getValue() == null ? "" : e.getValue().trim();
            try {
                Object value;
                if (p instanceof IntParam) {
                    value = Integer.parseInt(v);
                } else if (p instanceof LongParam) {
                    value = Long.parseLong(v);
                } else if (p instanceof DoubleParam) {
                    value = Double.parseDouble(v);
                } else if (p instanceof BooleanParam) {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                        throw new NumberFormatException("expected true or false");
                    }
                    value = Boolean.parseBoolean(v);
                } else {
                    value = v;
                }
                set(p, value);
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("bayling option '" + e.getKey() + "': bad value '" + v + "' ("
                        + ex.getMessage() + ")", ex);
            }
        }
        return this;
    }

    /** Option keys accepted by {@link #setOptions} (snake_case param names). */
    public List<String> optionNames() {
        List<String> names = new ArrayList<>();
        for (Param<?> p : params()) {
            names.add(snake(p.name()));
        }
        return names;
    }

    static String camel(String key) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char c : key.trim().toCharArray()) {
            if (c == '_' || c == '-' || c == '.') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return sb.toString();
    }

    static String snake(String name) {
        return name.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
    }

    private String str(Param<String> p) {
        String v = getOrDefault(p);
        return v == null ? "" : v.trim();
    }

    // ---- Transformer ----

    @Override
    public StructType transformSchema(StructType schema) {
        List<String> names = Arrays.asList(schema.fieldNames());
        requireString(schema, names, getInputCol(), "inputCol");
        for (String[] lang : new String[][] {{str(srcLangCol), str(srcLang), "srcLang"}, {str(tgtLangCol), str(tgtLang), "tgtLang"}}) {
            if (!lang[0].isEmpty()) {
                requireString(schema, names, lang[0], lang[2] + "Col");
            } else if (lang[1].isEmpty()) {
                throw new IllegalArgumentException("set " + lang[2] + " (a language code) or " + lang[2]
                        + "Col (a column of codes)");
            }
        }
        for (Param<String> p : List.of(followupsCol, termsCol)) {
            String c = str(p);
            if (c.isEmpty()) {
                continue;
            }
            if (!names.contains(c)) {
                throw new IllegalArgumentException(p.name() + " '" + c + "' is not a column of " + names);
            }
            DataType t = schema.apply(c).dataType();
            if (!(t instanceof StringType) && !(t instanceof ArrayType a && a.elementType() instanceof StringType)) {
                throw new IllegalArgumentException(p.name() + " '" + c + "' must be array<string> or string, is "
                        + t.simpleString());
            }
        }
        if (!str(referenceCol).isEmpty()) {
            requireString(schema, names, str(referenceCol), "referenceCol");
        }
        if (getModel().isEmpty()) {
            throw new IllegalArgumentException("set model (a model directory URI)");
        }
        if (names.contains(getOutputCol())) {
            throw new IllegalArgumentException("output column '" + getOutputCol() + "' already exists");
        }
        translationSettings(); // validates the decoding params, budgets and unit
        Metadata meta = new MetadataBuilder()
                .putString("bayling.model.uri", getModel())
                .putString("bayling.generation", OutputSchema.generationJson(generation()))
                .build();
        return schema.add(new StructField(getOutputCol(), OutputSchema.RESULT, true, meta));
    }

    private static void requireString(StructType schema, List<String> names, String col, String param) {
        if (col.isEmpty() || !names.contains(col)) {
            throw new IllegalArgumentException(param + " '" + col + "' is not a column of " + names);
        }
        if (!(schema.apply(col).dataType() instanceof StringType)) {
            throw new IllegalArgumentException(param + " '" + col + "' must be a string column, is "
                    + schema.apply(col).dataType().simpleString());
        }
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType in = dataset.schema();
        StructType out = transformSchema(in, true);
        ExecutorTranslation translator = ExecutorTranslation.prepare(dataset.sparkSession(), translationSettings());
        var fn = translator.appendResults(new ExecutorTranslation.Columns(in.fieldIndex(getInputCol()),
                index(in, str(srcLangCol)), str(srcLang), index(in, str(tgtLangCol)), str(tgtLang),
                index(in, str(followupsCol)), index(in, str(termsCol))));
        Dataset<Row> translated = dataset.toDF().mapPartitions(fn, Encoders.row(out));
        if (str(referenceCol).isEmpty() || !getQuality()) {
            return translated;
        }
        // sentence BLEU/chrF against the row's reference, as the job adds them after joining rows back
        String o = getOutputCol();
        Column tgt = str(tgtLangCol).isEmpty() ? functions.lit(str(tgtLang)) : functions.col(str(tgtLangCol));
        Column quality = QualityFields.withReferenceScores(functions.col(o + "." + OutputSchema.QUALITY),
                functions.col(o + "." + OutputSchema.TRANSLATION), functions.col(str(referenceCol)), tgt);
        return translated.withColumn(o, functions.col(o).withField(OutputSchema.QUALITY, quality),
                out.apply(o).metadata());
    }

    private static int index(StructType s, String col) {
        return col.isEmpty() ? -1 : s.fieldIndex(col);
    }

    /** The translation settings these params describe (what the job's translation takes, too). */
    public TranslationSettings translationSettings() {
        return TranslationSettings.builder()
                .model(getModel())
                .generation(generation())
                .device(str(device))
                .dtype(str(dtype))
                .weights(str(weights))
                .threadsPerTask((Integer) getOrDefault(threads))
                .template(str(template))
                .instructionLanguage(str(instructionLanguage))
                .maxBatchTokens((Integer) getOrDefault(maxBatchTokens))
                .maxPromptTokens((Integer) getOrDefault(maxPromptTokens))
                .chunkTokens((Integer) getOrDefault(chunkTokens))
                .unit(TranslationUnit.parse(str(unit)))
                .quality(getQuality())
                .distribution(TranslationSettings.Distribution.parse(str(distribution)))
                .cacheDir(str(cacheDir))
                .build();
    }

    @Override
    public TranslationTransformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Params as a map of snake_case option keys (what {@link #setOptions} accepts), for display. */
    public Map<String, String> options() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Param<?> p : params()) {
            m.put(snake(p.name()), String.valueOf(getOrDefault(p)));
        }
        return m;
    }

    // ---- persistence (DefaultParamsReadable, Java style) ----

    public static MLReader<TranslationTransformer> read() {
        return new DefaultParamsReader<>();
    }

    public static TranslationTransformer load(String path) {
        return read().load(path);
    }
}
