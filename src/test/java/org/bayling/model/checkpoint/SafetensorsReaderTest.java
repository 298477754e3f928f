package org.bayling.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bayling.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReaderTest {

    static final Path LLAMA2 = SharedData.fixture("tiny-llama2").resolve("model.safetensors");
    static final Path LLAMA3 = SharedData.fixture("tiny-llama3");

    @TempDir
    Path tmp;

    static Set<String> llamaNames(boolean lmHead) {
        Set<String> names = new TreeSet<>();
        names.add("model.embed_tokens.weight");
        names.add("model.norm.weight");
        if (lmHead) {
            names.add("lm_head.weight");
        }
        for (int l = 0; l < 2; l++) {
            for (String s : List.of("input_layernorm", "post_attention_layernorm", "mlp.down_proj", "mlp.gate_proj",
                    "mlp.up_proj", "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj")) {
                names.add("model.layers." + l + "." + s + ".weight");
            }
        }
        return names;
    }

    static String sha256(ByteBuffer data) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(data.duplicate());
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void tinyLlama2NamesDtypesShapesAndValues() throws Exception {
        try (SafetensorsReader r = SafetensorsReader.open(LLAMA2)) {
            assertEquals(llamaNames(true), new TreeSet<>(r.names()));
            assertEquals(21, r.names().size());
            assertEquals("pt", r.metadata().get("format"));
            for (String n : r.names()) {
                assertEquals(DType.F16, r.info(n).dtype(), n);
            }
            TensorData embed = r.read("model.embed_tokens.weight");
            assertArrayEquals(new long[] {32000, 64}, embed.shape());
            assertEquals(32000L * 64 * 2, embed.data().remaining());
            // values and digests computed with Python's struct/hashlib from the file
            assertEquals(-0.1116943359375f, Fp16.toFloat(embed.data().getShort(0)));
            assertEquals(-0.49658203125f, Fp16.toFloat(embed.data().getShort(2)));
            assertEquals(-0.8818359375f, Fp16.toFloat(embed.data().getShort(6)));
            assertEquals("c6aa7588975a9c48e47d901af3f733ba99af797a445dde67e97f8db0136e1e7a", sha256(embed.data()));
            TensorData norm = r.read("model.norm.weight");
            assertArrayEquals(new long[] {64}, norm.shape());
            assertEquals(1.173828125f, Fp16.toFloat(norm.data().getShort(0)));
            assertEquals("a36d544ccd8614e4784b2ed7bd19ffdb7d737cfb3b7c471445466475624c327d", sha256(norm.data()));
            assertEquals("63716933553c44f205937b93845ba737d364242398c0f4997e43be889621226d",
                    sha256(r.read("lm_head.weight").data()));
            assertArrayEquals(new long[] {64, 176}, r.info("model.layers.1.mlp.down_proj.weight").shape());
            assertArrayEquals(new long[] {176, 64}, r.info("model.layers.0.mlp.gate_proj.weight").shape());
            assertArrayEquals(new long[] {64, 64}, r.info("model.layers.0.self_attn.k_proj.weight").shape());
        }
    }

    @Test
    void tensorsAreSlicesOfMappedMemory() throws Exception {
        try (SafetensorsReader r = SafetensorsReader.open(LLAMA2)) {
            TensorData t = r.read("model.layers.0.self_attn.q_proj.weight");
            assertTrue(t.data().isDirect());
            assertEquals(t.byteSize(), t.data().capacity());
            assertEquals(0, t.data().position());
            assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, t.data().order());
        }
    }

    @Test
    void tinyLlama3ShardedBf16WithoutLmHead() throws Exception {
        try (CheckpointReader r = ShardedSafetensorsReader.open(LLAMA3.resolve("model.safetensors.index.json"))) {
            assertEquals(20, r.names().size());
            assertEquals(llamaNames(false), new TreeSet<>(r.names()));
            assertFalse(r.names().contains("lm_head.weight"));
            for (String n : r.names()) {
                TensorData t = r.read(n);
                assertEquals(DType.BF16, t.dtype(), n);
                assertEquals(t.byteSize(), t.data().remaining(), n);
            }
            TensorData embed = r.read("model.embed_tokens.weight");
            assertArrayEquals(new long[] {128256, 32}, embed.shape());
            assertEquals(-0.470703125f, Bf16.toFloat(embed.data().getShort(0)));
            assertEquals(-0.34375f, Bf16.toFloat(embed.data().getShort(2)));
            assertEquals(-1.171875f, Bf16.toFloat(embed.data().getShort(4)));
            assertArrayEquals(new long[] {16, 32}, r.info("model.layers.0.self_attn.k_proj.weight").shape()); // GQA
            assertArrayEquals(new long[] {32, 96}, r.info("model.layers.1.mlp.down_proj.weight").shape());
            CheckpointException e = assertThrows(CheckpointException.class, () -> r.read("lm_head.weight"));
            assertTrue(e.getMessage().contains("model.safetensors.index.json") && e.getMessage().contains("lm_head.weight"),
                    e.getMessage());
        }
    }

    @Test
    void readingOneTensorDoesNotTouchAnother() throws Exception {
        Path copy = Files.copy(LLAMA2, tmp.resolve("model.safetensors"));
        ByteBuffer expected;
        try (SafetensorsReader r = SafetensorsReader.open(LLAMA2)) {
            expected = ByteBuffer.wrap(TestFiles.bytesOf(r.read("model.norm.weight").data()));
        }
        // lm_head is the first tensor of the data area: overwrite all of it with garbage
        long headerLen;
        try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
            headerLen = Long.reverseBytes(f.readLong());
            f.seek(8 + headerLen);
            f.write(new byte[32000 * 64 * 2]);
        }
        try (SafetensorsReader r = SafetensorsReader.open(copy)) {
            assertEquals(expected, r.read("model.norm.weight").data());
            assertEquals(0, r.read("lm_head.weight").data().getShort(100));
        }
    }

    private CheckpointException refused(Path file) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsReader.open(file).close());
        assertTrue(e.getMessage().startsWith(file.toString()), "message names the file: " + e.getMessage());
        return e;
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
        }
    }

    @Test
    void truncatedFileIsRefused() throws Exception {
        Path f = tmp.resolve("truncated.safetensors");
        byte[] all = Files.readAllBytes(LLAMA2);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 100));
        assertMentions(refused(f), "tensor 'model.norm.weight'", "lies beyond the end of the file",
                "(8393244 bytes of data)");
    }

    @Test
    void offsetsBeyondTheDataAreRefused() throws Exception {
        Path f = TestFiles.safetensors(tmp.resolve("lying.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[25],\"data_offsets\":[100,200]}}", 150);
        assertMentions(refused(f), "tensor 'x' data [100, 200) lies beyond the end of the file (150 bytes of data)");
    }

    @Test
    void sizeThatDisagreesWithTheShapeIsRefused() throws Exception {
        Path f = TestFiles.safetensors(tmp.resolve("size.safetensors"),
                "{\"x\":{\"dtype\":\"F16\",\"shape\":[10],\"data_offsets\":[0,30]}}", 30);
        assertMentions(refused(f), "tensor 'x' has shape [10] of F16 = 20 bytes but data_offsets [0, 30) hold 30 bytes");
    }

    @Test
    void overlappingTensorsAreRefused() throws Exception {
        Path f = TestFiles.safetensors(tmp.resolve("overlap.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 24);
        assertMentions(refused(f), "tensor 'b' data [8, 24) overlaps tensor 'a' data [0, 16)");
    }

    @Test
    void headerLengthBeyondTheFileIsRefused() throws Exception {
        Path f = tmp.resolve("header.safetensors");
        ByteBuffer b = ByteBuffer.allocate(40).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(1_000_000);
        Files.write(f, b.array());
        assertMentions(refused(f), "header length 1000000 lies beyond the end of the file (40 bytes)");
        Path tiny = Files.write(tmp.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        assertMentions(refused(tiny), "too short");
    }

    @Test
    void unknownDtypeIsRefused() throws Exception {
        Path f = TestFiles.safetensors(tmp.resolve("dtype.safetensors"),
                "{\"x\":{\"dtype\":\"F7\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2);
        assertMentions(refused(f), "tensor 'x' has unknown dtype 'F7'");
    }

    @Test
    void malformedHeadersAreRefused() throws Exception {
        assertMentions(refused(TestFiles.safetensors(tmp.resolve("a.safetensors"), "{\"x\": [", 0)), "not valid JSON");
        assertMentions(refused(TestFiles.safetensors(tmp.resolve("b.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4)), "negative");
        assertMentions(refused(TestFiles.safetensors(tmp.resolve("c.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4)), "not an integer");
        assertMentions(refused(TestFiles.safetensors(tmp.resolve("d.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)), "no data_offsets");
    }

    @Test
    void missingTensorNameOnRead() throws Exception {
        try (SafetensorsReader r = SafetensorsReader.open(LLAMA2)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> r.read("model.layers.7.mlp.up_proj.weight"));
            assertMentions(e, LLAMA2.toString(), "no tensor named 'model.layers.7.mlp.up_proj.weight'");
        }
    }

    @Test
    void missingShardIsNamedWithTheIndex() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("llama3"));
        for (String f : List.of("model.safetensors.index.json", "model-00001-of-00003.safetensors",
                "model-00002-of-00003.safetensors")) {
            Files.copy(LLAMA3.resolve(f), dir.resolve(f));
        }
        Path index = dir.resolve("model.safetensors.index.json");
        CheckpointException e = assertThrows(CheckpointException.class, () -> ShardedSafetensorsReader.open(index));
        assertMentions(e, index.toString(), "shard 'model-00003-of-00003.safetensors'", "does not exist");
        e = assertThrows(CheckpointException.class, () -> Checkpoints.open(dir));
        assertMentions(e, "model-00003-of-00003.safetensors");
    }

    @Test
    void indexThatMapsATensorToTheWrongShardIsRefused() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("llama3"));
        for (String f : List.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors")) {
            Files.copy(LLAMA3.resolve(f), dir.resolve(f));
        }
        String original = Files.readString(LLAMA3.resolve("model.safetensors.index.json"));
        String index = original.replace("\"model.norm.weight\": \"model-00003-of-00003.safetensors\"",
                "\"model.norm.weight\": \"model-00002-of-00003.safetensors\"");
        assertFalse(index.equals(original));
        Path indexFile = Files.writeString(dir.resolve("model.safetensors.index.json"), index);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ShardedSafetensorsReader.open(indexFile));
        assertMentions(e, indexFile.toString(), "'model.norm.weight'", "'model-00002-of-00003.safetensors'",
                "does not hold it");
    }

    @Test
    void readAfterCloseIsRefused() throws IOException {
        SafetensorsReader r = SafetensorsReader.open(LLAMA2);
        r.close();
        assertThrows(CheckpointException.class, () -> r.read("model.norm.weight"));
    }
}
