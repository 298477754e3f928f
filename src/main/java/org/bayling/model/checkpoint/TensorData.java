package org.bayling.model.checkpoint;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One stored tensor as raw little-endian bytes, usually a slice of a memory-mapped file, so loading
 * never copies a whole shard onto the Java heap.
 *
 * @param name  the checkpoint key, e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param dtype the stored element type
 * @param shape the stored shape, row-major
 * @param data  exactly {@code numel * dtype.bytes()} bytes, position 0, little-endian
 */
public record TensorData(String name, DType dtype, long[] shape, ByteBuffer data) {

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long byteSize() {
        return numel() * dtype.bytes();
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
