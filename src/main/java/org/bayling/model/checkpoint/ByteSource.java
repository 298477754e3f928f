package org.bayling.model.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Positional reads of one stored file, wherever it lives (a local file, a Hadoop filesystem), so checkpoint
 * headers can be checked without the weights: only the bytes asked for are read.
 */
public interface ByteSource extends Closeable {

    /** How error messages name the file (a path relative to the model directory, or a local path). */
    String name();

    long size() throws IOException;

    /** Fills {@code into} from {@code position}; fails on a short file. */
    void readFully(long position, ByteBuffer into) throws IOException;

    /** {@code length} bytes at {@code position}, little-endian. */
    default ByteBuffer read(long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        readFully(position, buf);
        return buf.flip();
    }

    /** A local file's channel (left open: the caller owns it). */
    static ByteSource of(FileChannel channel, Path file) {
        return new ByteSource() {
            @Override
            public String name() {
                return file.toString();
            }

            @Override
            public long size() throws IOException {
                return channel.size();
            }

            @Override
            public void readFully(long position, ByteBuffer into) throws IOException {
                long pos = position;
                while (into.hasRemaining()) {
                    int n = channel.read(into, pos);
                    if (n < 0) {
                        throw new CheckpointException(name(), "unexpected end of file at byte " + pos);
                    }
                    pos += n;
                }
            }

            @Override
            public void close() {
                // the channel belongs to the caller
            }
        };
    }
}
