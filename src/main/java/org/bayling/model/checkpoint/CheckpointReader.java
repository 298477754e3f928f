package org.bayling.model.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.util.Set;

/**
 * Reads the tensors of one checkpoint (one file or a set of shards) by name, one at a time.
 * Implementations: safetensors (single or sharded) and torch pickle ({@code pytorch_model*.bin}).
 */
public interface CheckpointReader extends Closeable {

    /** Every tensor name the checkpoint holds (legacy buffers included; the model ignores what it does not need). */
    Set<String> names();

    /** Reads one tensor; throws {@link CheckpointException} naming the file when it is absent or corrupt. */
    TensorData read(String name) throws IOException;

    /**
     * Name, dtype and shape of one tensor. Readers override this to answer from their header without
     * touching the data; the default reads the tensor.
     */
    default TensorInfo info(String name) throws IOException {
        return TensorInfo.of(read(name));
    }

    /** Free-form string metadata the checkpoint carries (safetensors {@code __metadata__}); empty by default. */
    default java.util.Map<String, String> metadata() {
        return java.util.Map.of();
    }

    @Override
    void close() throws IOException;
}
