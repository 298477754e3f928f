package org.bayling.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The model's Hugging Face tokenizer ({@code tokenizer.json}) through DJL's bindings. Special tokens
 * written inside prompt text ({@code </s>}, {@code <|eot_id|>}) become their ids; BOS is present
 * exactly once at the start unless {@code tokenizer_config.json} says {@code add_bos_token: false}
 * (LLaMA's post-processor adds it, the Llama-3 tokenizer.json does not, so it is added here).
 * Thread-safe: the native tokenizer is immutable.
 */
public final class BaylingTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final int bosId;
    private final boolean addBos;

    private BaylingTokenizer(HuggingFaceTokenizer tokenizer, int bosId, boolean addBos) {
        this.tokenizer = tokenizer;
        this.bosId = bosId;
        this.addBos = addBos;
    }

    public static BaylingTokenizer load(Path modelDir, ModelConfig config) throws IOException {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": tokenizer.json not found (the model directory must hold the Hugging Face tokenizer)");
        }
        boolean addBos = true;
        Path tc = modelDir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(tc)) {
            try (Reader r = Files.newBufferedReader(tc, StandardCharsets.UTF_8)) {
                JsonObject o = JsonParser.parseReader(r).getAsJsonObject();
                if (o.has("add_bos_token") && !o.get("add_bos_token").isJsonNull()) {
                    addBos = o.get("add_bos_token").getAsBoolean();
                }
            } catch (RuntimeException e) {
                throw new IOException(tc + ": not valid JSON: " + e.getMessage(), e);
            }
        }
        HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file,
                Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
        return new BaylingTokenizer(hf, config.bosTokenId(), addBos);
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
