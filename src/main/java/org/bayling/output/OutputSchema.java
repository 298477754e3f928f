package org.bayling.output;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createStructField;
import static org.apache.spark.sql.types.DataTypes.createStructType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.bayling.generate.GenerationConfig;

/**
 * The single source of truth for column names and types: the output table (written by the job in
 * {@code spark}, read back by the evaluation and report in {@code quality.eval}), the normalized input
 * the job plans over, and the per-row result struct of all three faces ({@link #RESULT}). It sits below both so that
 * neither has to know the other.
 */
public final class OutputSchema {

    private OutputSchema() {
    }

    // ---- output columns ----
    public static final String ID = "id";
    /**
     * Row identity with {@link #ID}: 1 for the first input row with its id (in input order: file path, then
     * position in the file), 2 for the second, ... Resume and append key on (id, occurrence).
     */
    public static final String OCCURRENCE = "occurrence";
    public static final String SRC_LANG = "src_lang";
    public static final String TGT_LANG = "tgt_lang";
    public static final String SOURCE = "source";
    public static final String REFERENCE = "reference";
    public static final String TRANSLATION = "translation";
    public static final String TURNS = "turns";
    public static final String STATUS = "status";
    public static final String ERROR = "error";
    public static final String QUALITY = "quality";
    public static final String N_INPUT_TOKENS = "n_input_tokens";
    public static final String N_OUTPUT_TOKENS = "n_output_tokens";
    public static final String REUSED_PREFIX_TOKENS = "reused_prefix_tokens";
    public static final String FINISH_REASON = "finish_reason";
    /** How many pieces the text was translated in: 1 when whole, more when cut into sentences or chunks. */
    public static final String SEGMENTS = "segments";
    /** Per piece, its character span in the source and in the translation (for reviewers). */
    public static final String ALIGNMENT = "alignment";
    public static final String MODEL = "model";
    public static final String GENERATION = "generation";
    public static final String GENERATION_HASH = "generation_hash";
    public static final String REQUEST_HASH = "request_hash";
    public static final String RUN_ID = "run_id";
    public static final String RUN_STARTED_AT = "run_started_at";
    public static final String TRANSLATED_AT = "translated_at";
    public static final String EXECUTOR = "executor";

    /** Output partition column. */
    public static final String PARTITION_BY = TGT_LANG;

    // ---- status values ----
    public static final String STATUS_OK = "ok";
    public static final String STATUS_ERROR = "error";
    /** Source and target language are the same: the source is copied, no model call. */
    public static final String STATUS_SKIPPED = "skipped";

    // ---- normalized input, planned on the driver (not written) ----
    public static final String FOLLOWUPS = "followups";
    public static final String TERMS = "terms";
    public static final String INPUT_ERROR = "input_error";

    /** The {@code quality} column: combined score, flags and the signals behind them ({@code spark.QualityFields} fills it). */
    public static final StructType QUALITY_STRUCT = createStructType(List.of(
            createStructField("score", DoubleType, true),
            createStructField("flags", createArrayType(StringType, false), true),
            createStructField("mean_logprob", DoubleType, true),
            createStructField("min_logprob", DoubleType, true),
            createStructField("perplexity", DoubleType, true),
            createStructField("length_ratio", DoubleType, true),
            createStructField("expected_length_ratio", DoubleType, true),
            createStructField("detected_lang", StringType, true),
            createStructField("lang_confidence", DoubleType, true),
            createStructField("copy_similarity", DoubleType, true),
            createStructField("repeated_ngram_ratio", DoubleType, true),
            createStructField("truncated", BooleanType, true),
            createStructField("terms_found", createArrayType(StringType, false), true),
            createStructField("term_coverage", DoubleType, true),
            createStructField("sentence_bleu", DoubleType, true),
            createStructField("sentence_chrf", DoubleType, true),
            // a text translated in several segments: the segment with the lowest combined score
            createStructField("worst_segment", IntegerType, true),
            createStructField("worst_segment_score", DoubleType, true)));

    public static final StructType TURN = createStructType(List.of(
            createStructField("instruction", StringType, true),
            createStructField("response", StringType, true),
            createStructField("finish_reason", StringType, true)));

    /** One translated piece: {@code [start, end)} character offsets in the source and in the translation. */
    public static final StructType SPAN = createStructType(List.of(
            createStructField("source_start", IntegerType, false),
            createStructField("source_end", IntegerType, false),
            createStructField("target_start", IntegerType, false),
            createStructField("target_end", IntegerType, false)));

