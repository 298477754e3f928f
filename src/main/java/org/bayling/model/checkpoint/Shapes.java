package org.bayling.model.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Small helpers shared by the readers: element counts and per-tensor memory mapping. */
final class Shapes {

    private Shapes() {
    }

    /** Product of the dimensions; throws ArithmeticException on overflow. */
    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new ArithmeticException("negative dimension " + d);
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Maps {@code length} bytes at {@code offset} read-only, little-endian, position 0. */
    static ByteBuffer map(FileChannel channel, Path file, String what, long offset, long length) throws IOException {
        if (length > Integer.MAX_VALUE) {
            throw new CheckpointException(file, what + " is " + length
                    + " bytes, more than the 2 GiB one Java buffer can hold");
        }
        if (length == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.LITTLE_ENDIAN);
    }
}
