package org.bayling.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bayling.model.checkpoint.DType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link Precision} can do on a device with this PyTorch build, found out before any weight is
 * read: {@link #check} runs every operator the decoder will use on a tiny input, so a missing kernel
 * is a one-line configuration error at load time instead of a failure (or a dead JVM) mid-run.
 */
final class PrecisionSupport {

    private static final Logger LOG = LoggerFactory.getLogger(PrecisionSupport.class);

    private PrecisionSupport() {
    }

    /** Throws {@link UnsupportedPrecisionException} naming dtype, device and an alternative when an operator fails. */
    static void check(NDManager parent, Precision precision) {
        Device device = parent.getDevice();
        try (NDManager m = parent.newSubManager()) {
            TorchOps ops = TorchOps.get();
            NDArray x = toCompute(ops, m.randomNormal(new Shape(2, 3, 32)), precision.compute());
            NDArray w = m.randomNormal(new Shape(48, 32));
            NDArray h = ops.rmsNorm(x, 1e-6);
            if (precision.weights() == WeightStorage.INT8) {
                NDArray[] q = ops.quantizeInt8(w);
                if (!device.isGpu()) {
                    ops.int8Linear(h, q[0], ops.cast(q[1], DType.BF16));
                }
                ops.dequantizeLinear(h, q[0], q[1]);
            }
            NDArray dense = toCompute(ops, w, precision.embeddingDtype());
            Projection.dense(dense, precision.embeddingDtype(), precision.compute(), !device.isGpu()).apply(h);
            NDArray q4 = h.reshape(2, 3, 1, 32).transpose(0, 2, 1, 3);
            ops.attention(q4, q4, q4, toCompute(ops, m.zeros(new Shape(2, 1, 3, 3)), precision.compute()));
            ops.siluMul(h, h).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        } catch (RuntimeException e) {
            throw new UnsupportedPrecisionException(precision + " is not supported on " + device
                    + " by this PyTorch build (" + reason(e) + "); use " + alternative(precision, device, e), e);
        }
    }

    /** The first sentence of PyTorch's message (its full text, with a backend list, stays in the cause). */
    static String reason(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage().strip();
        m = m.lines().filter(l -> !l.isBlank()).findFirst().orElse(m);
        int end = m.indexOf(". ");
        if (end > 0) {
            m = m.substring(0, end);
        }
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }

    private static NDArray toCompute(TorchOps ops, NDArray f32, DType dtype) {
        return dtype == DType.F32 ? f32 : ops.cast(f32, dtype);
    }

    /** The option to suggest instead of a precision that failed. */
    static String alternative(Precision precision, Device device, Throwable failure) {
        if (device.isGpu() && String.valueOf(failure.getMessage()).contains("'CUDA' backend")) {
            return "--device cpu (this PyTorch build has no CUDA kernels)";
        }
        if (precision.weights() == WeightStorage.INT8) {
            return "--weights " + Precision.label(precision.compute());
        }
        if (precision.compute() == DType.BF16) {
            return device.isGpu() ? "--dtype f16" : "--dtype f32";
        }
        return device.isGpu() ? "--dtype f32" : "--dtype f32 --weights f32";
    }

    /**
     * Logs when a supported precision has no fast kernel on this CPU: float16 products of more than one row run in
     * PyTorch's scalar reference code on x86 CPUs, and bfloat16 ones are fast only with AVX-512 BF16.
     */
    static void warnIfSlow(Device device, Precision precision) {
        if (device.isGpu()) {
            return;
        }
        boolean f16Products = precision.compute() == DType.F16 || precision.weights() == WeightStorage.F16
                || precision.embeddingDtype() == DType.F16;
        boolean bf16Products = precision.weights() == WeightStorage.BF16 || precision.weights() == WeightStorage.INT8
                || precision.compute() == DType.BF16;
        if (f16Products) {
            // 134M shape, f32 / f16 against f32 / bf16 (bench-results/rounds-134m.json): decode 95.9 against 67.3 tok/s
            // at batch 1, 146 against 436 at batch 8; prefill 223 against 1,065 at batch 1.
            LOG.warn("{} on CPU: PyTorch vectorizes float16 products for one row only (one-sequence decoding, where"
                    + " it is the fastest); prompts and batches run several times slower than --weights bf16 or int8",
                    precision);
        } else if (bf16Products && !cpuHasAvx512Bf16()) {
            LOG.warn("{} on a CPU without AVX-512 BF16: bfloat16 and int8 products run in PyTorch's generic kernels"
                    + " and may be slower than --dtype f32 --weights f32", precision);
        }
    }

    static boolean cpuHasAvx512Bf16() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo")).contains(" avx512_bf16");
        } catch (Exception e) {
            return false;
        }
    }
}
