package org.bayling.model.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipFile;
import org.bayling.model.checkpoint.RestrictedUnpickler.StorageRef;
import org.bayling.model.checkpoint.RestrictedUnpickler.TensorRef;

/**
 * Reads a {@code torch.save} state dict ({@code pytorch_model.bin}): a zip archive with
 * {@code <archive>/data.pkl} (the pickled dict), one {@code <archive>/data/<key>} record per storage
 * and a {@code <archive>/byteorder} record. The pickle is read by {@link RestrictedUnpickler}, which
 * refuses every global but the few a state dict needs and never runs code. Tensor data is read
 * lazily: a stored (uncompressed) record is memory-mapped at its offset in the file, and only the
 * bytes of the requested tensor are mapped.
 */
public final class TorchPickleReader implements CheckpointReader {

    private static final String NOT_ZIP_HINT = "; torch files saved before PyTorch 1.6 (legacy format) are not supported:"
            + " re-save them with torch.save or convert them to safetensors";

    private final Path file;
    private final FileChannel channel;
    private final ZipDirectory zip;
    private final String prefix;
    private final Map<String, TensorRef> tensors;
    private ZipFile inflater; // only for compressed records, which torch does not write
    private volatile boolean closed;

    private TorchPickleReader(Path file, FileChannel channel, ZipDirectory zip, String prefix,
                              Map<String, TensorRef> tensors) {
        this.file = file;
        this.channel = channel;
        this.zip = zip;
        this.prefix = prefix;
        this.tensors = tensors;
    }

    /** Opens {@code pytorch_model.bin}: reads the zip directory and unpickles {@code data.pkl} (no tensor data). */
    public static TorchPickleReader open(Path file) throws IOException {
        return Checkpoints.openChannel(file, channel -> {
            Header h = header(ByteSource.of(channel, file));
            return new TorchPickleReader(file, channel, h.zip(), h.prefix(), h.tensors());
        });
    }

    /** Opens {@code pytorch_model.bin.index.json} and its {@code pytorch_model-0000x-of-0000y.bin} shards. */
    public static ShardedCheckpointReader openSharded(Path indexFile) throws IOException {
        return ShardedCheckpointReader.open(indexFile, TorchPickleReader::open);
    }

    /** The archive's directory, its record prefix and its tensors, each checked against its storage record. */
    record Header(ZipDirectory zip, String prefix, Map<String, TensorRef> tensors) {

        /** Name, dtype and shape of every tensor. */
        Map<String, TensorInfo> infos() {
            Map<String, TensorInfo> m = new LinkedHashMap<>();
            tensors.forEach((k, t) -> m.put(k, new TensorInfo(k, t.storage().dtype(), t.size())));
            return m;
        }
    }

