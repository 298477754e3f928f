package org.bayling.model.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Opens a Hugging Face model directory in whichever checkpoint format it holds. */
public final class Checkpoints {

    /** The files looked for, in order of preference (the order transformers uses). */
    public static final List<String> KNOWN_FILES = List.of(
            "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json");

    private Checkpoints() {
    }

    /**
     * Opens the checkpoint in {@code modelDir}: {@code model.safetensors}, else
     * {@code model.safetensors.index.json} with its shards, else {@code pytorch_model.bin}, else
     * {@code pytorch_model.bin.index.json} with its shards. A path to one of those files is accepted too.
     */
    public static CheckpointReader open(Path modelDir) throws IOException {
        if (Files.isRegularFile(modelDir)) {
            return openFile(modelDir);
        }
        if (!Files.isDirectory(modelDir)) {
            throw new CheckpointException(modelDir, "no such model directory");
        }
        for (String name : KNOWN_FILES) {
            Path p = modelDir.resolve(name);
            if (Files.isRegularFile(p)) {
                return openFile(p);
            }
        }
        throw new CheckpointException(modelDir, "no checkpoint found: looked for " + String.join(", ", KNOWN_FILES));
    }

    /** Opens one checkpoint file, choosing the reader by its name. */
    public static CheckpointReader openFile(Path file) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".safetensors.index.json")) {
            return ShardedSafetensorsReader.open(file);
        }
        if (name.endsWith(".bin.index.json")) {
            return TorchPickleReader.openSharded(file);
        }
        if (name.endsWith(".safetensors")) {
            return SafetensorsReader.open(file);
        }
        if (name.endsWith(".bin") || name.endsWith(".pt") || name.endsWith(".pth")) {
            return TorchPickleReader.open(file);
        }
        throw new CheckpointException(file, "unknown checkpoint file type: expected .safetensors, .bin or an index .json");
    }

    /** Something that reads a checkpoint file from an open channel (and keeps it on success). */
    @FunctionalInterface
    interface ChannelParser<T> {
        T parse(java.nio.channels.FileChannel channel) throws IOException;
    }

    /**
     * Opens {@code file} for reading and hands the channel to {@code parser}; the channel is closed if
     * parsing fails, and an unopenable file becomes a {@link CheckpointException} naming it.
     */
    static <T> T openChannel(Path file, ChannelParser<T> parser) throws IOException {
        java.nio.channels.FileChannel channel;
        try {
            channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot open: " + e, e);
        }
        try {
            return parser.parse(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }
}
