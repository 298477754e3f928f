package org.bayling.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bayling.model.checkpoint.CheckpointException;

/**
 * The numbers of a LLaMA-family checkpoint, read from {@code config.json} as each era writes it:
 * LLaMA-1/2 (no {@code rope_theta}, no {@code num_key_value_heads}) and Llama-3.x ({@code head_dim},
 * {@code eos_token_id} as a list, {@code rope_scaling} with {@code rope_type}).
 */
public record ModelConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                          int numKvHeads, int headDim, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
                          int maxPositions, boolean tieWordEmbeddings, int bosTokenId, List<Integer> eosTokenIds,
                          int padTokenId, String torchDtype) implements Serializable {

    /**
     * RoPE frequency scaling: {@code linear} (positions divided by factor) or {@code llama3}
     * (wavelength-dependent, as Llama-3.1 configures it).
     */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositions) implements Serializable {
    }

    public static ModelConfig load(Path modelDir) throws IOException {
        Path file = modelDir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "config.json not found (is " + modelDir + " a Hugging Face model directory?)");
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses the text of a config.json; {@code source} names the file in error messages. */
    public static ModelConfig parse(String text, String source) throws CheckpointException {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (com.google.gson.JsonParseException e) {
            throw new CheckpointException(source, "not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isJsonObject()) {
            throw new CheckpointException(source, "not a JSON object");
        }
        return parse(root.getAsJsonObject(), source);
    }

    /**
     * Parses and validates a config object: every number in range (positive sizes that fit an int, positive
     * finite epsilons and frequencies), shapes consistent (heads divide the hidden size, KV heads divide the
     * heads, an even head size for RoPE), token ids inside the vocabulary. {@code source} names the file in
     * error messages; each message names the key and its value.
     */
    public static ModelConfig parse(JsonObject json, String source) throws CheckpointException {
        Keys k = new Keys(json, source);
        JsonElement arch = json.get("architectures");
        if (arch != null && !arch.isJsonNull()) {
            if (!arch.isJsonArray() || arch.getAsJsonArray().isEmpty() || !isString(arch.getAsJsonArray().get(0))) {
                throw k.bad("architectures", "a list of class names");
            }
            String first = arch.getAsJsonArray().get(0).getAsString();
            if (!"LlamaForCausalLM".equals(first)) {
                throw new CheckpointException(source, "unsupported architecture " + first
                        + " (only LlamaForCausalLM: LLaMA, LLaMA-2, Llama-3 and their BayLing fine-tunes)");
            }
        }
        String modelType = k.string("model_type", "llama");
        if (!modelType.equals("llama")) {
            throw new CheckpointException(source, "unsupported model_type '" + modelType + "' (only 'llama')");
        }
        int vocab = k.positiveInt("vocab_size");
        int hidden = k.positiveInt("hidden_size");
        int intermediate = k.positiveInt("intermediate_size");
        int layers = k.positiveInt("num_hidden_layers");
        int heads = k.positiveInt("num_attention_heads");
        int kvHeads = json.has("num_key_value_heads") && !json.get("num_key_value_heads").isJsonNull()
                ? k.positiveInt("num_key_value_heads") : heads;
        if (heads % kvHeads != 0) {
            throw new CheckpointException(source, "num_key_value_heads " + kvHeads + " does not divide num_attention_heads "
                    + heads + " (each KV head serves a whole group of query heads)");
        }
        int headDim;
        if (json.has("head_dim") && !json.get("head_dim").isJsonNull()) {
            headDim = k.positiveInt("head_dim");
            if (headDim % 2 != 0) {
                throw new CheckpointException(source, "head_dim is " + headDim + ": must be even (RoPE rotates pairs)");
            }
        } else {
            if (hidden % heads != 0) {
                throw new CheckpointException(source, "hidden_size " + hidden + " is not divisible by num_attention_heads "
                        + heads);
            }
            headDim = hidden / heads;
            if (headDim % 2 != 0) {
                throw new CheckpointException(source, "hidden_size " + hidden + " / num_attention_heads " + heads + " = "
                        + headDim + " per head: must be even (RoPE rotates pairs)");
            }
        }
        if ((long) heads * headDim > Integer.MAX_VALUE) {
            throw new CheckpointException(source, "num_attention_heads " + heads + " x head_dim " + headDim
                    + " overflows a 32-bit integer");
        }
        List<Integer> eos = new ArrayList<>();
        JsonElement eosEl = json.get("eos_token_id");
        if (eosEl != null && eosEl.isJsonArray()) {
            for (JsonElement e : eosEl.getAsJsonArray()) {
                eos.add(k.tokenId("eos_token_id", e, vocab));
            }
        } else if (eosEl != null && !eosEl.isJsonNull()) {
            eos.add(k.tokenId("eos_token_id", eosEl, vocab));
        }
        int bos = json.has("bos_token_id") && !json.get("bos_token_id").isJsonNull()
                ? k.tokenId("bos_token_id", json.get("bos_token_id"), vocab) : 1;
        int pad = json.has("pad_token_id") && !json.get("pad_token_id").isJsonNull()
                ? k.integer("pad_token_id", json.get("pad_token_id"), Integer.MIN_VALUE, vocab - 1,
                "a token id below vocab_size " + vocab + " (negative: none)") : -1;
        return new ModelConfig(vocab, hidden, intermediate, layers, heads, kvHeads, headDim,
                k.positiveFinite("rms_norm_eps", 1e-6), k.positiveFinite("rope_theta", 10000.0),
                parseRopeScaling(json, k), json.has("max_position_embeddings") && !json.get("max_position_embeddings").isJsonNull()
                        ? k.positiveInt("max_position_embeddings") : 2048,
                k.bool("tie_word_embeddings", false), bos, List.copyOf(eos), pad, k.string("torch_dtype", "float32"));
    }

    private static RopeScaling parseRopeScaling(JsonObject json, Keys k) throws CheckpointException {
        JsonElement el = json.get("rope_scaling");
        if (el == null || el.isJsonNull()) {
            return null;
        }
        if (!el.isJsonObject()) {
            throw k.bad("rope_scaling", "an object with rope_type and factor");
        }
        JsonObject o = el.getAsJsonObject();
        Keys r = new Keys(o, k.source, "rope_scaling.");
        String type = o.has("rope_type") ? r.string("rope_type", null) : o.has("type") ? r.string("type", null) : null;
        if (type == null) {
            throw new CheckpointException(k.source, "rope_scaling has neither 'rope_type' nor 'type'");
        }
        type = type.toLowerCase(Locale.ROOT);
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("linear") && !type.equals("llama3")) {
            throw new CheckpointException(k.source, "unsupported rope_scaling type '" + type + "' (supported: linear, llama3)");
        }
        if (!o.has("factor")) {
            throw new CheckpointException(k.source, "rope_scaling of type " + type + " needs 'factor'");
        }
        double low = r.positiveFinite("low_freq_factor", 1.0);
        double high = r.positiveFinite("high_freq_factor", 4.0);
        if (type.equals("llama3") && !(high > low)) {
            throw new CheckpointException(k.source, "rope_scaling.high_freq_factor " + high
                    + " must be above rope_scaling.low_freq_factor " + low);
        }
        return new RopeScaling(type, r.positiveFinite("factor", 1.0), low, high,
                o.has("original_max_position_embeddings") ? r.positiveInt("original_max_position_embeddings") : 8192);
    }

    private static boolean isString(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    /** Typed, range-checked reads of one JSON object's keys; errors name the file, the key and the value. */
    private record Keys(JsonObject json, String source, String prefix) {

        Keys(JsonObject json, String source) {
            this(json, source, "");
        }

        CheckpointException bad(String key, String expected) {
            return new CheckpointException(source, prefix + key + " is " + json.get(key) + ": expected " + expected);
        }

        int positiveInt(String key) throws CheckpointException {
            if (!json.has(key) || json.get(key).isJsonNull()) {
                throw new CheckpointException(source, "required key '" + prefix + key + "' is missing");
            }
            return integer(key, json.get(key), 1, Integer.MAX_VALUE, "a positive integer");
        }

        int tokenId(String key, JsonElement value, int vocab) throws CheckpointException {
            return integer(key, value, 0, vocab - 1, "a token id in [0, vocab_size " + vocab + ")");
        }

        int integer(String key, JsonElement value, long min, long max, String expected) throws CheckpointException {
            java.math.BigDecimal d;
            try {
                d = value.getAsJsonPrimitive().isNumber() ? value.getAsBigDecimal() : null;
            } catch (RuntimeException e) {
                d = null;
            }
            java.math.BigInteger v;
            try {
                v = d == null ? null : d.toBigIntegerExact();
            } catch (ArithmeticException e) {
                v = null;
            }
            if (v == null) {
                throw new CheckpointException(source, prefix + key + " is " + value + ": expected " + expected);
            }
            if (v.bitLength() > 31) {
                throw new CheckpointException(source, prefix + key + " is " + v + ": does not fit a 32-bit integer (at most "
                        + Integer.MAX_VALUE + ")");
            }
            if (v.longValue() < min || v.longValue() > max) {
                throw new CheckpointException(source, prefix + key + " is " + v + ": expected " + expected);
            }
            return v.intValue();
        }

        double positiveFinite(String key, double fallback) throws CheckpointException {
            JsonElement e = json.get(key);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            double v = e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsDouble() : Double.NaN;
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new CheckpointException(source, prefix + key + " is " + e + ": expected a positive finite number");
            }
            return v;
        }

        boolean bool(String key, boolean fallback) throws CheckpointException {
            JsonElement e = json.get(key);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw bad(key, "true or false");
            }
            return e.getAsBoolean();
        }

        String string(String key, String fallback) throws CheckpointException {
            JsonElement e = json.get(key);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            if (!isString(e)) {
                throw bad(key, "a string");
            }
            return e.getAsString();
        }
    }

    public int kvGroups() {
        return numHeads / numKvHeads;
    }
}
