package org.bayling.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import org.bayling.model.checkpoint.DType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A linear layer's weight {@code W [out, in]} as held on the device, and the product {@code x @ W^T}
 * it computes for activations {@code x [..., in]} in the compute dtype (result in the same dtype).
 */
sealed interface Projection extends AutoCloseable permits Projection.Dense, Projection.Prepacked, Projection.Int8 {

    NDArray apply(NDArray x);

    /** Device bytes the weight occupies. */
    long bytes();

    @Override
    void close();

    /**
     * The projection of a dense matrix {@code w} stored as {@code dtype} for activations in {@code compute}: with
     * CPU kernels, a bfloat16 matrix, or a float32 one for float32 activations, {@link Prepacked} when its packed
     * products check out, else {@link Dense}. Takes ownership of {@code w}.
     */
    static Projection dense(NDArray w, DType dtype, DType compute, boolean cpuKernels) {
        if (cpuKernels && prepacks(dtype, compute) && !w.getDevice().isGpu()) {
            Projection packed = Prepacked.of(w, dtype);
            if (packed != null) {
                return packed;
            }
        }
        return new Dense(w, dtype, compute);
    }

    /** Whether CPU kernels prepack a matrix stored as {@code dtype} for activations in {@code compute}. */
    static boolean prepacks(DType dtype, DType compute) {
        return dtype == DType.BF16 || (dtype == DType.F32 && compute == DType.F32);
    }

    /**
     * A dense matrix. When it is stored in another dtype than the activations, the product runs in
     * the matrix's dtype (activations converted, result converted back): the weight is never widened
     * on the fly, which would cost a full-size copy per step.
     */
    record Dense(NDArray weight, DType dtype, DType compute) implements Projection {

        /** Rows up to which a same-dtype product multiplies weight-first. */
        static final int SMALL_BATCH = 64;
        /** Rows up to which a float32 product on CPU goes to oneDNN even below {@link #SMALL_BATCH}. */
        static final int ONEDNN_GEMV_ROWS = 8;

        @Override
        public NDArray apply(NDArray x) {
            if (dtype != compute) {
                return TorchOps.get().linearAs(x, weight);
            }
            long in = x.getShape().get(x.getShape().dimension() - 1);
            long rows = x.getShape().size() / in;
            if (dtype == DType.F32 && !weight.getDevice().isGpu() && (rows <= ONEDNN_GEMV_ROWS || rows > SMALL_BATCH)) {
                // libtorch's MKL takes its generic path on AMD CPUs: float32 products through oneDNN measured
                // 1.8x faster at 1 row (37 against 20 GB/s of weights streamed) and 1.7-1.9x at 256-1,024 rows.
                // Between 9 and 64 rows weight-first MKL is the faster of the two.
                return TorchOps.get().linearOneDnn(x, weight);
            }
            if (rows > SMALL_BATCH) {
                return Linear.linear(x, weight).singletonOrThrow();
            }
            // For the few rows of a decode step, (W @ x^T)^T lets BLAS stream the large matrix once as the
            // left operand instead of packing it as the right one: up to 20-60% faster for 4-32 rows in float32.
            return TorchOps.get().linearWeightFirst(x, weight);
        }

        @Override
        public long bytes() {
            return weight.getShape().size() * dtype.bytes();
        }

        @Override
        public void close() {
            weight.close();
        }
    }

