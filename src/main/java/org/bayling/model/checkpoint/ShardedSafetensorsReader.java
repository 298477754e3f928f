package org.bayling.model.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** Sharded safetensors: {@code model.safetensors.index.json} plus {@code model-0000x-of-0000y.safetensors}. */
public final class ShardedSafetensorsReader extends ShardedCheckpointReader {

    private ShardedSafetensorsReader(Path indexFile) throws IOException {
        super(indexFile, SafetensorsReader::open);
    }

    /** Opens the index and every shard header it names; a missing shard is named with the index file. */
    public static ShardedSafetensorsReader open(Path indexFile) throws IOException {
        return new ShardedSafetensorsReader(indexFile);
    }
}