    /**
     * Reads the zip directory and the pickle ({@link RestrictedUnpickler}: forbidden globals are refused here),
     * then checks every tensor against its storage record (present, large enough, inside the file, the view
     * inside the storage) without reading any tensor data.
     */
    static Header header(ByteSource src) throws IOException {
        String file = src.name();
        ZipDirectory zip = ZipDirectory.read(src, NOT_ZIP_HINT);
        String pkl = null;
        for (String name : zip.entries().keySet()) {
            int slash = name.indexOf('/');
            if (name.endsWith("/data.pkl") && slash == name.length() - "/data.pkl".length()) {
                if (pkl != null) {
                    throw new CheckpointException(file, "archive holds two pickles: '" + pkl + "' and '" + name + "'");
                }
                pkl = name;
            }
        }
        if (pkl == null) {
            throw new CheckpointException(file, "zip archive has no <archive>/data.pkl record: not a torch checkpoint");
        }
        String prefix = pkl.substring(0, pkl.length() - "data.pkl".length());
        ZipDirectory.Entry byteorder = zip.entries().get(prefix + "byteorder");
        if (byteorder != null) {
            String order = new String(entryBytes(zip, byteorder, 64), StandardCharsets.US_ASCII).trim();
            if (order.equals("big")) {
                throw new CheckpointException(file, "record '" + byteorder.name()
                        + "' says 'big': big-endian checkpoints are not supported (re-save on a little-endian machine)");
            }
            if (!order.equals("little")) {
                throw new CheckpointException(file, "record '" + byteorder.name() + "' holds unknown byte order '"
                        + order + "'");
            }
        }
        Object root;
        try {
            root = RestrictedUnpickler.load(entryBytes(zip, zip.entries().get(pkl), 1L << 30));
        } catch (RestrictedUnpickler.Refused e) {
            throw new CheckpointException(file, pkl + ": " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> dict)) {
            throw new CheckpointException(file, pkl + " does not hold a dict of tensors");
        }
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (e.getKey() instanceof String name && e.getValue() instanceof TensorRef t) {
                tensors.put(name, t);
            }
        }
        if (tensors.isEmpty()) {
            throw new CheckpointException(file, pkl + " holds no tensors at the top level (keys: "
                    + describeKeys(dict) + "); expected a flat state dict");
        }
        long size = src.size();
        for (Map.Entry<String, TensorRef> e : tensors.entrySet()) {
            checkAgainstStorage(file, zip, prefix, e.getKey(), e.getValue(), size);
        }
        return new Header(zip, prefix, Collections.unmodifiableMap(tensors));
    }

    /** The view lies inside its storage; the storage record exists, is large enough and lies inside the file. */
    private static void checkAgainstStorage(String file, ZipDirectory zip, String prefix, String name, TensorRef t,
                                            long fileSize) throws CheckpointException {
        StorageRef s = t.storage();
        String what = "tensor '" + name + "'";
        try {
            Shapes.numel(t.size());
        } catch (ArithmeticException e) {
            throw new CheckpointException(file, what + " has an impossible shape " + Arrays.toString(t.size()));
        }
        long last = lastElement(file, what, t);
        if (last >= 0 && (t.offset() < 0 || last >= s.numel())) {
            throw new CheckpointException(file, what + " (offset " + t.offset() + ", shape " + Arrays.toString(t.size())
                    + ", stride " + Arrays.toString(t.stride()) + ") reaches element " + last + " of storage '"
                    + s.key() + "', which has " + s.numel() + " elements");
        }
        String record = prefix + "data/" + s.key();
        ZipDirectory.Entry e = zip.entries().get(record);
        if (e == null) {
            throw new CheckpointException(file, what + ": storage record '" + record + "' is missing from the archive");
        }
        long storageBytes = s.numel() < 0 ? -1 : multiplyOrMax(s.numel(), s.dtype().bytes());
        if (storageBytes < 0 || e.size() < storageBytes) {
            throw new CheckpointException(file, what + ": storage record '" + record + "' holds " + e.size()
                    + " bytes, but its storage has " + s.numel() + " elements of " + s.dtype() + " = " + storageBytes
                    + " bytes");
        }
        if (e.localHeaderOffset() < 0 || e.localHeaderOffset() > fileSize - 30 - e.compressedSize()) {
            throw new CheckpointException(file, what + ": storage record '" + record + "' (" + e.compressedSize()
                    + " bytes at offset " + e.localHeaderOffset() + ") lies beyond the end of the file (" + fileSize
                    + " bytes)");
        }
    }

    private static long multiplyOrMax(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    /** The highest storage element the view touches, or -1 for an empty view. */
    private static long lastElement(String file, String what, TensorRef t) throws CheckpointException {
        long last = t.offset();
        for (int i = 0; i < t.size().length; i++) {
            if (t.size()[i] == 0) {
                return -1;
            }
        }
        try {
            for (int i = 0; i < t.size().length; i++) {
                if (t.stride()[i] < 0) {
                    throw new CheckpointException(file, what + " has a negative stride " + Arrays.toString(t.stride()));
                }
                last = Math.addExact(last, Math.multiplyExact(t.size()[i] - 1, t.stride()[i]));
            }
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
        return last;
    }

    private static String describeKeys(Map<?, ?> dict) {
        List<String> keys = new ArrayList<>();
        for (Object k : dict.keySet()) {
            if (keys.size() == 10) {
                keys.add("...");
                break;
            }
            keys.add(String.valueOf(k));
        }
        return String.join(", ", keys);
    }

    /** Reads a small record whole (the pickle, the byteorder), inflating it when it is compressed. */
    private static byte[] entryBytes(ZipDirectory zip, ZipDirectory.Entry e, long max) throws IOException {
        String file = zip.source().name();
        if (e.size() > max || e.compressedSize() > max) {
            throw new CheckpointException(file, "record '" + e.name() + "' is " + e.size() + " bytes, more than "
                    + max + " expected");
        }
        byte[] stored = zip.source().read(zip.dataOffset(e), (int) e.compressedSize()).array();
        if (e.method() == 0) {
            return stored;
        }
        if (e.method() != 8) {
            throw new CheckpointException(file, "record '" + e.name() + "' uses zip method " + e.method()
                    + " (only stored and deflated records are read)");
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(stored);
            byte[] out = new byte[(int) e.size()];
            int n = 0;
            while (n < out.length && !inflater.finished()) {
                int k = inflater.inflate(out, n, out.length - n);
                if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += k;
            }
            if (n != out.length) {
                throw new CheckpointException(file, "record '" + e.name() + "' inflates to " + n + " bytes, not the "
                        + e.size() + " its directory entry says");
            }
            return out;
        } catch (DataFormatException ex) {
            throw new CheckpointException(file, "record '" + e.name() + "' is not valid deflate data: " + ex.getMessage());
        } finally {
            inflater.end();
        }
    }

    public Path path() {
        return file;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    private TensorRef ref(String name) throws CheckpointException {
        if (closed) {
            throw new CheckpointException(file, "reader is closed");
        }
        TensorRef t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(file, "no tensor named '" + name + "' (the file holds " + tensors.size()
                    + " tensors)");
        }
        return t;
    }

    @Override
    public TensorInfo info(String name) throws IOException {
        TensorRef t = ref(name);
        return new TensorInfo(name, t.storage().dtype(), t.size());
    }

    @Override
    public TensorData read(String name) throws IOException {
        TensorRef t = ref(name);
        StorageRef s = t.storage();
        DType dtype = s.dtype();
        int es = dtype.bytes();
        String what = "tensor '" + name + "'";
        long numel = Shapes.numel(t.size()); // shape, view and storage record were checked with the header
        if (numel == 0) {
            return new TensorData(name, dtype, t.size(), ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN));
        }
        long last = lastElement(file.toString(), what, t);
        ZipDirectory.Entry e = zip.entries().get(prefix + "data/" + s.key());
        long spanStart = t.offset() * es;
        long spanBytes = (last + 1 - t.offset()) * es;
        ByteBuffer span;
        if (e.method() == 0) {
            span = Shapes.map(channel, file, what, zip.dataOffset(e) + spanStart, spanBytes);
        } else {
            span = inflate(e, spanStart, spanBytes, what);
        }
        if (isContiguous(t.size(), t.stride())) {
            return new TensorData(name, dtype, t.size(), span);
        }
        return new TensorData(name, dtype, t.size(), gather(span, t.size(), t.stride(), es, numel, what));
    }

    private static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= size[i];
        }
        return true;
    }

    /** Copies a strided view into a new row-major buffer (element order of the view). */
    private ByteBuffer gather(ByteBuffer span, long[] size, long[] stride, int es, long numel, String what)
            throws CheckpointException {
        if (numel * es > Integer.MAX_VALUE) {
            throw new CheckpointException(file, what + " is too large to copy");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) (numel * es)).order(ByteOrder.LITTLE_ENDIAN);
        int rank = size.length;
        long[] idx = new long[rank];
        byte[] elem = new byte[es];
        for (long n = 0; n < numel; n++) {
            long src = 0;
            for (int d = 0; d < rank; d++) {
                src += idx[d] * stride[d];
            }
            span.get((int) (src * es), elem);
            out.put(elem);
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < size[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out.flip();
    }

    private synchronized ByteBuffer inflate(ZipDirectory.Entry e, long start, long length, String what) throws IOException {
        if (length > Integer.MAX_VALUE) {
            throw new CheckpointException(file, what + " is too large to inflate");
        }
        if (inflater == null) {
            inflater = new ZipFile(file.toFile());
        }
        try (InputStream in = inflater.getInputStream(inflater.getEntry(e.name()))) {
            in.skipNBytes(start);
            byte[] b = in.readNBytes((int) length);
            if (b.length != length) {
                throw new CheckpointException(file, what + ": record '" + e.name() + "' is truncated");
            }
            return ByteBuffer.allocateDirect(b.length).order(ByteOrder.LITTLE_ENDIAN).put(b).flip();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        try {
            if (inflater != null) {
                inflater.close();
            }
        } finally {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "TorchPickleReader[" + file + ", " + tensors.size() + " tensors]";
    }
}
