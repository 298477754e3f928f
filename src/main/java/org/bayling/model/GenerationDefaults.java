package org.bayling.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.bayling.generate.GenerationConfig;
import org.bayling.model.checkpoint.CheckpointException;

/** Reads {@code generation_config.json} into a {@link GenerationConfig}; absent keys keep HF's defaults. */
final class GenerationDefaults {

    static final String FILE = "generation_config.json";

    private GenerationDefaults() {
    }

    static GenerationConfig load(Path dir, ModelConfig config) throws IOException {
        Path file = dir.resolve(FILE);
        String text = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        return parse(text, file.toString(), config);
    }

    /** Parses the text of {@code generation_config.json} (null when there is none); {@code source} names it in errors. */
    static GenerationConfig parse(String text, String source, ModelConfig config) throws CheckpointException {
        GenerationConfig.Builder b = GenerationConfig.builder();
        LinkedHashSet<Integer> eos = new LinkedHashSet<>(config.eosTokenIds());
        if (text != null) {
            try {
                JsonObject o = JsonParser.parseString(text).getAsJsonObject();
                if (has(o, "max_new_tokens")) b.maxNewTokens(o.get("max_new_tokens").getAsInt());
                if (has(o, "min_new_tokens")) b.minNewTokens(o.get("min_new_tokens").getAsInt());
                if (has(o, "num_beams")) b.numBeams(o.get("num_beams").getAsInt());
                if (has(o, "do_sample")) b.doSample(o.get("do_sample").getAsBoolean());
                if (has(o, "temperature")) b.temperature(o.get("temperature").getAsDouble());
                if (has(o, "top_k")) b.topK(o.get("top_k").getAsInt());
                if (has(o, "top_p")) b.topP(o.get("top_p").getAsDouble());
                if (has(o, "repetition_penalty")) b.repetitionPenalty(o.get("repetition_penalty").getAsDouble());
                if (has(o, "length_penalty")) b.lengthPenalty(o.get("length_penalty").getAsDouble());
                if (has(o, "early_stopping") && o.get("early_stopping").getAsJsonPrimitive().isBoolean()) {
                    b.earlyStopping(o.get("early_stopping").getAsBoolean());
                }
                JsonElement e = o.get("eos_token_id");
                if (e != null && !e.isJsonNull()) {
                    eos.clear();
                    if (e.isJsonArray()) {
                        e.getAsJsonArray().forEach(x -> eos.add(x.getAsInt()));
                    } else {
                        eos.add(e.getAsInt());
                    }
                }
            } catch (RuntimeException e) {
                throw new CheckpointException(source, "not valid: " + e.getMessage(), e);
            }
            for (int id : eos) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new CheckpointException(source, "eos_token_id " + id + " is outside the model's vocab_size "
                            + config.vocabSize());
                }
            }
        }
        try {
            return b.eosIds(new ArrayList<>(eos)).build();
        } catch (IllegalArgumentException ex) {
            throw new CheckpointException(source, ex.getMessage(), ex);
        }
    }

    private static boolean has(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull();
    }

}
