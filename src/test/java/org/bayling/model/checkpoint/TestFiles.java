package org.bayling.model.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-made test inputs: raw safetensors files, pickle opcodes, torch-style zip archives. */
final class TestFiles {

    private TestFiles() {
    }

    /** A safetensors file with the given header text and {@code dataBytes} bytes of data (value = index). */
    static Path safetensors(Path file, String headerJson, int dataBytes) throws IOException {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) i);
        }
        Files.write(file, b.array());
        return file;
    }

    /** Writes pickle opcodes; method names follow Python's pickletools. */
    static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int opcode) {
            out.write(opcode);
            return this;
        }

        Pickle proto(int p) {
            return op(0x80).op(p);
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
            return this;
        }

        Pickle shortStr(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op(0x8C).op(b.length);
            out.writeBytes(b);
            return this;
        }

        Pickle integer(long v) {
            op('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            return this;
        }

        Pickle mark() {
            return op('(');
        }

        Pickle tuple() {
            return op('t');
        }

        Pickle reduce() {
            return op('R');
        }

        Pickle binput(int i) {
            return op('q').op(i);
        }

        Pickle binget(int i) {
            return op('h').op(i);
        }

        Pickle stop() {
            return op('.');
        }

        /** A tuple of ints: MARK ints TUPLE. */
        Pickle ints(long... values) {
            mark();
            for (long v : values) {
                integer(v);
            }
            return tuple();
        }

        /**
         * {@code _rebuild_tensor_v2(persistent ('storage', torch.<type>, key, 'cpu', numel), offset, size,
         * stride, False, OrderedDict())}, as torch.save writes it.
         */
        Pickle tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride) {
            global("torch._utils", "_rebuild_tensor_v2");
            mark();
            mark().str("storage").global("torch", storageType).str(key).str("cpu").integer(numel).tuple().op('Q');
            integer(offset).ints(size).ints(stride).op(0x89);
            global("collections", "OrderedDict").op(')').reduce();
            tuple().reduce();
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** A torch-style zip: {@code <archive>/data.pkl}, {@code <archive>/byteorder}, {@code <archive>/data/<key>}, all stored. */
    static Path torchZip(Path file, String archive, byte[] pickle, String byteorder, Map<String, byte[]> storages)
            throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            stored(zip, archive + "/data.pkl", pickle);
            if (byteorder != null) {
                stored(zip, archive + "/byteorder", byteorder.getBytes(StandardCharsets.US_ASCII));
            }
            for (Map.Entry<String, byte[]> e : storages.entrySet()) {
                stored(zip, archive + "/data/" + e.getKey(), e.getValue());
            }
            stored(zip, archive + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static float[] floatsOf(ByteBuffer data) {
        ByteBuffer d = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[d.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.getFloat(i * 4);
        }
        return out;
    }

    static byte[] bytesOf(ByteBuffer data) {
        ByteBuffer d = data.duplicate();
        byte[] b = new byte[d.remaining()];
        d.get(b);
        return b;
    }
}
