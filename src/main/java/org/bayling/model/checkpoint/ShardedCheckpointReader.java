package org.bayling.model.checkpoint;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A checkpoint split into shards and described by a Hugging Face index file
 * ({@code {"metadata": {...}, "weight_map": {tensor name: shard file name}}}). Every shard named in the
 * weight map must exist beside the index, and must hold the tensors the index assigns to it; both are
 * checked when the reader is opened (only shard headers are read).
 */
public class ShardedCheckpointReader implements CheckpointReader {

    /** Opens one shard file. */
    @FunctionalInterface
    public interface ShardOpener {
        CheckpointReader open(Path shard) throws IOException;
    }

    private final Path indexFile;
    private final Map<String, CheckpointReader> byTensor;
    private final List<CheckpointReader> shards;
    private volatile boolean closed;

    protected ShardedCheckpointReader(Path indexFile, ShardOpener opener) throws IOException {
        this.indexFile = indexFile;
        Map<String, String> weightMap = parseIndex(indexFile);
        Path dir = indexFile.toAbsolutePath().getParent();
        Set<String> shardNames = new TreeSet<>(weightMap.values());
        for (String shard : shardNames) {
            Path p = dir.resolve(shard);
            if (!p.normalize().startsWith(dir.normalize()) || shard.contains("/") || shard.contains("\\")) {
                throw new CheckpointException(indexFile, "shard name '" + shard + "' is not a file beside the index");
            }
            if (!Files.isRegularFile(p)) {
                throw new CheckpointException(indexFile, "shard '" + shard + "' named in the weight map does not exist ("
                        + p + ")");
            }
        }
        Map<String, CheckpointReader> opened = new LinkedHashMap<>();
        try {
            for (String shard : shardNames) {
                opened.put(shard, opener.open(dir.resolve(shard)));
            }
            Map<String, CheckpointReader> map = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                CheckpointReader r = opened.get(e.getValue());
                if (!r.names().contains(e.getKey())) {
                    throw new CheckpointException(indexFile, "tensor '" + e.getKey() + "' is mapped to shard '"
                            + e.getValue() + "', which does not hold it");
                }
                map.put(e.getKey(), r);
            }
            this.byTensor = Collections.unmodifiableMap(map);
            this.shards = List.copyOf(opened.values());
        } catch (IOException | RuntimeException e) {
            for (CheckpointReader r : opened.values()) {
                try {
                    r.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Opens a sharded checkpoint whose shards are read by {@code opener}. */
    public static ShardedCheckpointReader open(Path indexFile, ShardOpener opener) throws IOException {
        return new ShardedCheckpointReader(indexFile, opener);
    }

    /** The {@code weight_map} of an index file, in file order. */
    static Map<String, String> parseIndex(Path indexFile) throws IOException {
        String text;
        try {
            text = Files.readString(indexFile);
        } catch (IOException e) {
            throw new CheckpointException(indexFile, "cannot read index: " + e, e);
        }
        return parseIndex(indexFile.toString(), text);
    }

    /**
     * The {@code weight_map} of an index file's text, in file order; {@code indexFile} names it in errors.
     * Every shard must be a plain file name (shards lie beside their index).
     */
    public static Map<String, String> parseIndex(String indexFile, String text) throws CheckpointException {
        JsonElement weightMap;
        try {
            JsonElement root = JsonParser.parseString(text);
            weightMap = root.isJsonObject() ? root.getAsJsonObject().get("weight_map") : null;
        } catch (JsonParseException e) {
            throw new CheckpointException(indexFile, "index is not valid JSON: " + e.getMessage(), e);
        }
        if (weightMap == null || !weightMap.isJsonObject()) {
            throw new CheckpointException(indexFile, "index has no \"weight_map\" object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : ((JsonObject) weightMap).entrySet()) {
            if (!e.getValue().isJsonPrimitive()) {
                throw new CheckpointException(indexFile, "weight_map entry '" + e.getKey() + "' is not a file name");
            }
            String shard = e.getValue().getAsString();
            if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..") || shard.equals(".")) {
                throw new CheckpointException(indexFile, "shard name '" + shard + "' is not a file beside the index");
            }
            out.put(e.getKey(), shard);
        }
        if (out.isEmpty()) {
            throw new CheckpointException(indexFile, "weight_map is empty");
        }
        return out;
    }

    public Path indexFile() {
        return indexFile;
    }

    @Override
    public Set<String> names() {
        return byTensor.keySet();
    }

    private CheckpointReader shardOf(String name) throws CheckpointException {
        if (closed) {
            throw new CheckpointException(indexFile, "reader is closed");
        }
        CheckpointReader r = byTensor.get(name);
        if (r == null) {
            throw new CheckpointException(indexFile, "no tensor named '" + name + "' in the weight map ("
                    + byTensor.size() + " tensors)");
        }
        return r;
    }

    @Override
    public TensorData read(String name) throws IOException {
        return shardOf(name).read(name);
    }

    @Override
    public TensorInfo info(String name) throws IOException {
        return shardOf(name).info(name);
    }

    /** The union of the shards' metadata. */
    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        for (CheckpointReader r : shards) {
            m.putAll(r.metadata());
        }
        return m;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        IOException first = null;
        for (CheckpointReader r : new ArrayList<>(shards)) {
            try {
                r.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
