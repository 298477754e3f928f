package org.bayling.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bayling.model.checkpoint.CheckpointException;

/**
 * The model's Hugging Face tokenizer ({@code tokenizer.json}) through DJL's bindings. Special tokens
 * written inside prompt text ({@code </s>}, {@code <|eot_id|>}) become their ids; BOS is present
 * exactly once at the start unless {@code tokenizer_config.json} says {@code add_bos_token: false}
 * (LLaMA's post-processor adds it, the Llama-3 tokenizer.json does not, so it is added here).
 * Thread-safe: the native tokenizer is immutable.
 */
public final class BaylingTokenizer implements AutoCloseable {

    public static final String FILE = "tokenizer.json";
    public static final String CONFIG_FILE = "tokenizer_config.json";
    private static final Map<String, String> OPTIONS = Map.of("addSpecialTokens", "true", "truncation", "false",
            "padding", "false");

    private final HuggingFaceTokenizer tokenizer;
    private final int bosId;
    private final boolean addBos;

    private BaylingTokenizer(HuggingFaceTokenizer tokenizer, int bosId, boolean addBos) {
        this.tokenizer = tokenizer;
        this.bosId = bosId;
        this.addBos = addBos;
    }

    public static BaylingTokenizer load(Path modelDir, ModelConfig config) throws IOException {
        Path file = modelDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "not found (the model directory must hold the Hugging Face tokenizer)");
        }
        Path tc = modelDir.resolve(CONFIG_FILE);
        boolean addBos = Files.isRegularFile(tc) ? addBos(Files.readString(tc, StandardCharsets.UTF_8), tc.toString()) : true;
        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.newInstance(file, OPTIONS);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file, "not a Hugging Face tokenizer: " + e.getMessage(), e);
        }
        return new BaylingTokenizer(hf, config.bosTokenId(), addBos);
    }

    /**
     * Checks the tokenizer files without keeping anything: {@code tokenizer.json} loads in the native tokenizer
     * and every token id it can produce lies inside the model's vocabulary; {@code tokenizer_config.json}
     * (null when absent) is a JSON object whose {@code add_bos_token} is a boolean. Errors name the file.
     */
    public static void check(String tokenizerJson, String tokenizerConfigJson, ModelConfig config) throws CheckpointException {
        if (tokenizerConfigJson != null) {
            addBos(tokenizerConfigJson, CONFIG_FILE);
        }
        JsonObject root;
        try {
            JsonElement parsed = JsonParser.parseString(tokenizerJson);
            if (!parsed.isJsonObject() || !parsed.getAsJsonObject().has("model")
                    || !parsed.getAsJsonObject().get("model").isJsonObject()) {
                throw new CheckpointException(FILE, "not a Hugging Face tokenizer (no \"model\" object)");
            }
            root = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new CheckpointException(FILE, "not valid JSON: " + e.getMessage(), e);
        }
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(
                new ByteArrayInputStream(tokenizerJson.getBytes(StandardCharsets.UTF_8)), OPTIONS)) {
            hf.encode("a");
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(FILE, "not a Hugging Face tokenizer: " + e.getMessage(), e);
        }
        long maxId = -1;
        String maxToken = null;
        JsonElement vocab = root.getAsJsonObject("model").get("vocab");
        if (vocab != null && vocab.isJsonObject()) {
            for (var e : vocab.getAsJsonObject().entrySet()) {
                long id = e.getValue().isJsonPrimitive() ? e.getValue().getAsLong() : -1;
                if (id > maxId) {
                    maxId = id;
                    maxToken = e.getKey();
                }
            }
        } else if (vocab != null && vocab.isJsonArray()) {
            maxId = vocab.getAsJsonArray().size() - 1L; // unigram: the id is the position
            maxToken = "#" + maxId;
        }
        JsonElement added = root.get("added_tokens");
        if (added != null && added.isJsonArray()) {
            for (JsonElement t : added.getAsJsonArray()) {
                if (t.isJsonObject() && t.getAsJsonObject().has("id") && t.getAsJsonObject().get("id").getAsLong() > maxId) {
                    maxId = t.getAsJsonObject().get("id").getAsLong();
                    maxToken = t.getAsJsonObject().has("content") ? t.getAsJsonObject().get("content").getAsString() : "?";
                }
            }
        }
        if (maxId >= config.vocabSize()) {
            throw new CheckpointException(FILE, "token '" + maxToken + "' has id " + maxId
                    + ", outside the model's vocab_size " + config.vocabSize() + " (config.json)");
        }
    }

    /** {@code add_bos_token} of tokenizer_config.json (true when absent). */
    private static boolean addBos(String json, String source) throws CheckpointException {
        JsonElement o;
        try {
            o = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new CheckpointException(source, "not valid JSON: " + e.getMessage(), e);
        }
        if (!o.isJsonObject()) {
            throw new CheckpointException(source, "not a JSON object");
        }
        JsonElement v = o.getAsJsonObject().get("add_bos_token");
        if (v == null || v.isJsonNull()) {
            return true;
        }
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isBoolean()) {
            throw new CheckpointException(source, "add_bos_token is " + v + ": expected true or false");
        }
        return v.getAsBoolean();
    }

    /** Token ids of a prompt, BOS first (once). */
    public int[] encode(String text) {
        Encoding enc = tokenizer.encode(text);
        long[] ids = enc.getIds();
        boolean hasBos = ids.length > 0 && ids[0] == bosId;
        int offset = addBos && !hasBos ? 1 : 0;
        int[] out = new int[ids.length + offset];
        if (offset == 1) {
            out[0] = bosId;
        }
        for (int i = 0; i < ids.length; i++) {
            out[i + offset] = (int) ids[i];
        }
        return out;
    }

    /** Token count of a piece of text without BOS (for budgets). */
    public int count(String text) {
        return tokenizer.encode(text, false, false).getIds().length;
    }

    /** Text of generated ids, special tokens dropped, byte-fallback pieces joined into whole characters. */
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, true);
    }

    public int bosId() {
        return bosId;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
