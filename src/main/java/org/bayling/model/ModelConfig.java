package org.bayling.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
            throw new IOException(file + ": config.json not found (is " + modelDir + " a Hugging Face model directory?)");
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(JsonParser.parseReader(r).getAsJsonObject(), file.toString());
        } catch (IllegalStateException | com.google.gson.JsonParseException e) {
            throw new IOException(file + ": not a JSON object: " + e.getMessage(), e);
        }
    }

    /** Parses a config object; {@code source} names the file in error messages. */
    public static ModelConfig parse(JsonObject json, String source) throws IOException {
        JsonArray arch = json.has("architectures") ? json.getAsJsonArray("architectures") : null;
        if (arch != null && !arch.isEmpty() && !"LlamaForCausalLM".equals(arch.get(0).getAsString())) {
            throw new IOException(source + ": unsupported architecture " + arch.get(0).getAsString()
                    + " (only LlamaForCausalLM: LLaMA, LLaMA-2, Llama-3 and their BayLing fine-tunes)");
        }
        String modelType = json.has("model_type") ? json.get("model_type").getAsString() : "llama";
        if (!modelType.equals("llama")) {
            throw new IOException(source + ": unsupported model_type '" + modelType + "' (only 'llama')");
        }
        int hidden = requireInt(json, "hidden_size", source);
        int heads = requireInt(json, "num_attention_heads", source);
        int kvHeads = optInt(json, "num_key_value_heads", heads);
        int headDim = optInt(json, "head_dim", hidden / heads);
        if (heads % kvHeads != 0) {
            throw new IOException(source + ": num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        if (!json.has("head_dim") && hidden % heads != 0) {
            throw new IOException(source + ": hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        }
        List<Integer> eos = new ArrayList<>();
        JsonElement eosEl = json.get("eos_token_id");
        if (eosEl != null && eosEl.isJsonArray()) {
            eosEl.getAsJsonArray().forEach(e -> eos.add(e.getAsInt()));
        } else if (eosEl != null && !eosEl.isJsonNull()) {
            eos.add(eosEl.getAsInt());
        }
        return new ModelConfig(
                requireInt(json, "vocab_size", source), hidden, requireInt(json, "intermediate_size", source),
                requireInt(json, "num_hidden_layers", source), heads, kvHeads, headDim,
                optDouble(json, "rms_norm_eps", 1e-6), optDouble(json, "rope_theta", 10000.0),
                parseRopeScaling(json, source), optInt(json, "max_position_embeddings", 2048),
                json.has("tie_word_embeddings") && json.get("tie_word_embeddings").getAsBoolean(),
                optInt(json, "bos_token_id", 1), List.copyOf(eos), optInt(json, "pad_token_id", -1),
                json.has("torch_dtype") && !json.get("torch_dtype").isJsonNull()
                        ? json.get("torch_dtype").getAsString() : "float32");
    }

    private static RopeScaling parseRopeScaling(JsonObject json, String source) throws IOException {
        JsonElement el = json.get("rope_scaling");
        if (el == null || el.isJsonNull()) {
            return null;
        }
        JsonObject o = el.getAsJsonObject();
        String type = o.has("rope_type") ? o.get("rope_type").getAsString()
                : o.has("type") ? o.get("type").getAsString() : null;
        if (type == null) {
            throw new IOException(source + ": rope_scaling has neither 'rope_type' nor 'type'");
        }
        type = type.toLowerCase(Locale.ROOT);
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("linear") && !type.equals("llama3")) {
            throw new IOException(source + ": unsupported rope_scaling type '" + type + "' (supported: linear, llama3)");
        }
        if (!o.has("factor")) {
            throw new IOException(source + ": rope_scaling of type " + type + " needs 'factor'");
        }
        return new RopeScaling(type, o.get("factor").getAsDouble(), optDouble(o, "low_freq_factor", 1.0),
                optDouble(o, "high_freq_factor", 4.0), optInt(o, "original_max_position_embeddings", 8192));
    }

    private static int requireInt(JsonObject json, String key, String source) throws IOException {
        if (!json.has(key) || json.get(key).isJsonNull()) {
            throw new IOException(source + ": required key '" + key + "' is missing");
        }
        return json.get(key).getAsInt();
    }

    private static int optInt(JsonObject json, String key, int fallback) {
        return json.has(key) && !json.get(key).isJsonNull() ? json.get(key).getAsInt() : fallback;
    }

    private static double optDouble(JsonObject json, String key, double fallback) {
        return json.has(key) && !json.get(key).isJsonNull() ? json.get(key).getAsDouble() : fallback;
    }

    public int kvGroups() {
        return numHeads / numKvHeads;
    }
}
