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
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.bayling.model.checkpoint.DType;
import org.bayling.model.checkpoint.Fp16;
import org.bayling.model.checkpoint.SafetensorsWriter;
import org.bayling.model.checkpoint.TensorInfo;

/**
 * Writes a LLaMA-shaped Hugging Face checkpoint with random float16 weights (and a copy of a real
 * tokenizer), so benchmarks load and run a model of a chosen size through the ordinary path. Large
 * shapes stream to safetensors shards of at most 4 GiB, one chunk at a time: writing BayLing-13B's
 * shape needs no more memory than the 134M one.
 */
public final class RandomCheckpoint {

    private static final long SHARD_BYTES = 4L << 30;
    private static final int CHUNK = 1 << 20; // elements per write

    /** The shape of a model to build. */
    public record Shape(String name, int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab) {

        /** The benchmark shape: ~134M parameters (hidden 768, 12 layers, 12 heads, intermediate 2048, vocab 32000). */
        public static Shape bench() {
            return named("134m");
        }

        /**
         * {@code 134m} (the bench shape), {@code 1b} (TinyLlama-1.1B: hidden 2048, 22 layers, GQA 32/4, FFN 5632),
         * {@code 7b} (BayLing-7B / LLaMA-7B: 4096, 32, 32, 11008) or {@code 13b} (BayLing-13B: 5120, 40, 40, 13824);
         * vocabulary 32000 (the LLaMA tokenizer) throughout.
         */
        public static Shape named(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "134m", "bench" -> new Shape("134m", 768, 12, 12, 12, 2048, 32000);
                case "1b", "1.1b" -> new Shape("1b", 2048, 22, 32, 4, 5632, 32000);
                case "7b" -> new Shape("7b", 4096, 32, 32, 32, 11008, 32000);
                case "13b" -> new Shape("13b", 5120, 40, 40, 40, 13824, 32000);
                default -> throw new IllegalArgumentException("--shape must be 134m, 1b, 7b or 13b, got '" + name + "'");
            };
        }

        public long parameters() {
            long d = hidden / heads;
            long attn = 2L * hidden * hidden + 2L * hidden * kvHeads * d;
            long mlp = 3L * hidden * intermediate;
            return 2L * vocab * hidden + layers * (attn + mlp + 2L * hidden) + hidden;
        }
    }

    private RandomCheckpoint() {
    }

    /** Writes the checkpoint unless {@code dir} already holds one of this shape and seed (a finished earlier write). */
    public static void write(Path dir, Shape s, Path tokenizerDir, long seed) throws IOException {
        Path done = dir.resolve(".random-checkpoint");
        String stamp = s + " seed " + seed;
        if (Files.exists(done) && Files.readString(done).equals(stamp)) {
            return;
        }
        Files.createDirectories(dir);
        try (Writer w = Files.newBufferedWriter(dir.resolve("config.json"), StandardCharsets.UTF_8)) {
            w.write(configJson(s));
        }
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            if (Files.exists(tokenizerDir.resolve(f))) {
                Files.copy(tokenizerDir.resolve(f), dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        List<TensorInfo> infos = tensors(s);
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK * 2).order(ByteOrder.LITTLE_ENDIAN);
        SafetensorsWriter.writeCheckpoint(dir, infos, Map.of("format", "pt"), SHARD_BYTES, (t, writer) -> {
            short[] values = quantiles(t.shape().length == 1 ? 0 : 1.0 / Math.sqrt(t.shape()[1]));
            long left = t.numel();
            while (left > 0) {
                int n = (int) Math.min(CHUNK, left);
                chunk.clear();
                for (int i = 0; i < n; i += 4) {
                    long bits = random.nextLong();
                    for (int j = 0; j < 4 && i + j < n; j++) {
                        chunk.putShort(values[(int) (bits >>> (16 * j)) & 0xffff]);
                    }
                }
                chunk.flip();
                writer.append(chunk);
                left -= n;
            }
        });
        Files.writeString(done, stamp);
    }

    /** The config.json of a random checkpoint of {@code s} (float16, context 4096, untied head). */
    public static String configJson(Shape s) {
        return "{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"llama\", \"hidden_size\": " + s.hidden()
                + ", \"intermediate_size\": " + s.intermediate() + ", \"num_hidden_layers\": " + s.layers()
                + ", \"num_attention_heads\": " + s.heads() + ", \"num_key_value_heads\": " + s.kvHeads()
                + ", \"vocab_size\": " + s.vocab() + ", \"rms_norm_eps\": 1e-06, \"max_position_embeddings\": 4096,"
                + " \"bos_token_id\": 1, \"eos_token_id\": 2, \"tie_word_embeddings\": false, \"torch_dtype\": \"float16\"}";
    }

    /** The tensor table of a random checkpoint of {@code s}: every tensor a LLaMA decoder reads, in float16. */
    public static List<TensorInfo> tensors(Shape s) {
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
        return infos;
    }

    /**
     * 65,536 float16 values evenly spaced in probability over a uniform distribution of standard
     * deviation {@code std} (1.0 everywhere for a norm weight): indexing it with random 16-bit numbers
     * draws random weights at a table lookup each.
     */
    private static short[] quantiles(double std) {
        short[] table = new short[1 << 16];
        double half = Math.sqrt(3) * std;
        for (int i = 0; i < table.length; i++) {
            double v = std == 0 ? 1.0 : ((i + 0.5) / table.length * 2 - 1) * half;
            table[i] = Fp16.fromDouble(v);
        }
        return table;
    }
}
