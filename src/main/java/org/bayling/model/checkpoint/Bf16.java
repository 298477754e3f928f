package org.bayling.model.checkpoint;

/** bfloat16 conversions (the top 16 bits of a float32), round-to-nearest-even. */
public final class Bf16 {

    private Bf16() {
    }

    /** The exact float value of bfloat16 bits {@code b}. */
    public static float toFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    /** Rounds {@code v} to the nearest bfloat16 (ties to even); overflow gives infinity. */
    public static short fromFloat(float v) {
        return fromDouble(v);
    }

    /** Rounds {@code v} to the nearest bfloat16 (ties to even), once, from the exact double. */
    public static short fromDouble(double v) {
        return (short) Fp16.round(v, 8, 7);
    }
}