    public static final StructType MODEL_STRUCT = createStructType(List.of(
            createStructField("name", StringType, false),
            createStructField("hash", StringType, false)));

    public static final StructType GENERATION_STRUCT = createStructType(List.of(
            createStructField("max_new_tokens", IntegerType, false),
            createStructField("min_new_tokens", IntegerType, false),
            createStructField("num_beams", IntegerType, false),
            createStructField("num_return_sequences", IntegerType, false),
            createStructField("length_penalty", DoubleType, false),
            createStructField("early_stopping", BooleanType, false),
            createStructField("do_sample", BooleanType, false),
            createStructField("temperature", DoubleType, false),
            createStructField("top_k", IntegerType, false),
            createStructField("top_p", DoubleType, false),
            createStructField("seed", LongType, false),
            createStructField("repetition_penalty", DoubleType, false)));

    public static final StructType EXECUTOR_STRUCT = createStructType(List.of(
            createStructField("host", StringType, true),
            createStructField("pid", LongType, false),
            createStructField("model_loads", IntegerType, false)));

    /** Normalized input rows: what {@code spark.InputReader} returns and the plan step enriches. */
    public static final StructType INPUT = createStructType(List.of(
            createStructField(ID, StringType, true),
            createStructField(SOURCE, StringType, true),
            createStructField(SRC_LANG, StringType, true),
            createStructField(TGT_LANG, StringType, true),
            createStructField(FOLLOWUPS, createArrayType(StringType, true), true),
            createStructField(TERMS, createArrayType(StringType, true), true),
            createStructField(REFERENCE, StringType, true),
            createStructField(INPUT_ERROR, StringType, true),
            createStructField(OCCURRENCE, IntegerType, false)));

    /**
     * The result of translating one row, the same from the job, the ML Transformer and SQL: the job
     * writes its fields as output columns; the Transformer and SQL return it as a struct column.
     */
    public static final StructType RESULT = createStructType(List.of(
            createStructField(TRANSLATION, StringType, true),
            createStructField(STATUS, StringType, false),
            createStructField(ERROR, StringType, true),
            createStructField(QUALITY, QUALITY_STRUCT, true),
            createStructField(N_INPUT_TOKENS, IntegerType, false),
            createStructField(N_OUTPUT_TOKENS, IntegerType, false),
            createStructField(FINISH_REASON, StringType, true),
            createStructField(REUSED_PREFIX_TOKENS, IntegerType, false),
            createStructField(TURNS, createArrayType(TURN, true), true),
            createStructField(SEGMENTS, IntegerType, true),
            createStructField(ALIGNMENT, createArrayType(SPAN, true), true)));

    /** Output column order (the partition column is moved last by the writer). */
    public static final List<String> OUTPUT_COLUMNS = List.of(ID, OCCURRENCE, SRC_LANG, TGT_LANG, SOURCE, REFERENCE, TRANSLATION,
            TURNS, STATUS, ERROR, QUALITY, N_INPUT_TOKENS, N_OUTPUT_TOKENS, REUSED_PREFIX_TOKENS, FINISH_REASON, SEGMENTS,
            ALIGNMENT, MODEL,
            GENERATION, GENERATION_HASH, REQUEST_HASH, RUN_ID, RUN_STARTED_AT, TRANSLATED_AT, EXECUTOR);

    public static Row generationRow(GenerationConfig g) {
        return RowFactory.create(g.maxNewTokens(), g.minNewTokens(), g.numBeams(), g.numReturnSequences(),
                g.lengthPenalty(), g.earlyStopping(), g.doSample(), g.temperature(), g.topK(), g.topP(), g.seed(),
                g.repetitionPenalty());
    }

    /** Stable hash of every decoding parameter; resume only skips ids written with the same one. */
    public static String generationHash(GenerationConfig g) {
        return sha256(generationJson(g));
    }

    /** Canonical JSON of the generation config (also stored in the Parquet metadata and the summary). */
    public static String generationJson(GenerationConfig g) {
        return new com.google.gson.GsonBuilder().disableHtmlEscaping().create().toJson(g);
    }

    /** Array values for external rows must be Scala sequences. */
    public static scala.collection.immutable.Seq<Object> seq(List<?> list) {
        return list == null ? null
                : scala.jdk.javaapi.CollectionConverters.asScala(new java.util.ArrayList<Object>(list)).toList();
    }

    public static String sha256(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
