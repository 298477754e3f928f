package org.bayling.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import org.bayling.model.checkpoint.DType;

/**
 * A linear layer's weight {@code W [out, in]} as held on the device, and the product {@code x @ W^T}
 * it computes for activations {@code x [..., in]} in the compute dtype (result in the same dtype).
 */
sealed interface Projection extends AutoCloseable permits Projection.Dense, Projection.Int8 {

    NDArray apply(NDArray x);

    /** Device bytes the weight occupies. */
    long bytes();

    @Override
    void close();

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
