package org.bayling.model.checkpoint;

/**
 * IEEE 754 binary16 (half precision) conversions, which Java 17 lacks. Rounding is
 * round-to-nearest-even, done once from the exact value (no double rounding through float).
 */
public final class Fp16 {

    private Fp16() {
    }

    /** The exact float value of half-precision bits {@code h} (NaN payloads keep their top bits). */
    public static float toFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero): exact
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** Rounds {@code v} to the nearest half (ties to even); overflow gives infinity. */
    public static short fromFloat(float v) {
        return fromDouble(v);
    }

    /** Rounds {@code v} to the nearest half (ties to even); overflow gives infinity. */
    public static short fromDouble(double v) {
        return (short) round(v, 5, 10);
    }

    /**
     * Rounds a double to a binary format with {@code expBits} exponent and {@code mantBits}
     * fraction bits, ties to even; returns the bit pattern in the low bits of an int.
     */
    static int round(double v, int expBits, int mantBits) {
        int signBit = 1 << (expBits + mantBits);
        int infBits = ((1 << expBits) - 1) << mantBits;
        if (Double.isNaN(v)) {
            return infBits | (1 << (mantBits - 1)); // quiet NaN
        }
        int sign = (Double.doubleToRawLongBits(v) < 0) ? signBit : 0;
        double a = Math.abs(v);
        if (a == 0) {
            return sign;
        }
        int bias = (1 << (expBits - 1)) - 1;
        int minNormalExp = 1 - bias;
        int e = Math.getExponent(a);
        if (e > bias) {
            return sign | infBits; // also covers infinity
        }
        int quantumExp = (e < minNormalExp ? minNormalExp : e) - mantBits;
        // a / 2^quantumExp is exact (power-of-two scaling, no under/overflow); rint is ties-to-even
        double n = Math.rint(Math.scalb(a, -quantumExp));
        int bits;
        if (e < minNormalExp) {
            bits = (int) n; // subnormal; n == 2^mantBits is exactly the smallest normal's encoding
        } else {
            // n in [2^mantBits, 2^(mantBits+1)]; a carry into the exponent falls out of the addition
            bits = ((e + bias) << mantBits) + ((int) n - (1 << mantBits));
        }
        if (bits >= infBits) {
            bits = infBits;
        }
        return sign | bits;
    }
}
