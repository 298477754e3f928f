package org.bayling.quality.metrics;

/**
 * Bit-for-bit re-implementation of the part of NumPy's random stack that sacreBLEU's paired bootstrap uses:
 * {@code numpy.random.default_rng(seed)} (a {@code PCG64} bit generator seeded through {@code SeedSequence})
 * and {@code Generator.choice(n, size=(rows, cols), replace=True)}, which draws
 * {@code integers(0, n, dtype=int64)} via Lemire's bounded method on 32-bit outputs (two per 64-bit draw, low
 * half first). Verified against NumPy 2.4.6; see {@code NumpyRandomTest}.
 */
public final class NumpyRandom {

    // PCG_DEFAULT_MULTIPLIER_128
    private static final long MULT_HI = 0x2360ED051FC65DA4L;
    private static final long MULT_LO = 0x4385DF649FCCF645L;

    private long stateHi;
    private long stateLo;
    private final long incHi;
    private final long incLo;
    private boolean hasUint32;
    private int uinteger;

    private NumpyRandom(long[] seedWords) {
        long initHi = seedWords[0];
        long initLo = seedWords[1];
        long seqHi = seedWords[2];
        long seqLo = seedWords[3];
        // inc = (initseq << 1) | 1
        this.incHi = (seqHi << 1) | (seqLo >>> 63);
        this.incLo = (seqLo << 1) | 1L;
        // pcg_setseq_128_srandom_r
        stateHi = 0;
        stateLo = 0;
        step();
        long lo = stateLo + initLo;
        long carry = Long.compareUnsigned(lo, stateLo) < 0 ? 1 : 0;
        stateHi = stateHi + initHi + carry;
        stateLo = lo;
        step();
    }

    /** {@code numpy.random.default_rng(seed)} for a non-negative integer seed. */
    public static NumpyRandom defaultRng(long seed) {
        if (seed < 0) {
            throw new IllegalArgumentException("NumPy seeds must be non-negative");
        }
        return new NumpyRandom(seedSequenceState(seed));
    }

    // ------------------------------------------------------------------ SeedSequence

    private static final int INIT_A = 0x43b0d7e5;
    private static final int MULT_A = 0x931e8875;
    private static final int INIT_B = 0x8b51f9dd;
    private static final int MULT_B = 0x58f38ded;
    private static final int MIX_MULT_L = 0xca01f9dd;
    private static final int MIX_MULT_R = 0x4973f715;
    private static final int XSHIFT = 16;
    private static final int POOL_SIZE = 4;

    /** {@code SeedSequence(seed).generate_state(4, np.uint64)}. */
    static long[] seedSequenceState(long seed) {
        int[] entropy = (seed >>> 32) == 0 ? new int[] {(int) seed} : new int[] {(int) seed, (int) (seed >>> 32)};
        int[] hashConst = {INIT_A};
        int[] pool = new int[POOL_SIZE];
        for (int i = 0; i < POOL_SIZE; i++) {
            pool[i] = hashmix(i < entropy.length ? entropy[i] : 0, hashConst);
        }
        for (int src = 0; src < POOL_SIZE; src++) {
            for (int dst = 0; dst < POOL_SIZE; dst++) {
                if (src != dst) {
                    pool[dst] = mix(pool[dst], hashmix(pool[src], hashConst));
                }
            }
        }
        for (int src = POOL_SIZE; src < entropy.length; src++) {
            for (int dst = 0; dst < POOL_SIZE; dst++) {
                pool[dst] = mix(pool[dst], hashmix(entropy[src], hashConst));
            }
        }
        int[] words = new int[8];
        int h = INIT_B;
        for (int i = 0; i < words.length; i++) {
            int v = pool[i % POOL_SIZE];
            v ^= h;
            h *= MULT_B;
            v *= h;
            v ^= v >>> XSHIFT;
            words[i] = v;
        }
        long[] out = new long[4];
        for (int i = 0; i < 4; i++) {
            out[i] = (words[2 * i] & 0xFFFFFFFFL) | ((long) words[2 * i + 1] << 32);
        }
        return out;
    }

    private static int hashmix(int value, int[] hashConst) {
        value ^= hashConst[0];
        hashConst[0] *= MULT_A;
        value *= hashConst[0];
        value ^= value >>> XSHIFT;
        return value;
    }

    private static int mix(int x, int y) {
        int r = MIX_MULT_L * x - MIX_MULT_R * y;
        r ^= r >>> XSHIFT;
        return r;
    }

    // ------------------------------------------------------------------ PCG64 (XSL-RR 128/64)

    private void step() {
        // state = state * MULT + inc  (mod 2^128)
        long lo = stateLo * MULT_LO;
        long hi = unsignedMultiplyHigh(stateLo, MULT_LO) + stateLo * MULT_HI + stateHi * MULT_LO;
        long lo2 = lo + incLo;
        long carry = Long.compareUnsigned(lo2, lo) < 0 ? 1 : 0;
        stateHi = hi + incHi + carry;
        stateLo = lo2;
    }

    private static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    /** Next raw 64-bit output. */
    public long nextUint64() {
        step();
        long xored = stateHi ^ stateLo;
        int rot = (int) (stateHi >>> 58);
        return Long.rotateRight(xored, rot);
    }

    /** Next 32-bit output (NumPy buffers the high half of a 64-bit draw). */
    public int nextUint32() {
        if (hasUint32) {
            hasUint32 = false;
            return uinteger;
        }
        long next = nextUint64();
        hasUint32 = true;
        uinteger = (int) (next >>> 32);
        return (int) next;
    }

    /** {@code buffered_bounded_lemire_uint32}: uniform in {@code [0, rng]} for {@code rng < 2^32 - 1}. */
    private long boundedLemire(long rng) {
        long rngExcl = rng + 1;
        long m = (nextUint32() & 0xFFFFFFFFL) * rngExcl;
        long leftover = m & 0xFFFFFFFFL;
        if (leftover < rngExcl) {
            long threshold = (0xFFFFFFFFL - rng) % rngExcl;
            while (leftover < threshold) {
                m = (nextUint32() & 0xFFFFFFFFL) * rngExcl;
                leftover = m & 0xFFFFFFFFL;
            }
        }
        return m >>> 32;
    }

    /** {@code integers(0, n)} for {@code 1 <= n < 2^32}. */
    public int nextInt(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive");
        }
        return n == 1 ? 0 : (int) boundedLemire(n - 1L);
    }

    /** {@code choice(n, size=(rows, cols), replace=True)} in row-major order. */
    public int[][] choice(int n, int rows, int cols) {
        int[][] out = new int[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r][c] = nextInt(n);
            }
        }
        return out;
    }
}
