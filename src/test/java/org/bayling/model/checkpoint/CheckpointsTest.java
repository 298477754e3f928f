package org.bayling.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bayling.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {

    @TempDir
    Path tmp;

    @Test
    void picksTheFormatFromTheDirectory() throws Exception {
        try (CheckpointReader r = Checkpoints.open(SharedData.fixture("tiny-llama2"))) {
            assertInstanceOf(SafetensorsReader.class, r);
            assertEquals(21, r.names().size());
        }
        try (CheckpointReader r = Checkpoints.open(SharedData.fixture("tiny-llama3"))) {
            assertInstanceOf(ShardedSafetensorsReader.class, r);
            assertEquals(20, r.names().size());
        }
        try (CheckpointReader r = Checkpoints.open(SharedData.fixture("tiny-llama2-bin"))) {
            assertInstanceOf(TorchPickleReader.class, r);
            assertEquals(23, r.names().size());
            assertArrayEquals(new long[] {32000, 64}, r.info("lm_head.weight").shape());
        }
        try (CheckpointReader r = Checkpoints.open(SharedData.fixture("tiny-llama2-bin").resolve("pytorch_model.bin"))) {
            assertInstanceOf(TorchPickleReader.class, r);
        }
    }

    @Test
    void prefersSafetensorsOverBin() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("both"));
        Files.copy(SharedData.fixture("tiny-llama2").resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.copy(SharedData.fixture("tiny-llama2-bin").resolve("pytorch_model.bin"), dir.resolve("pytorch_model.bin"));
        try (CheckpointReader r = Checkpoints.open(dir)) {
            assertInstanceOf(SafetensorsReader.class, r);
        }
    }

    @Test
    void directoryWithoutCheckpointListsWhatWasLookedFor() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("empty"));
        Files.writeString(dir.resolve("config.json"), "{}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(dir));
        for (String name : List.of(dir.toString(), "model.safetensors", "model.safetensors.index.json",
                "pytorch_model.bin", "pytorch_model.bin.index.json")) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        assertThrows(CheckpointException.class, () -> Checkpoints.open(tmp.resolve("nowhere")));
    }
}
