package org.bayling.model.checkpoint;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Name, dtype and shape of every tensor of a model directory's checkpoint, read from headers only
 * (safetensors headers, index files, torch zip directories and pickles), never from tensor data. Every
 * problem is a {@link CheckpointException} naming the file relative to the model directory.
 */
public final class CheckpointHeaders {

    /** Index files are a few hundred kB even for 70B checkpoints. */
    private static final long MAX_INDEX_BYTES = 64L << 20;

    /** One tensor as its header declares it, and the file that holds it (relative to the model directory). */
    public record Tensor(String file, TensorInfo info) {
    }

    private CheckpointHeaders() {
    }

    /** Picks the checkpoint as {@link Checkpoints#open} does and reads its headers. */
    public static Map<String, Tensor> read(ModelFiles files) throws IOException {
        String name = mainFile(files);
        return switch (name) {
            case "model.safetensors" -> safetensors(files, name);
            case "pytorch_model.bin" -> torch(files, name);
            default -> sharded(files, name);
        };
    }

    /** The checkpoint file (or index) {@link Checkpoints#open} would pick. */
    public static String mainFile(ModelFiles files) throws IOException {
        for (String name : Checkpoints.KNOWN_FILES) {
            if (files.isFile(name)) {
                return name;
            }
        }
        throw new CheckpointException(".", "no checkpoint found: looked for " + String.join(", ", Checkpoints.KNOWN_FILES));
    }

    private static Map<String, Tensor> safetensors(ModelFiles files, String name) throws IOException {
        try (ByteSource s = files.open(name)) {
            return located(name, SafetensorsReader.header(s).tensors());
        }
    }

    private static Map<String, Tensor> torch(ModelFiles files, String name) throws IOException {
        try (ByteSource s = files.open(name)) {
            return located(name, TorchPickleReader.header(s).infos());
        }
    }

    private static Map<String, Tensor> located(String file, Map<String, TensorInfo> infos) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        infos.forEach((k, v) -> m.put(k, new Tensor(file, v)));
        return m;
    }

    /** The index, every shard it names (beside it, present, readable), and that each shard holds its tensors. */
    private static Map<String, Tensor> sharded(ModelFiles files, String index) throws IOException {
        Map<String, String> weightMap = ShardedCheckpointReader.parseIndex(index, files.readString(index, MAX_INDEX_BYTES));
        boolean torch = index.endsWith(".bin.index.json");
        Set<String> shards = new TreeSet<>(weightMap.values());
        for (String shard : shards) {
            if (!files.isFile(shard)) {
                throw new CheckpointException(index, "shard '" + shard + "' named in the weight map does not exist");
            }
        }
        Map<String, Map<String, Tensor>> byShard = new LinkedHashMap<>();
        for (String shard : shards) {
            byShard.put(shard, torch ? torch(files, shard) : safetensors(files, shard));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            Tensor info = byShard.get(e.getValue()).get(e.getKey());
            if (info == null) {
                throw new CheckpointException(index, "tensor '" + e.getKey() + "' is mapped to shard '" + e.getValue()
                        + "', which does not hold it");
            }
            out.put(e.getKey(), info);
        }
        return out;
    }
}
