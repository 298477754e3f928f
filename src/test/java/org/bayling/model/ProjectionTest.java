package org.bayling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.bayling.model.checkpoint.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Dense products on CPU: float32 and bfloat16 matrices prepacked for oneDNN where the packing checks out, the plain
 * product's result always.
 */
class ProjectionTest {

    /**
     * Shapes oneDNN packs wrongly in float32 at one thread count or the other (64 x 64, 256 x 256 at two threads,
     * 96 x 64 at one; measured) and shapes it packs right, packed under 1 and 2 threads, applied to 1 to 300 rows;
     * bfloat16 matrices for bfloat16 and float32 activations the same way.
     */
    @ParameterizedTest(name = "{0} x {1} {3} for {4}, packed with {2} thread(s)")
    @CsvSource({"64, 64, 1, F32, F32", "64, 64, 2, F32, F32", "96, 64, 1, F32, F32", "96, 64, 2, F32, F32",
                "256, 256, 1, F32, F32", "256, 256, 2, F32, F32", "352, 64, 2, F32, F32", "64, 176, 2, F32, F32",
                "768, 768, 1, F32, F32", "2304, 768, 2, F32, F32",
                "64, 64, 2, BF16, BF16", "96, 64, 1, BF16, BF16", "256, 256, 2, BF16, BF16", "2304, 768, 2, BF16, BF16",
                "64, 64, 1, BF16, F32", "768, 768, 2, BF16, F32", "2304, 768, 1, BF16, F32"})
    void equalsThePlainProduct(long out, long in, int threads, DType dtype, DType compute) {
        int before = PyTorchRuntime.threads();
        TorchOps ops = TorchOps.get();
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            PyTorchRuntime.setThreads(threads);
            NDArray w32 = m.randomNormal(new Shape(out, in));
            NDArray w = ops.cast(w32, dtype);
            Projection p = Projection.dense(ops.cast(w32.duplicate(), dtype), dtype, compute, true);
            PyTorchRuntime.setThreads(before);
            // bfloat16 outputs are rounded to 8 significant bits, by whichever kernel computes them
            double tolerance = dtype == DType.F32 ? 1e-5 : 1e-2;
            for (int rows : new int[] {1, 7, 64, 300}) {
                NDArray x = m.randomNormal(new Shape(rows, 1, in));
                NDArray expected = ops.linearAs(ops.cast(x, compute), w);
                NDArray actual = p.apply(ops.cast(x, compute));
                float error = ops.cast(expected, DType.F32).sub(ops.cast(actual, DType.F32)).abs().max().getFloat();
                float scale = ops.cast(expected, DType.F32).abs().max().getFloat();
                assertTrue(error <= tolerance * scale, p.getClass().getSimpleName() + " " + rows + " rows: error "
                        + error + " on outputs up to " + scale);
            }
            p.close();
        } finally {
            PyTorchRuntime.setThreads(before);
        }
    }

    /**
     * Decoder-sized float32 and bfloat16 matrices are prepacked with CPU kernels; float16 ones stay plain (oneDNN
     * does not pack them), and so does everything without CPU kernels (what GPUs run).
     */
    @ParameterizedTest(name = "CPU kernels {0}, {1} for {2}: {3}")
    @CsvSource({"true, F32, F32, Prepacked", "false, F32, F32, Dense", "true, BF16, BF16, Prepacked",
                "true, BF16, F32, Prepacked", "true, F16, F16, Dense"})
    void decoderSizedMatrices(boolean cpuKernels, DType dtype, DType compute, String kind) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray w = TorchOps.get().cast(m.randomNormal(new Shape(2304, 768)), dtype);
            Projection p = Projection.dense(w, dtype, compute, cpuKernels);
            assertEquals(kind, p.getClass().getSimpleName());
            p.close();
        }
    }
}
