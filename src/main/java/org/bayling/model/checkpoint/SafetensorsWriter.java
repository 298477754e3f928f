package org.bayling.model.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a standard {@code .safetensors} file tensor by tensor. The header is written first, from the
 * names, dtypes and shapes declared up front; the data of each tensor then follows in declaration
 * order, in as many chunks as the caller likes, so a checkpoint of any size passes through a buffer of
 * the caller's choosing. The file appears under its name only when {@link #close()} finds every tensor
 * complete; until then it is written to a temporary sibling, which an incomplete close removes.
 */
public final class SafetensorsWriter implements Closeable {

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    /** Produces the data of one tensor into a writer, by {@link #append} calls summing to its byte size. */
    @FunctionalInterface
    public interface TensorSource {
        void write(TensorInfo tensor, SafetensorsWriter out) throws IOException;
    }

    private final Path file;
    private final Path tmp;
    private final FileChannel channel;
    private final List<TensorInfo> tensors;
    private int current = -1;
    private long remaining; // bytes still due for the current tensor
    private boolean closed;

    /**
     * Creates {@code file} and writes its header.
     *
     * @param tensors  every tensor the file will hold, in data order
     * @param metadata the {@code __metadata__} strings ({@code format=pt} is added when absent)
     */
    public SafetensorsWriter(Path file, List<TensorInfo> tensors, Map<String, String> metadata) throws IOException {
        this.file = file;
        this.tensors = List.copyOf(tensors);
        Set<String> seen = new HashSet<>();
        JsonObject header = new JsonObject();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.putAll(metadata);
        JsonObject metaJson = new JsonObject();
        meta.forEach(metaJson::addProperty);
        header.add("__metadata__", metaJson);
        long offset = 0;
        for (TensorInfo t : this.tensors) {
            if (t.name().equals("__metadata__") || !seen.add(t.name())) {
                throw new IllegalArgumentException("duplicate or reserved tensor name '" + t.name() + "'");
            }
            JsonObject o = new JsonObject();
            o.addProperty("dtype", t.dtype().name());
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) {
                shape.add(d);
            }
            o.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += t.byteSize();
            offsets.add(offset);
            o.add("data_offsets", offsets);
            header.add(t.name(), o);
        }
        byte[] json = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // keep the data area 8-byte aligned, padding with spaces
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        this.tmp = dir.resolve(file.getFileName() + ".partial");
        this.channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        writeFully(head);
    }

    /** The tensors declared for this file, in data order. */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    /** Writes a whole tensor, which must be the next one declared. */
    public void write(String name, ByteBuffer data) throws IOException {
        begin(name);
        append(data);
        if (remaining != 0) {
            throw new IllegalStateException("tensor '" + name + "' needs " + tensors.get(current).byteSize()
                    + " bytes, got " + data.remaining());
        }
    }

    /** Starts the next declared tensor, which must be {@code name}; its bytes follow through {@link #append}. */
    public void begin(String name) {
        if (remaining != 0) {
            throw new IllegalStateException("tensor '" + tensors.get(current).name() + "' is missing " + remaining + " bytes");
        }
        if (current + 1 >= tensors.size()) {
            throw new IllegalStateException("all " + tensors.size() + " declared tensors are written; '" + name + "' is extra");
        }
        TensorInfo next = tensors.get(current + 1);
        if (!next.name().equals(name)) {
            throw new IllegalStateException("tensor '" + next.name() + "' comes next, not '" + name + "'");
        }
        current++;
        remaining = next.byteSize();
    }

    /** Appends bytes (position to limit, consumed) of the current tensor. */
    public void append(ByteBuffer chunk) throws IOException {
        if (current < 0 || chunk.remaining() > remaining) {
            throw new IllegalStateException("more bytes than the current tensor holds");
        }
        remaining -= chunk.remaining();
        writeFully(chunk);
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** Finishes the file; throws (and removes the partial file) when a declared tensor was not written. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        boolean complete = remaining == 0 && current == tensors.size() - 1;
        try {
            if (complete) {
                channel.force(false);
            }
        } finally {
            channel.close();
        }
        if (!complete) {
            Files.deleteIfExists(tmp);
            String problem = remaining != 0
                    ? "tensor '" + tensors.get(current).name() + "' is missing " + remaining + " bytes"
                    : "tensor '" + tensors.get(current + 1).name() + "' was not written";
            throw new CheckpointException(file, "incomplete, not written: " + problem);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes {@code reader}'s tensors {@code names} (in that order) to one file, one tensor at a time. */
    public static void copy(CheckpointReader reader, List<String> names, Path file) throws IOException {
        List<TensorInfo> infos = new ArrayList<>();
        for (String n : names) {
            infos.add(reader.info(n));
        }
        try (SafetensorsWriter w = new SafetensorsWriter(file, infos, Map.of())) {
            for (String n : names) {
                w.write(n, reader.read(n).data().duplicate());
            }
        }
    }

    /**
     * Writes a checkpoint directory the way Hugging Face does: {@code model.safetensors} when everything
     * fits in one shard of at most {@code maxShardBytes}, else {@code model-0000i-of-0000n.safetensors}
     * shards plus {@code model.safetensors.index.json}. Each tensor's data comes from {@code source}.
     *
     * @return the files written
     */
    public static List<Path> writeCheckpoint(Path dir, List<TensorInfo> tensors, Map<String, String> metadata,
                                             long maxShardBytes, TensorSource source) throws IOException {
        List<List<TensorInfo>> shards = new ArrayList<>();
        List<TensorInfo> cur = new ArrayList<>();
        long curBytes = 0;
        long total = 0;
        for (TensorInfo t : tensors) {
            if (!cur.isEmpty() && curBytes + t.byteSize() > maxShardBytes) {
                shards.add(cur);
                cur = new ArrayList<>();
                curBytes = 0;
            }
            cur.add(t);
            curBytes += t.byteSize();
            total += t.byteSize();
        }
        shards.add(cur);
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = shards.size() == 1 ? "model.safetensors"
                    : String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Path p = dir.resolve(name);
            try (SafetensorsWriter w = new SafetensorsWriter(p, shards.get(i), metadata)) {
                for (TensorInfo t : shards.get(i)) {
                    w.begin(t.name());
                    source.write(t, w);
                    weightMap.put(t.name(), name);
                }
            }
            written.add(p);
        }
        if (shards.size() > 1) {
            JsonObject index = new JsonObject();
            JsonObject meta = new JsonObject();
            meta.addProperty("total_size", total);
            index.add("metadata", meta);
            JsonObject wm = new JsonObject();
            weightMap.forEach(wm::addProperty);
            index.add("weight_map", wm);
            Path p = dir.resolve("model.safetensors.index.json");
            Files.writeString(p, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(index) + "\n");
            written.add(p);
        }
        return Collections.unmodifiableList(written);
    }
}
