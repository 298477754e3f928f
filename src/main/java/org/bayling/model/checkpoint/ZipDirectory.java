package org.bayling.model.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a zip archive (zip64 included), read without inflating anything, so that
 * a stored (uncompressed) entry can be memory-mapped straight from the file. Torch checkpoints store
 * every record uncompressed.
 */
final class ZipDirectory {

    /** One entry: {@code method} 0 is stored, 8 is deflated. */
    record Entry(String name, int method, int flags, long compressedSize, long size, long localHeaderOffset) {
    }

    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CEN_SIG = 0x02014b50;
    private static final int LOC_SIG = 0x04034b50;
    private static final long MAX_DIRECTORY_BYTES = 256L * 1024 * 1024;

    private final ByteSource source;
    private final Map<String, Entry> entries;

    private ZipDirectory(ByteSource source, Map<String, Entry> entries) {
        this.source = source;
        this.entries = entries;
    }

    ByteSource source() {
        return source;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    /** Reads the central directory; a file that is not a zip archive gets a message saying so. */
    static ZipDirectory read(ByteSource src, String notZipHint) throws IOException {
        String file = src.name();
        long size = src.size();
        int tail = (int) Math.min(size, 22 + 65535);
        ByteBuffer end = src.read(size - tail, tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == EOCD_SIG) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new CheckpointException(file, "not a zip archive (no end-of-central-directory record)" + notZipHint);
        }
        long total = end.getShort(eocd + 10) & 0xFFFF;
        long cdSize = end.getInt(eocd + 12) & 0xFFFFFFFFL;
        long cdOffset = end.getInt(eocd + 16) & 0xFFFFFFFFL;
        long eocdPos = size - tail + eocd;
        if (total == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            if (eocdPos < 20) {
                throw new CheckpointException(file, "zip64 end-of-central-directory locator is missing");
            }
            ByteBuffer loc = src.read(eocdPos - 20, 20);
            if (loc.getInt(0) != ZIP64_LOCATOR_SIG) {
                throw new CheckpointException(file, "zip64 end-of-central-directory locator is missing");
            }
            long z64 = loc.getLong(8);
            if (z64 < 0 || z64 + 56 > size) {
                throw new CheckpointException(file, "zip64 end-of-central-directory record lies beyond the file");
            }
            ByteBuffer rec = src.read(z64, 56);
            if (rec.getInt(0) != ZIP64_EOCD_SIG) {
                throw new CheckpointException(file, "zip64 end-of-central-directory record is corrupt");
            }
            total = rec.getLong(32);
            cdSize = rec.getLong(40);
            cdOffset = rec.getLong(48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdSize > MAX_DIRECTORY_BYTES || cdOffset + cdSize > size) {
            throw new CheckpointException(file, "zip central directory [" + cdOffset + ", +" + cdSize
                    + ") lies beyond the end of the file (" + size + " bytes)");
        }
        ByteBuffer cd = src.read(cdOffset, (int) cdSize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < total; i++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CEN_SIG) {
                throw new CheckpointException(file, "zip central directory entry " + i + " is corrupt");
            }
            int flags = cd.getShort(p + 8) & 0xFFFF;
            int method = cd.getShort(p + 10) & 0xFFFF;
            long csize = cd.getInt(p + 20) & 0xFFFFFFFFL;
            long usize = cd.getInt(p + 24) & 0xFFFFFFFFL;
            int nameLen = cd.getShort(p + 28) & 0xFFFF;
            int extraLen = cd.getShort(p + 30) & 0xFFFF;
            int commentLen = cd.getShort(p + 32) & 0xFFFF;
            long local = cd.getInt(p + 42) & 0xFFFFFFFFL;
            if (p + 46 + nameLen + extraLen + commentLen > cd.limit()) {
                throw new CheckpointException(file, "zip central directory entry " + i + " is truncated");
            }
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // zip64 extended information: the fields that overflowed, in this order
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = cd.getShort(x) & 0xFFFF;
                int len = cd.getShort(x + 2) & 0xFFFF;
                if (id == 0x0001) {
                    int q = x + 4;
                    if (usize == 0xFFFFFFFFL && q + 8 <= x + 4 + len) {
                        usize = cd.getLong(q);
                        q += 8;
                    }
                    if (csize == 0xFFFFFFFFL && q + 8 <= x + 4 + len) {
                        csize = cd.getLong(q);
                        q += 8;
                    }
                    if (local == 0xFFFFFFFFL && q + 8 <= x + 4 + len) {
                        local = cd.getLong(q);
                    }
                }
                x += 4 + len;
            }
            entries.put(name, new Entry(name, method, flags, csize, usize, local));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return new ZipDirectory(src, Collections.unmodifiableMap(entries));
    }

    /** File offset of an entry's data, from its local header (whose extra field may differ from the central one). */
    long dataOffset(Entry e) throws IOException {
        String file = source.name();
        long size = source.size();
        if (e.localHeaderOffset < 0 || e.localHeaderOffset + 30 > size) {
            throw new CheckpointException(file, "zip entry '" + e.name + "' header lies beyond the end of the file");
        }
        ByteBuffer loc = source.read(e.localHeaderOffset, 30);
        if (loc.getInt(0) != LOC_SIG) {
            throw new CheckpointException(file, "zip entry '" + e.name + "' has a corrupt local header");
        }
        long start = e.localHeaderOffset + 30 + (loc.getShort(26) & 0xFFFF) + (loc.getShort(28) & 0xFFFF);
        if (start + e.compressedSize > size) {
            throw new CheckpointException(file, "zip entry '" + e.name + "' data [" + start + ", "
                    + (start + e.compressedSize) + ") lies beyond the end of the file (" + size + " bytes)");
        }
        return start;
    }
}
