package org.bayling.model.checkpoint;

import java.nio.ByteBuffer;

/** Reads and writes single floating-point elements of little-endian tensor buffers as doubles. */
public final class Elements {

    private Elements() {
    }

    /** Whether {@code dtype} is one of the floating-point types this class converts. */
    public static boolean isFloating(DType dtype) {
        return dtype == DType.F16 || dtype == DType.BF16 || dtype == DType.F32 || dtype == DType.F64;
    }

    /** The exact value of element {@code index} (absolute, in elements) of a little-endian buffer. */
    public static double get(ByteBuffer data, DType dtype, int index) {
        return switch (dtype) {
            case F16 -> Fp16.toFloat(data.getShort(index * 2));
            case BF16 -> Bf16.toFloat(data.getShort(index * 2));
            case F32 -> data.getFloat(index * 4);
            case F64 -> data.getDouble(index * 8);
            default -> throw new IllegalArgumentException("not a floating-point dtype: " + dtype);
        };
    }

    /** Stores {@code value} rounded once (to nearest, ties to even) to {@code dtype}. */
    public static void put(ByteBuffer data, DType dtype, int index, double value) {
        switch (dtype) {
            case F16 -> data.putShort(index * 2, Fp16.fromDouble(value));
            case BF16 -> data.putShort(index * 2, Bf16.fromDouble(value));
            case F32 -> data.putFloat(index * 4, (float) value);
            case F64 -> data.putDouble(index * 8, value);
            default -> throw new IllegalArgumentException("not a floating-point dtype: " + dtype);
        }
    }

    /** {@code value} rounded to {@code dtype} and back, exactly as {@link #put} would store it. */
    public static double roundTo(DType dtype, double value) {
        return switch (dtype) {
            case F16 -> Fp16.toFloat(Fp16.fromDouble(value));
            case BF16 -> Bf16.toFloat(Bf16.fromDouble(value));
            case F32 -> (float) value;
            case F64 -> value;
            default -> throw new IllegalArgumentException("not a floating-point dtype: " + dtype);
        };
    }
}
