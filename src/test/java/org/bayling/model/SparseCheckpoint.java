package org.bayling.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.bayling.SharedData;

/**
 * BayLing-7B and -13B shaped model directories that take no disk: config.json, the LLaMA tokenizer (from the
 * tiny-llama2 fixture), and a model.safetensors whose header has the real float16 tensor table and whose data
 * region is a sparse file of zeros ({@link RandomAccessFile#setLength}).
 */
public final class SparseCheckpoint {

    private SparseCheckpoint() {
    }

    /** BayLing-7B / LLaMA-7B: hidden 4096, 32 layers, 32 heads, FFN 11008. */
    public static Path bayling7b(Path dir) throws IOException {
        return write(dir, 4096, 32, 32, 11008);
    }

    /** BayLing-13B / LLaMA-13B: hidden 5120, 40 layers, 40 heads, FFN 13824. */
    public static Path bayling13b(Path dir) throws IOException {
        return write(dir, 5120, 40, 40, 13824);
    }

    public static Path write(Path dir, int hidden, int layers, int heads, int ff) throws IOException {
        Files.createDirectories(dir);
        String config = "{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"llama\", \"hidden_size\": " + hidden
                + ", \"intermediate_size\": " + ff + ", \"num_hidden_layers\": " + layers + ", \"num_attention_heads\": "
                + heads + ", \"vocab_size\": 32000, \"rms_norm_eps\": 1e-06, \"max_position_embeddings\": 2048,"
                + " \"bos_token_id\": 1, \"eos_token_id\": 2, \"pad_token_id\": 0, \"torch_dtype\": \"float16\"}";
        Files.writeString(dir.resolve("config.json"), config);
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(SharedData.fixture("tiny-llama2").resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        JsonObject header = new JsonObject();
        long offset = 0;
        for (Map.Entry<String, long[]> e : ModelCheck.expectedShapes(ModelConfig.parse(config, "config.json")).entrySet()) {
            long bytes = 2;
            JsonArray shape = new JsonArray();
            for (long d : e.getValue()) {
                shape.add(d);
                bytes *= d;
            }
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F16");
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            t.add("data_offsets", offsets);
            header.add(e.getKey(), t);
            offset += bytes;
        }
        JsonObject meta = new JsonObject();
        meta.addProperty("format", "pt");
        header.add("__metadata__", meta);
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("model.safetensors").toFile(), "rw")) {
            f.write(head.array());
            f.setLength(8L + padded + offset); // the data: a hole, no disk blocks
        }
        return dir;
    }
}
