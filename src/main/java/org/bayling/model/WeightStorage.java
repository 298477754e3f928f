package org.bayling.model;

import java.util.Locale;
import org.bayling.model.checkpoint.DType;

/**
 * How the decoder's large matrices (attention and MLP projections) are held on the device,
 * independent of the compute dtype. {@code INT8} is weight-only, symmetric, one scale per output
 * row, quantized while the checkpoint streams in; the embedding and LM head then stay at 16 bits
 * (see {@link Precision#embeddingDtype()}).
 */
public enum WeightStorage {
    F32(DType.F32), F16(DType.F16), BF16(DType.BF16), INT8(DType.I8);

    private final DType dtype;

    WeightStorage(DType dtype) {
        this.dtype = dtype;
    }

    /** The element type of the stored matrices. */
    public DType dtype() {
        return dtype;
    }

    /** Bytes per stored weight, scales excluded. */
    public int bytes() {
        return dtype.bytes();
    }

    /** {@code f32}, {@code f16}, {@code bf16} or {@code int8}: the option value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses an option value ({@code f32}, {@code fp16}, {@code bfloat16}, {@code int8}, ...). */
    public static WeightStorage parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("int8") || v.equals("i8") || v.equals("q8")) {
            return INT8;
        }
        return switch (Precision.parseDtype(v, "--weights", "f32, f16, bf16 or int8")) {
            case F16 -> F16;
            case BF16 -> BF16;
            default -> F32;
        };
    }

    /** The storage that holds matrices in {@code dtype} unchanged. */
    public static WeightStorage of(DType dtype) {
        return switch (dtype) {
            case F32 -> F32;
            case F16 -> F16;
            case BF16 -> BF16;
            default -> throw new IllegalArgumentException("no weight storage for " + dtype);
        };
    }
}
