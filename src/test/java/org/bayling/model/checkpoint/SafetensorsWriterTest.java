package org.bayling.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bayling.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    @TempDir
    Path tmp;

    @Test
    void rewritingTinyLlama2GivesTheFileHuggingFaceWrote() throws Exception {
        // the fixture was written by the Hugging Face safetensors library: same header layout, padding, order
        Path original = SharedData.fixture("tiny-llama2").resolve("model.safetensors");
        Path out = tmp.resolve("model.safetensors");
        try (SafetensorsReader r = SafetensorsReader.open(original)) {
            SafetensorsWriter.copy(r, new ArrayList<>(new TreeSet<>(r.names())), out);
        }
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(out));
    }

    @Test
    void rewritingABf16ShardGivesTheSameFile() throws Exception {
        Path original = SharedData.fixture("tiny-llama3").resolve("model-00002-of-00003.safetensors");
        Path out = tmp.resolve("shard.safetensors");
        try (SafetensorsReader r = SafetensorsReader.open(original)) {
            SafetensorsWriter.copy(r, new ArrayList<>(new TreeSet<>(r.names())), out);
        }
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(out));
    }

    @Test
    void chunkedWritesAndShardedOutput() throws Exception {
        List<TensorInfo> infos = List.of(new TensorInfo("a", DType.F32, new long[] {3}),
                new TensorInfo("b", DType.F16, new long[] {2, 2}), new TensorInfo("c", DType.F32, new long[] {2}));
        List<Path> files = SafetensorsWriter.writeCheckpoint(tmp, infos, Map.of("note", "x"), 16, (t, w) -> {
            for (long i = 0; i < t.byteSize(); i++) { // one byte at a time
                w.append(ByteBuffer.wrap(new byte[] {(byte) (i + t.name().charAt(0))}));
            }
        });
        assertEquals(List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                "model.safetensors.index.json"), files.stream().map(p -> p.getFileName().toString()).toList());
        String index = Files.readString(tmp.resolve("model.safetensors.index.json"));
        assertTrue(index.contains("\"total_size\": 28"), index);
        try (CheckpointReader r = Checkpoints.open(tmp)) {
            assertEquals(List.of("a", "b", "c"), new ArrayList<>(new TreeSet<>(r.names())));
            TensorData b = r.read("b");
            assertEquals(DType.F16, b.dtype());
            assertArrayEquals(new long[] {2, 2}, b.shape());
            assertEquals('b' + 7, b.data().get(7));
            assertEquals("x", r.metadata().get("note"));
        }
    }

    @Test
    void incompleteFileIsNotLeftBehind() throws Exception {
        Path out = tmp.resolve("x.safetensors");
        SafetensorsWriter w = new SafetensorsWriter(out, List.of(new TensorInfo("a", DType.F32, new long[] {2}),
                new TensorInfo("b", DType.F32, new long[] {2})), Map.of());
        assertThrows(IllegalStateException.class, () -> w.write("b", ByteBuffer.allocate(8)));
        w.write("a", ByteBuffer.allocate(8));
        CheckpointException e = assertThrows(CheckpointException.class, w::close);
        assertTrue(e.getMessage().contains("tensor 'b' was not written"), e.getMessage());
        assertFalse(Files.exists(out));
        try (var files = Files.list(tmp)) {
            assertEquals(0, files.count());
        }
    }
}
