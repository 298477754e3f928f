package org.bayling.model.checkpoint;

import java.util.Arrays;

/**
 * What a checkpoint says about one tensor without reading its data.
 *
 * @param name  the checkpoint key
 * @param dtype the stored element type
 * @param shape the stored shape, row-major
 */
public record TensorInfo(String name, DType dtype, long[] shape) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public long byteSize() {
        return Math.multiplyExact(numel(), dtype.bytes());
    }

    public static TensorInfo of(TensorData t) {
        return new TensorInfo(t.name(), t.dtype(), t.shape());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && t.dtype == dtype && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
