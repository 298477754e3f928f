package org.bayling.model.checkpoint;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}} plus an optional {@code __metadata__}), then the
 * data area. The header is validated completely when the file is opened; each tensor is then
 * memory-mapped on its own when it is read, so nothing else of the file is touched.
 */
public final class SafetensorsReader implements CheckpointReader {

    /** Headers above this size are refused, as the reference implementation does. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    record Entry(TensorInfo info, long begin, long end) {
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries; // in data order
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafetensorsReader(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries,
                              Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Opens and validates {@code file}; throws {@link CheckpointException} naming the file and the problem. */
    public static SafetensorsReader open(Path file) throws IOException {
        return Checkpoints.openChannel(file, channel -> {
            Header h = header(ByteSource.of(channel, file));
            return new SafetensorsReader(file, channel, h.dataStart(), h.entries(), h.metadata());
        });
    }

    /**
     * A validated header: where the data starts, every tensor's name, dtype, shape and byte range (in data
     * order), and the string metadata.
     */
    record Header(long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {

        /** Name, dtype and shape of every tensor. */
        public Map<String, TensorInfo> tensors() {
            Map<String, TensorInfo> m = new LinkedHashMap<>();
            entries.forEach((k, v) -> m.put(k, v.info()));
            return m;
        }
    }

    /**
     * Reads and validates the header of a safetensors file (header length, JSON, every entry's dtype, shape
     * and data offsets against the file size, no overlaps) without touching the data.
     */
    static Header header(ByteSource src) throws IOException {
        String file = src.name();
        long size = src.size();
        if (size < 8) {
            throw new CheckpointException(file, "file is " + size + " bytes, too short for the 8-byte header length");
        }
        long headerLen = src.read(0, 8).getLong(0);
        if (headerLen < 0 || headerLen > size - 8) {
            throw new CheckpointException(file, "header length " + Long.toUnsignedString(headerLen)
                    + " lies beyond the end of the file (" + size + " bytes)");
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw new CheckpointException(file, "header length " + headerLen + " exceeds the "
                    + MAX_HEADER_BYTES + "-byte limit");
        }
        ByteBuffer header = src.read(8, (int) headerLen);
        JsonObject root;
        try {
            JsonElement parsed = JsonParser.parseString(new String(header.array(), StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) {
                throw new CheckpointException(file, "header is not a JSON object");
            }
            root = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new CheckpointException(file, "header is not valid JSON: " + e.getMessage(), e);
        }
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> list = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : root.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                if (e.getValue().isJsonObject()) {
                    for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                        if (m.getValue().isJsonPrimitive()) {
                            metadata.put(m.getKey(), m.getValue().getAsString());
                        }
                    }
                }
                continue;
            }
            list.add(parseEntry(file, name, e.getValue(), dataSize));
        }
        list.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry prev = null;
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Entry en : list) {
            if (prev != null && en.begin < prev.end && en.end > en.begin) {
                throw new CheckpointException(file, "tensor '" + en.info.name() + "' data [" + en.begin + ", " + en.end
                        + ") overlaps tensor '" + prev.info.name() + "' data [" + prev.begin + ", " + prev.end + ")");
            }
            if (en.end > en.begin) {
                prev = en;
            }
            entries.put(en.info.name(), en);
        }
        return new Header(dataStart, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
    }

    private static Entry parseEntry(String file, String name, JsonElement value, long dataSize) throws CheckpointException {
        String what = "tensor '" + name + "'";
        if (!value.isJsonObject()) {
            throw new CheckpointException(file, what + ": header entry is not a JSON object");
        }
        JsonObject o = value.getAsJsonObject();
        JsonElement dt = o.get("dtype");
        if (dt == null || !dt.isJsonPrimitive()) {
            throw new CheckpointException(file, what + ": header entry has no dtype");
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensors(dt.getAsString());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, what + " has unknown dtype '" + dt.getAsString() + "'");
        }
        long[] shape = longArray(file, what, "shape", o.get("shape"), -1);
        long[] offsets = longArray(file, what, "data_offsets", o.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw new CheckpointException(file, what + " data_offsets [" + begin + ", " + end + ") end before they begin");
        }
        long expected;
        try {
            expected = Math.multiplyExact(Shapes.numel(shape), dtype.bytes());
        } catch (ArithmeticException e) {
            throw new CheckpointException(file, what + " shape " + Arrays.toString(shape) + " is too large");
        }
        if (end - begin != expected) {
            throw new CheckpointException(file, what + " has shape " + Arrays.toString(shape) + " of " + dtype
                    + " = " + expected + " bytes but data_offsets [" + begin + ", " + end + ") hold "
                    + (end - begin) + " bytes");
        }
        if (end > dataSize) {
            throw new CheckpointException(file, what + " data [" + begin + ", " + end
                    + ") lies beyond the end of the file (" + dataSize + " bytes of data)");
        }
        return new Entry(new TensorInfo(name, dtype, shape), begin, end);
    }

    private static long[] longArray(String file, String what, String key, JsonElement el, int length)
            throws CheckpointException {
        if (el == null || !el.isJsonArray()) {
            throw new CheckpointException(file, what + ": header entry has no " + key + " array");
        }
        JsonArray a = el.getAsJsonArray();
        if (length >= 0 && a.size() != length) {
            throw new CheckpointException(file, what + ": " + key + " has " + a.size() + " values, expected " + length);
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = new BigDecimal(a.get(i).getAsString()).longValueExact();
            } catch (RuntimeException e) {
                throw new CheckpointException(file, what + ": " + key + " value '" + a.get(i) + "' is not an integer");
            }
            if (out[i] < 0) {
                throw new CheckpointException(file, what + ": " + key + " value " + out[i] + " is negative");
            }
        }
        return out;
    }

    public Path path() {
        return file;
    }

    /** The string entries of {@code __metadata__} (e.g. {@code format=pt}). */
    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Set<String> names() {
        return entries.keySet();
    }

    @Override
    public TensorInfo info(String name) throws IOException {
        return entry(name).info;
    }

    private Entry entry(String name) throws CheckpointException {
        if (closed) {
            throw new CheckpointException(file, "reader is closed");
        }
        Entry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException(file, "no tensor named '" + name + "' (the file holds " + entries.size()
                    + " tensors)");
        }
        return e;
    }

    @Override
    public TensorData read(String name) throws IOException {
        Entry e = entry(name);
        ByteBuffer data = Shapes.map(channel, file, "tensor '" + name + "'", dataStart + e.begin, e.end - e.begin);
        return new TensorData(name, e.info.dtype(), e.info.shape(), data);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsReader[" + file + ", " + entries.size() + " tensors]";
    }
}
