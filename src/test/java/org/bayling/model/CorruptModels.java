package org.bayling.model;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.bayling.SharedData;

/**
 * Broken checkpoints for the fail-fast tests, made from the shared tiny fixtures in a temporary directory: bad
 * config values, broken tokenizer files, corrupt safetensors files and indexes, corrupt or malicious torch
 * archives. Each case says which file under the model directory the error must name and a phrase of the reason.
 */
public final class CorruptModels {

    /** One broken model: {@code dir} is what --model names; the error must name {@code dir/file} and say {@code says}. */
    public record Case(String name, Path dir, String file, String says) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final Path root;
    private final List<Case> cases = new ArrayList<>();

    private CorruptModels(Path root) {
        this.root = root;
    }

    /** Every case, built under {@code root}. */
    public static List<Case> all(Path root) {
        try {
            CorruptModels m = new CorruptModels(root);
            m.configs();
            m.tokenizers();
            m.safetensors();
            m.sharded();
            m.torch();
            return List.copyOf(m.cases);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void configs() throws IOException {
        config("layers-negative", c -> put(c, "num_hidden_layers", -2), "num_hidden_layers is -2");
        config("heads-zero", c -> put(c, "num_attention_heads", 0), "num_attention_heads is 0");
        config("vocab-overflows-int", c -> put(c, "vocab_size", 1_000_000_000_000L), "vocab_size is 1000000000000: does not fit");
        config("hidden-not-divisible", c -> put(c, "hidden_size", 66), "hidden_size 66 is not divisible by num_attention_heads 4");
        config("kv-heads-not-dividing", c -> put(c, "num_key_value_heads", 3), "num_key_value_heads 3 does not divide");
        config("intermediate-missing", c -> {
            c.remove("intermediate_size");
            return c;
        }, "required key 'intermediate_size' is missing");
        config("hidden-not-a-number", c -> {
            c.addProperty("hidden_size", "sixty-four");
            return c;
        }, "hidden_size is \"sixty-four\"");
        config("rms-eps-negative", c -> put(c, "rms_norm_eps", -1), "rms_norm_eps is -1");
        Path d = copy("tiny-llama2", "config-not-json");
        Files.writeString(d.resolve("config.json"), "{\"hidden_size\": 64,");
        add("config-not-json", d, "config.json", "not valid JSON");
        d = copy("tiny-llama2", "config-missing");
        Files.delete(d.resolve("config.json"));
        add("config-missing", d, "config.json", "missing");
    }

    private void tokenizers() throws IOException {
        Path d = copy("tiny-llama2", "tokenizer-missing");
        Files.delete(d.resolve("tokenizer.json"));
        add("tokenizer-missing", d, "tokenizer.json", "missing");
        d = copy("tiny-llama2", "tokenizer-truncated");
        truncate(d.resolve("tokenizer.json"), 1000);
        add("tokenizer-truncated", d, "tokenizer.json", "not valid JSON");
        d = copy("tiny-llama2", "tokenizer-not-a-tokenizer");
        Files.writeString(d.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"model\": {\"type\": \"Nonsense\"}}");
        add("tokenizer-not-a-tokenizer", d, "tokenizer.json", "not a Hugging Face tokenizer");
        d = copy("tiny-llama2", "tokenizer-config-broken");
        Files.writeString(d.resolve("tokenizer_config.json"), "{\"add_bos_token\": tru");
        add("tokenizer-config-broken", d, "tokenizer_config.json", "not valid JSON");
        config("tokenizer-beyond-vocab", c -> put(c, "vocab_size", 1000), "has id 31999, outside the model's vocab_size 1000");
        cases.set(cases.size() - 1, new Case("tokenizer-beyond-vocab", cases.get(cases.size() - 1).dir(), "tokenizer.json",
                "has id 31999, outside the model's vocab_size 1000"));
        d = copy("tiny-llama2", "generation-config-broken");
        Files.writeString(d.resolve("generation_config.json"), "{\"max_new_tokens\": \"lots\"}");
        add("generation-config-broken", d, "generation_config.json", "not valid");
    }

    private void safetensors() throws IOException {
        String f = "model.safetensors";
        Path d = copy("tiny-llama2", "st-empty");
        Files.write(d.resolve(f), new byte[0]);
        add("st-empty", d, f, "file is 0 bytes");
        d = copy("tiny-llama2", "st-truncated");
        truncate(d.resolve(f), Files.size(d.resolve(f)) / 2);
        add("st-truncated", d, f, "lies beyond the end of the file");
        d = copy("tiny-llama2", "st-header-length-huge");
        byte[] b = Files.readAllBytes(d.resolve(f));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 60);
        Files.write(d.resolve(f), b);
        add("st-header-length-huge", d, f, "header length 1152921504606846976 lies beyond the end of the file");
        d = copy("tiny-llama2", "st-header-garbage");
        b = Files.readAllBytes(d.resolve(f));
        for (int i = 8; i < 40; i++) {
            b[i] = (byte) 0xC3;
        }
        Files.write(d.resolve(f), b);
        add("st-header-garbage", d, f, "header is not valid JSON");
        header("st-offsets-beyond-file", h -> {
            JsonObject t = h.getAsJsonObject("model.norm.weight");
            long size = t.getAsJsonArray("data_offsets").get(1).getAsLong() - t.getAsJsonArray("data_offsets").get(0).getAsLong();
            t.add("data_offsets", JsonParser.parseString("[900000000, " + (900000000 + size) + "]"));
            return h;
        }, "tensor 'model.norm.weight' data [900000000, 900000128) lies beyond the end of the file");
        header("st-shape-vs-offsets", h -> {
            h.getAsJsonObject("model.layers.0.self_attn.q_proj.weight").add("shape", JsonParser.parseString("[64, 65]"));
            return h;
        }, "tensor 'model.layers.0.self_attn.q_proj.weight' has shape [64, 65] of F16 = 8320 bytes but data_offsets");
        header("st-shape-vs-config", h -> {
            h.getAsJsonObject("model.layers.0.self_attn.q_proj.weight").add("shape", JsonParser.parseString("[32, 128]"));
            return h;
        }, "tensor 'model.layers.0.self_attn.q_proj.weight' has shape [32, 128] but config.json implies [64, 64]");
        header("st-tensor-missing", h -> {
            h.remove("model.layers.1.mlp.down_proj.weight");
            return h;
        }, "no tensor 'model.layers.1.mlp.down_proj.weight'");
        header("st-integer-dtype", h -> {
            h.getAsJsonObject("model.norm.weight").addProperty("dtype", "I16");
            return h;
        }, "tensor 'model.norm.weight' has dtype I16");
        header("st-unknown-dtype", h -> {
            h.getAsJsonObject("model.norm.weight").addProperty("dtype", "F7");
            return h;
        }, "unknown dtype 'F7'");
        header("st-overlapping-tensors", h -> {
            h.getAsJsonObject("model.layers.0.post_attention_layernorm.weight")
                    .add("data_offsets", h.getAsJsonObject("model.layers.0.input_layernorm.weight").get("data_offsets"));
            return h;
        }, "overlaps tensor");
    }

    private void sharded() throws IOException {
        String index = "model.safetensors.index.json";
        Path d = copy("tiny-llama3", "index-not-json");
        Files.writeString(d.resolve(index), "{\"weight_map\": {");
        add("index-not-json", d, index, "index is not valid JSON");
        d = copy("tiny-llama3", "index-shard-missing");
        Files.delete(d.resolve("model-00002-of-00003.safetensors"));
        add("index-shard-missing", d, index, "shard 'model-00002-of-00003.safetensors' named in the weight map does not exist");
        d = copy("tiny-llama3", "index-wrong-shard");
        JsonObject idx = JsonParser.parseString(Files.readString(d.resolve(index))).getAsJsonObject();
        idx.getAsJsonObject("weight_map").addProperty("model.norm.weight", "model-00001-of-00003.safetensors");
        Files.writeString(d.resolve(index), idx.toString());
        add("index-wrong-shard", d, index, "tensor 'model.norm.weight' is mapped to shard 'model-00001-of-00003.safetensors', which does not hold it");
        d = copy("tiny-llama3", "index-path-traversal");
        idx = JsonParser.parseString(Files.readString(d.resolve(index))).getAsJsonObject();
        idx.getAsJsonObject("weight_map").addProperty("model.norm.weight", "../../../etc/passwd");
        Files.writeString(d.resolve(index), idx.toString());
        add("index-path-traversal", d, index, "shard name '../../../etc/passwd' is not a file beside the index");
        d = copy("tiny-llama3", "shard-truncated");
        truncate(d.resolve("model-00003-of-00003.safetensors"), 100);
        add("shard-truncated", d, "model-00003-of-00003.safetensors", "lies beyond the end of the file");
    }

    private void torch() throws IOException {
        String f = "pytorch_model.bin";
        Path d = copy("tiny-llama2-bin", "bin-forbidden-global");
        // protocol 2: GLOBAL posix.system, the string 'id', TUPLE1, REDUCE, STOP (what a malicious pickle does)
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(new byte[] {(byte) 0x80, 2});
        p.writeBytes("cposix\nsystem\nX\u0002\u0000\u0000\u0000id\u0085R.".getBytes(StandardCharsets.ISO_8859_1));
        rewriteZip(d.resolve(f), Map.of("pytorch_model/data.pkl", p.toByteArray()));
        add("bin-forbidden-global", d, f, "forbidden global 'posix.system'");
        d = copy("tiny-llama2-bin", "bin-truncated");
        truncate(d.resolve(f), Files.size(d.resolve(f)) / 2);
        add("bin-truncated", d, f, "not a zip archive");
        d = copy("tiny-llama2-bin", "bin-empty");
        Files.write(d.resolve(f), new byte[0]);
        add("bin-empty", d, f, "not a zip archive");
        d = copy("tiny-llama2-bin", "bin-storage-missing");
        rewriteZip(d.resolve(f), Map.of("pytorch_model/data/0", new byte[0]), "pytorch_model/data/0");
        add("bin-storage-missing", d, f, "storage record 'pytorch_model/data/0' is missing from the archive");
        d = copy("tiny-llama2-bin", "bin-storage-short");
        rewriteZip(d.resolve(f), Map.of("pytorch_model/data/0", new byte[100]));
        add("bin-storage-short", d, f, "storage record 'pytorch_model/data/0' holds 100 bytes");
    }

    // ---- helpers ----

    private void add(String name, Path dir, String file, String says) {
        cases.add(new Case(name, dir, file, says));
    }

    private void config(String name, UnaryOperator<JsonObject> change, String says) throws IOException {
        Path d = copy("tiny-llama2", name);
        JsonObject c = JsonParser.parseString(Files.readString(d.resolve("config.json"))).getAsJsonObject();
        Files.writeString(d.resolve("config.json"), change.apply(c).toString());
        add(name, d, "config.json", says);
    }

    private static JsonObject put(JsonObject c, String key, Number value) {
        c.addProperty(key, value);
        return c;
    }

    /** A tiny-llama2 copy whose safetensors header is changed (the data stays where it was). */
    private void header(String name, UnaryOperator<JsonObject> change, String says) throws IOException {
        Path d = copy("tiny-llama2", name);
        Path f = d.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        JsonObject h = JsonParser.parseString(new String(b, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject();
        byte[] nh = change.apply(h).toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(f)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(nh.length).array());
            out.write(nh);
            out.write(b, 8 + (int) n, b.length - 8 - (int) n);
        }
        add(name, d, "model.safetensors", says);
    }

    private Path copy(String fixture, String name) throws IOException {
        Path src = SharedData.fixture(fixture);
        Path dst = root.resolve(name).resolve(fixture);
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path p : files.toList()) {
                if (!p.getFileName().toString().equals("golden.json")) {
                    Files.copy(p, dst.resolve(p.getFileName()));
                    dst.resolve(p.getFileName()).toFile().setWritable(true);
                }
            }
        }
        return dst;
    }

    private static void truncate(Path f, long size) throws IOException {
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, (int) size));
    }

    /** Rewrites a zip with some records replaced (stored, as torch writes them) and some dropped. */
    private static void rewriteZip(Path f, Map<String, byte[]> replace, String... drop) throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(f.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                try (InputStream in = z.getInputStream(e)) {
                    records.put(e.getName(), in.readAllBytes());
                }
            }
        }
        records.putAll(replace);
        for (String d : drop) {
            records.remove(d);
        }
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(f))) {
            for (Map.Entry<String, byte[]> r : records.entrySet()) {
                ZipEntry e = new ZipEntry(r.getKey());
                e.setMethod(ZipEntry.STORED);
                e.setSize(r.getValue().length);
                e.setCompressedSize(r.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(r.getValue());
                e.setCrc(crc.getValue());
                zip.putNextEntry(e);
                zip.write(r.getValue());
                zip.closeEntry();
            }
        }
    }
}