    /**
     * A float32 or bfloat16 matrix copied once, at load, into the blocked layout of oneDNN's CPU matmul; activations
     * in another dtype are converted for the product and the result back. Given the plain matrix, oneDNN (and MKL's
     * weight-first product) pay for its layout on every call; prepacked, the 49 float32 products of a 134M step
     * measured 11.3 against 12.8 ms at 1 row, 15.0 against 27.9 at 8, 29.0 against 65.4 at 32, 0.89 against 1.37 s
     * at 1,024; in bfloat16, 9.5 against 10.8 ms at 1 row, 9.7 against 12.6 at 8, 15.6 against 20.0 at 32 (1.1B,
     * 8 rows: 74 against 135 ms). Same bytes as the plain matrix. float16 is not packed: oneDNN refuses it.
     * <p>
     * libtorch 2.7.1's oneDNN packs some float32 shapes wrongly, depending on the thread count at packing (64 x 64
     * with two threads, 96 x 64 with one; never seen from 512 up), and the product then reads garbage. So each
     * packed matrix is checked once against the plain product before the plain one is freed, and stays plain if
     * they differ: a wrong packing is wrong everywhere, a right one was right for every row count and thread count
     * tried. (No bfloat16 packing was seen wrong; it is checked the same way.)
     */
    record Prepacked(NDArray packed, DType dtype) implements Projection {

        private static final Logger LOG = LoggerFactory.getLogger(Prepacked.class);

        /**
         * Relative error above which the packed product is taken for a wrong packing: right ones differ from the
         * plain product by ~1e-5 in float32 and up to ~4e-3 in bfloat16 (its rounding of each output); wrong ones
         * by the size of the outputs.
         */
        static double wrongPacking(DType dtype) {
            return dtype == DType.F32 ? 1e-3 : 5e-2;
        }

        /**
         * {@code w [out, in]} (stored as {@code dtype}) packed, freeing w; null (w kept) when the packed product
         * differs from w's or oneDNN cannot pack the matrix.
         */
        static Prepacked of(NDArray w, DType dtype) {
            long in = w.getShape().get(1);
            NDArray packed;
            try {
                packed = TorchOps.get().prepackLinear(w);
            } catch (RuntimeException e) {
                LOG.debug("oneDNN cannot pack a {} {} x {} matrix ({}); kept plain", dtype, w.getShape().get(0), in,
                        PrecisionSupport.reason(e));
                return null;
            }
            try (NDManager probe = w.getManager().newSubManager()) {
                NDArray x = probe.create(probeRows(3, (int) in), new Shape(3, in));
                NDArray expected = TorchOps.get().linearAs(x, w);
                NDArray actual = TorchOps.get().linearOneDnn(x, packed);
                float error = expected.sub(actual).abs().max().getFloat();
                float scale = expected.abs().max().getFloat();
                if (!(error <= wrongPacking(dtype) * scale)) {
                    LOG.debug("oneDNN packed a {} {} x {} matrix wrongly (error {} on outputs up to {}); kept plain",
                            dtype, w.getShape().get(0), in, error, scale);
                    packed.close();
                    return null;
                }
            }
            w.close();
            return new Prepacked(packed, dtype);
        }

        /** Fixed pseudo-random activations in [-1, 1) (not PyTorch's generator, which sampling may seed). */
        private static float[] probeRows(int rows, int in) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(in);
            float[] x = new float[rows * in];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (random.nextDouble() * 2 - 1);
            }
            return x;
        }

        @Override
        public NDArray apply(NDArray x) {
            return TorchOps.get().linearOneDnn(x, packed);
        }

        @Override
        public long bytes() {
            return packed.getShape().size() * dtype.bytes();
        }

        @Override
        public void close() {
            packed.close();
        }
    }

    /**
     * Weight-only int8: {@code W = q * scale[row]}. On CPU, when {@code in} is a multiple of 16, the
     * product runs in PyTorch's {@code _weight_int8pack_mm} kernel (bfloat16 activations, float32
     * accumulation, int8 weights read directly); elsewhere (GPUs, odd shapes) the weight is
     * dequantized to the compute dtype for the product.
     */
    record Int8(NDArray q, NDArray scales, boolean packedKernel) implements Projection {

        @Override
        public NDArray apply(NDArray x) {
            return packedKernel ? TorchOps.get().int8Linear(x, q, scales) : TorchOps.get().dequantizeLinear(x, q, scales);
        }

        @Override
        public long bytes() {
            return q.getShape().size() + scales.getShape().size() * (packedKernel ? 2 : 4);
        }

        @Override
        public void close() {
            q.close();
            scales.close();
        }
    }
}
