package org.bayling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bayling.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json of each era, RoPE scaling, refusals with clear messages, generation defaults. */
class ModelConfigTest {

    static ModelConfig parse(String json) throws IOException {
        return ModelConfig.parse(JsonParser.parseString(json).getAsJsonObject(), "config.json");
    }

    @Test
    void llama1EraDefaults() throws Exception {
        ModelConfig c = ModelConfig.load(SharedData.fixture("tiny-llama2"));
        assertEquals(4, c.numKvHeads(), "no num_key_value_heads: MHA");
        assertEquals(10000.0, c.ropeTheta(), "no rope_theta: 10000");
        assertEquals(16, c.headDim());
        assertEquals(List.of(2), c.eosTokenIds());
        assertNull(c.ropeScaling());
    }

    @Test
    void llama3EraKeys() throws Exception {
        ModelConfig c = ModelConfig.load(SharedData.fixture("tiny-llama3"));
        assertEquals(2, c.numKvHeads());
        assertEquals(8, c.headDim());
        assertEquals(List.of(128001, 128009), c.eosTokenIds());
        assertEquals("llama3", c.ropeScaling().type());
        assertTrue(c.tieWordEmbeddings());
    }

    @Test
    void linearScalingWithLegacyTypeKey() throws Exception {
        ModelConfig c = parse("{\"hidden_size\":64,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":4,"
                + "\"vocab_size\":10,\"rope_scaling\":{\"type\":\"linear\",\"factor\":2.0}}");
        assertEquals("linear", c.ropeScaling().type());
        float[] plain = RotaryEmbedding.inverseFrequencies(parse("{\"hidden_size\":64,\"intermediate_size\":8,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":4,\"vocab_size\":10}"));
        float[] scaled = RotaryEmbedding.inverseFrequencies(c);
        assertEquals(plain[3] / 2, scaled[3], 1e-9);
    }

    @Test
    void refusesUnknownScalingArchitectureAndMissingKeys() {
        String base = "\"hidden_size\":64,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":4,\"vocab_size\":10";
        IOException e1 = assertThrows(IOException.class, () -> parse("{" + base + ",\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4}}"));
        assertTrue(e1.getMessage().contains("yarn") && e1.getMessage().contains("config.json"), e1.getMessage());
        IOException e2 = assertThrows(IOException.class, () -> parse("{" + base + ",\"architectures\":[\"MistralForCausalLM\"]}"));
        assertTrue(e2.getMessage().contains("MistralForCausalLM"), e2.getMessage());
        IOException e3 = assertThrows(IOException.class, () -> parse("{\"hidden_size\":64}"));
        assertTrue(e3.getMessage().contains("required key 'vocab_size' is missing"), e3.getMessage());
    }

    /** Issue 15: -2 layers gave "-2", zero heads "/ by zero", vocab 10^12 overflowed silently to -727379968. */
    @Test
    void outOfRangeValuesNameTheKeyAndTheValue() {
        String ok = "{\"hidden_size\":64,\"intermediate_size\":8,\"num_hidden_layers\":2,\"num_attention_heads\":4,"
                + "\"vocab_size\":10,\"bos_token_id\":1,\"eos_token_id\":2";
        java.util.Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put(",\"num_hidden_layers\":-2}", "num_hidden_layers is -2: expected a positive integer");
        cases.put(",\"num_attention_heads\":0}", "num_attention_heads is 0: expected a positive integer");
        cases.put(",\"vocab_size\":1000000000000}", "vocab_size is 1000000000000: does not fit a 32-bit integer");
        cases.put(",\"hidden_size\":66}", "hidden_size 66 is not divisible by num_attention_heads 4");
        cases.put(",\"num_key_value_heads\":3}", "num_key_value_heads 3 does not divide num_attention_heads 4");
        cases.put(",\"hidden_size\":20}", "hidden_size 20 / num_attention_heads 4 = 5 per head: must be even");
        cases.put(",\"intermediate_size\":2.5}", "intermediate_size is 2.5: expected a positive integer");
        cases.put(",\"rope_theta\":\"fast\"}", "rope_theta is \"fast\": expected a positive finite number");
        cases.put(",\"eos_token_id\":[2, 10]}", "eos_token_id is 10: expected a token id in [0, vocab_size 10)");
        cases.put(",\"tie_word_embeddings\":\"yes\"}", "tie_word_embeddings is \"yes\": expected true or false");
        cases.put(",\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8,\"low_freq_factor\":4,"
                + "\"high_freq_factor\":1}}", "rope_scaling.high_freq_factor 1.0 must be above rope_scaling.low_freq_factor 4.0");
        cases.forEach((tail, says) -> {
            IOException e = assertThrows(IOException.class, () -> parse(ok + tail), tail);
            assertTrue(e.getMessage().startsWith("config.json: ") && e.getMessage().contains(says), e.getMessage());
        });
    }

    @Test
    void generationConfigSuppliesDefaults() throws Exception {
        Path dir = SharedData.fixture("tiny-llama2");
        var defaults = GenerationDefaults.load(dir, ModelConfig.load(dir));
        assertEquals(5, defaults.numBeams());
        assertEquals(1024, defaults.maxNewTokens());
        assertEquals(List.of(2), defaults.eosIds());
    }

    @Test
    void wrongShapeAndMissingTensorNameTheTensor(@TempDir Path tmp) throws Exception {
        Path src = SharedData.fixture("tiny-llama2");
        for (String f : List.of("model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(src.resolve(f), tmp.resolve(f));
        }
        JsonObject cfg = JsonParser.parseString(Files.readString(src.resolve("config.json"))).getAsJsonObject();
        cfg.addProperty("intermediate_size", 200);
        Files.writeString(tmp.resolve("config.json"), cfg.toString());
        IOException e = assertThrows(IOException.class, () -> BaylingModel.load(tmp, ai.djl.Device.cpu()));
        assertTrue(e.getMessage().contains("gate_proj") && e.getMessage().contains("shape"), e.getMessage());
        cfg.addProperty("intermediate_size", 176);
        cfg.addProperty("num_hidden_layers", 3);
        Files.writeString(tmp.resolve("config.json"), cfg.toString());
        IOException e2 = assertThrows(IOException.class, () -> BaylingModel.load(tmp, ai.djl.Device.cpu()));
        assertTrue(e2.getMessage().contains("model.layers.2"), e2.getMessage());
    }
}
