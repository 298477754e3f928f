package org.bayling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import org.bayling.model.checkpoint.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Float32 products on CPU: prepacked for oneDNN where the packing checks out, the plain product's result always. */
class ProjectionTest {

    /**
     * Shapes oneDNN packs wrongly at one thread count or the other (64 x 64, 256 x 256 at two threads, 96 x 64 at
     * one; measured) and shapes it packs right, packed under 1 and 2 threads, applied to 1 to 300 rows.
     */
    @ParameterizedTest(name = "{0} x {1}, packed with {2} thread(s)")
    @CsvSource({"64, 64, 1", "64, 64, 2", "96, 64, 1", "96, 64, 2", "256, 256, 1", "256, 256, 2",
                "352, 64, 2", "64, 176, 2", "768, 768, 1", "2304, 768, 2"})
    void equalsThePlainProduct(long out, long in, int threads) {
        int before = PyTorchRuntime.threads();
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            PyTorchRuntime.setThreads(threads);
            NDArray w = m.randomNormal(new Shape(out, in));
            Projection p = Projection.dense(w.duplicate(), DType.F32, DType.F32, true);
            PyTorchRuntime.setThreads(before);
            for (int rows : new int[] {1, 7, 64, 300}) {
                NDArray x = m.randomNormal(new Shape(rows, 1, in));
                NDArray expected = Linear.linear(x, w).singletonOrThrow();
                NDArray actual = p.apply(x);
                float error = expected.sub(actual).abs().max().getFloat();
                float scale = expected.abs().max().getFloat();
                assertTrue(error <= 1e-5 * scale, p.getClass().getSimpleName() + " " + rows + " rows: error " + error
                        + " on outputs up to " + scale);
            }
            p.close();
        } finally {
            PyTorchRuntime.setThreads(before);
        }
    }

    /** Decoder-sized float32 matrices are prepacked with CPU kernels (what GPUs run: plain without). */
    @ParameterizedTest(name = "CPU kernels {0}: {1}")
    @CsvSource({"true, Prepacked", "false, Dense"})
    void decoderSizedMatrices(boolean cpuKernels, String kind) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Projection p = Projection.dense(m.randomNormal(new Shape(2304, 768)), DType.F32, DType.F32, cpuKernels);
            assertEquals(kind, p.getClass().getSimpleName());
            p.close();
        }
    }
}
