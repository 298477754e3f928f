package org.bayling.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bayling.model.checkpoint.DType;
import org.bayling.model.checkpoint.Fp16;
import org.bayling.model.checkpoint.SafetensorsWriter;
import org.bayling.model.checkpoint.TensorInfo;

/**
 * Writes a LLaMA-shaped Hugging Face checkpoint with random float16 weights (and a copy of a real
 * tokenizer), so benchmarks load and run a model of a chosen size through the ordinary path.
 */
public final class RandomCheckpoint {

    /** The shape of a model to build. */
    public record Shape(int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab) {
        /** The benchmark shape: ~100M parameters (hidden 768, 12 layers, 12 heads, intermediate 2048, vocab 32000). */
        public static Shape bench() {
            return new Shape(768, 12, 12, 12, 2048, 32000);
        }

        public long parameters() {
            long attn = 4L * hidden * hidden;
            long mlp = 3L * hidden * intermediate;
            return 2L * vocab * hidden + layers * (attn + mlp + 2L * hidden) + hidden;
        }
    }

    private RandomCheckpoint() {
    }

    public static void write(Path dir, Shape s, Path tokenizerDir, long seed) throws IOException {
        Files.createDirectories(dir);
        try (Writer w = Files.newBufferedWriter(dir.resolve("config.json"), StandardCharsets.UTF_8)) {
            w.write("{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"llama\", \"hidden_size\": " + s.hidden()
                    + ", \"intermediate_size\": " + s.intermediate() + ", \"num_hidden_layers\": " + s.layers()
                    + ", \"num_attention_heads\": " + s.heads() + ", \"num_key_value_heads\": " + s.kvHeads()
                    + ", \"vocab_size\": " + s.vocab() + ", \"rms_norm_eps\": 1e-06, \"max_position_embeddings\": 4096,"
                    + " \"bos_token_id\": 1, \"eos_token_id\": 2, \"tie_word_embeddings\": false, \"torch_dtype\": \"float16\"}");
        }
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            if (Files.exists(tokenizerDir.resolve(f))) {
                Files.copy(tokenizerDir.resolve(f), dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        int d = s.hidden() / s.heads();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[] {s.vocab(), s.hidden()});
        for (int i = 0; i < s.layers(); i++) {
            String p = "model.layers." + i + ".";
            shapes.put(p + "input_layernorm.weight", new long[] {s.hidden()});
            shapes.put(p + "post_attention_layernorm.weight", new long[] {s.hidden()});
            shapes.put(p + "self_attn.q_proj.weight", new long[] {(long) s.heads() * d, s.hidden()});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {(long) s.kvHeads() * d, s.hidden()});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {(long) s.kvHeads() * d, s.hidden()});
            shapes.put(p + "self_attn.o_proj.weight", new long[] {s.hidden(), (long) s.heads() * d});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {s.intermediate(), s.hidden()});
            shapes.put(p + "mlp.up_proj.weight", new long[] {s.intermediate(), s.hidden()});
            shapes.put(p + "mlp.down_proj.weight", new long[] {s.hidden(), s.intermediate()});
        }
        shapes.put("model.norm.weight", new long[] {s.hidden()});
        shapes.put("lm_head.weight", new long[] {s.vocab(), s.hidden()});
        List<TensorInfo> infos = new ArrayList<>();
        shapes.forEach((name, shape) -> infos.add(new TensorInfo(name, DType.F16, shape)));
        SplittableRandom random = new SplittableRandom(seed);
        try (SafetensorsWriter writer = new SafetensorsWriter(dir.resolve("model.safetensors"), infos, Map.of())) {
            for (TensorInfo t : infos) {
                boolean norm = t.shape().length == 1;
                double std = norm ? 0 : 1.0 / Math.sqrt(t.shape()[1]);
                ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(t.numel() * 2)).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < t.numel(); i++) {
                    float v = norm ? 1f : (float) (random.nextGaussian() * std);
                    buf.putShort(Fp16.fromFloat(v));
                }
                buf.flip();
                writer.write(t.name(), buf);
            }
        }
    }
}
