package org.bayling.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfPrecisionTest {

    @Test
    void fp16KnownValues() {
        assertEquals(1.0f, Fp16.toFloat((short) 0x3C00));
        assertEquals(-2.0f, Fp16.toFloat((short) 0xC000));
        assertEquals(65504.0f, Fp16.toFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, Fp16.toFloat((short) 0x0001));
        assertEquals(0x1p-14f, Fp16.toFloat((short) 0x0400));
        assertEquals(Float.POSITIVE_INFINITY, Fp16.toFloat((short) 0x7C00));
        assertTrue(Float.isNaN(Fp16.toFloat((short) 0x7E00)));
        assertEquals(0.333251953125f, Fp16.toFloat((short) 0x3555));
        assertEquals(-0.0f, Fp16.toFloat((short) 0x8000));
        assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(Fp16.toFloat((short) 0x8000)));
    }

    @Test
    void fp16RoundingMatchesPythonStruct() {
        // expected bits from Python's struct.pack('<e', x), an independent IEEE implementation
        assertEquals(0x2E66, Fp16.fromDouble(0.1) & 0xFFFF);
        assertEquals(0xC248, Fp16.fromDouble(-3.14159) & 0xFFFF);
        assertEquals(0x00A8, Fp16.fromDouble(1e-5) & 0xFFFF);
        assertEquals(0x03FF, Fp16.fromDouble(6.1e-5) & 0xFFFF);
        assertEquals(0x7BFF, Fp16.fromDouble(65519.0) & 0xFFFF);
        assertEquals(0x7C00, Fp16.fromDouble(65520.0) & 0xFFFF);
        assertEquals(0x0000, Fp16.fromDouble(1e-8) & 0xFFFF);
        assertEquals(0x0000, Fp16.fromDouble(0x1p-25) & 0xFFFF); // tie to even (zero)
        assertEquals(0x3555, Fp16.fromDouble(0.333333333) & 0xFFFF);
        assertEquals(0x3C00, Fp16.fromDouble(1 + 0x1p-11) & 0xFFFF); // tie to even
        assertEquals(0x3C02, Fp16.fromDouble(1 + 3 * 0x1p-11) & 0xFFFF); // tie to even
        assertEquals(0xFC00, Fp16.fromDouble(Double.NEGATIVE_INFINITY) & 0xFFFF);
        assertEquals(0x8000, Fp16.fromDouble(-0.0) & 0xFFFF);
    }

    @Test
    void fp16EveryValueRoundTripsAndEveryMidpointRoundsToEven() {
        for (int h = 0; h < 0x7C00; h++) {
            for (int sign : new int[] {0, 0x8000}) {
                short bits = (short) (h | sign);
                assertEquals(bits, Fp16.fromFloat(Fp16.toFloat(bits)), "bits " + Integer.toHexString(h | sign));
            }
            // boundaries between h and h+1 (h+1 == 0x7C00 is infinity: the overflow threshold is the same midpoint)
            double a = Fp16.toFloat((short) h);
            double b = h + 1 < 0x7C00 ? Fp16.toFloat((short) (h + 1)) : 65536.0;
            double mid = (a + b) / 2; // exact in double
            int even = (h & 1) == 0 ? h : h + 1;
            assertEquals(even, Fp16.fromDouble(mid) & 0xFFFF, "midpoint above " + Integer.toHexString(h));
            assertEquals(h, Fp16.fromDouble(Math.nextDown(mid)) & 0xFFFF);
            assertEquals(h + 1, Fp16.fromDouble(Math.nextUp(mid)) & 0xFFFF);
        }
    }

    @Test
    void bf16MatchesTheBitTrickOnRandomFloats() {
        // the rounding torch uses: add 0x7FFF plus the lowest kept bit, truncate (valid for finite floats)
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 2_000_000; i++) {
            int bits = rnd.nextInt();
            float f = Float.intBitsToFloat(bits);
            if (Float.isNaN(f) || Float.isInfinite(f)) {
                continue;
            }
            int expected = ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16) & 0xFFFF;
            assertEquals(expected, Bf16.fromFloat(f) & 0xFFFF, "float bits " + Integer.toHexString(bits));
        }
        for (int b = 0; b < 0x10000; b++) {
            float f = Bf16.toFloat((short) b);
            if (!Float.isNaN(f)) {
                assertEquals(b, Bf16.fromFloat(f) & 0xFFFF);
            }
        }
        assertEquals(1.0f, Bf16.toFloat((short) 0x3F80));
        assertEquals(-0.470703125f, Bf16.toFloat(Bf16.fromDouble(-0.470703125)));
    }

    @Test
    void bf16RoundsOnceFromDouble() {
        // 1 + 2^-8 + 2^-40 lies just above the midpoint between 1 and 1 + 2^-7; rounding through float
        // first would land exactly on the midpoint and go to even (1.0)
        double v = 1 + 0x1p-8 + 0x1p-40;
        assertEquals(0x3F81, Bf16.fromDouble(v) & 0xFFFF);
        assertEquals(0x3F80, Bf16.fromFloat((float) v) & 0xFFFF);
    }
}
