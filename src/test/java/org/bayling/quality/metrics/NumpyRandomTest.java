package org.bayling.quality.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Expected values were produced with NumPy 2.4.6 on the development machine:
 * {@code np.random.default_rng(12345).bit_generator.random_raw(4)} and
 * {@code np.random.default_rng(12345).choice(n, size=(1000, n), replace=True)} hashed as
 * {@code h = h * 31 + v} (signed 64-bit wrap-around) over the row-major matrix.
 */
class NumpyRandomTest {

    @Test
    void rawPcg64StreamMatchesNumpy() {
        NumpyRandom r = NumpyRandom.defaultRng(12345);
        long[] expected = {
            Long.parseUnsignedLong("4193609425186963869"), Long.parseUnsignedLong("5843160025838961886"),
            Long.parseUnsignedLong("14708796524633321433"), Long.parseUnsignedLong("12474696839993944336")};
        long[] got = new long[4];
        for (int i = 0; i < 4; i++) {
            got[i] = r.nextUint64();
        }
        assertArrayEquals(expected, got);
    }

    @ParameterizedTest
    @CsvSource({
        "1984, 1387, 451, 1564, 276, 5333573361601195967",
        "2037, 1424, 463, 1606, 278, 1036352147953373334",
        "1875, 1311, 426, 1478, 397, -6100548204072218385",
        "7, 4, 1, 5, 4, -5255608589731920355"})
    void bootstrapIndexMatrixMatchesNumpyChoice(int n, int a, int b, int c, int last, long hash) {
        int[][] m = NumpyRandom.defaultRng(12345).choice(n, 1000, n);
        assertEquals(a, m[0][0]);
        assertEquals(b, m[0][1]);
        assertEquals(c, m[0][2]);
        assertEquals(last, m[999][n - 1]);
        long h = 0;
        for (int[] row : m) {
            for (int v : row) {
                h = h * 31 + v;
            }
        }
        assertEquals(hash, h);
    }
}
