package org.bayling.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bayling.model.checkpoint.DType;

/**
 * PyTorch operators the decoder needs that DJL 0.36's JNI does not bind: bfloat16 tensors (DJL's
 * dtype table stops at bool and aborts the process on anything else), the CPU weight-only int8
 * matmul {@code _weight_int8pack_mm}, fused scaled-dot-product attention, and RMSNorm computed in
 * float32 as Hugging Face does for half-precision models. DJL reaches them the way it reaches any
 * PyTorch code: a TorchScript module, here compiled by libtorch at first use from the source in
 * {@code torch_ops.py} (each method is one or two PyTorch calls; no weights, no Python at run time).
 * Thread-safe: the module holds no state.
 */
public final class TorchOps {

    private static final String SOURCE = "torch_ops.py";
    private static volatile TorchOps instance;
    /**
     * Threads on which TorchScript's graph optimizer is off (a per-thread setting in libtorch). Its
     * profiling executor re-specializes on every new tensor shape, and a decoder's shapes change every
     * step (the cache grows by one slot): measured 3.5 ms against 1.8 ms per step on tiny-llama2.
     */
    private static final ThreadLocal<Boolean> PLAIN_INTERPRETER = ThreadLocal.withInitial(() -> {
        JniUtils.setGraphExecutorOptimize(false);
        return true;
    });

    private final PtSymbolBlock module;

    private TorchOps(PtSymbolBlock module) {
        this.module = module;
    }

    /** The process-wide instance, compiled on first use. */
    public static TorchOps get() {
        TorchOps ops = instance;
        if (ops == null) {
            synchronized (TorchOps.class) {
                ops = instance;
                if (ops == null) {
                    ops = instance = load();
                }
            }
        }
        return ops;
    }

    private static TorchOps load() {
        PyTorchRuntime.engine();
        // Never closed: the module lives as long as the process, like the engine itself.
        PtNDManager manager = (PtNDManager) NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
        try (InputStream archive = new ByteArrayInputStream(archive())) {
            return new TorchOps(JniUtils.loadModule(manager, archive, false, false));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compile the TorchScript operators in " + SOURCE, e);
        }
    }

    /**
     * A TorchScript archive holding one stateless module whose methods are the code in
     * {@value #SOURCE}: the module object pickled as {@code __torch__.TorchOps} with only its
     * {@code training} flag, the code, no constants, format version 3.
     */
    static byte[] archive() throws IOException {
        byte[] code;
        try (InputStream in = TorchOps.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IOException("resource " + SOURCE + " is missing from the classpath");
            }
            code = in.readAllBytes();
        }
        ByteArrayOutputStream pickle = new ByteArrayOutputStream();
        pickle.writeBytes(new byte[] {(byte) 0x80, 2});                                 // PROTO 2
        pickle.writeBytes("c__torch__\nTorchOps\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        pickle.writeBytes(new byte[] {')', (byte) 0x81, '}', 'X', 8, 0, 0, 0});          // () NEWOBJ {} 'training'
        pickle.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
        pickle.writeBytes(new byte[] {(byte) 0x88, 's', 'b', '.'});                     // True SETITEM BUILD STOP
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            stored(z, "ops/data.pkl", pickle.toByteArray());
            stored(z, "ops/code/__torch__.py", code);
            stored(z, "ops/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(z, "ops/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return zip.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED); // libtorch's reader wants uncompressed records
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** PyTorch's ScalarType code of a dtype the decoder computes or stores in. */
    static long scalarType(DType dtype) {
        return switch (dtype) {
            case F32 -> 6;
            case F16 -> 5;
            case BF16 -> 15;
            case F64 -> 7;
            case I8 -> 1;
            default -> throw new IllegalArgumentException("no decoder tensor has dtype " + dtype);
        };
    }

    /** {@code x} converted to {@code dtype} (a new array in x's manager; x itself if already of that type). */
    public NDArray cast(NDArray x, DType dtype) {
        return call("cast", x.getManager(), x, scalarType(dtype));
    }

    /** Zeros of {@code dtype} on {@code owner}'s device, owned by it. */
    public NDArray zeros(Shape shape, DType dtype, NDManager owner) {
        ai.djl.Device device = owner.getDevice();
        return call("zeros", owner, shape.getShape(), scalarType(dtype), device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu");
    }

    /** {@code x / sqrt(mean(x^2) + eps)} over the last axis, computed in float32, returned in x's dtype. */
    public NDArray rmsNorm(NDArray x, double eps) {
        return call("rms_norm", x.getManager(), x, eps);
    }

    /** {@code silu(gate) * up}. */
    public NDArray siluMul(NDArray gate, NDArray up) {
        return call("silu_mul", gate.getManager(), gate, up);
    }

    /**
     * Symmetric per-row int8 quantization of a {@code [out, in]} matrix: {@code scale = max|row| / 127},
     * {@code q = round(w / scale)}. Returns {q (int8), scale (float32)}, owned by w's manager.
     */
    public NDArray[] quantizeInt8(NDArray w) {
        IValue result = run("quantize_int8", w);
        try {
            IValue[] pair = result.toIValueTuple();
            PtNDManager owner = (PtNDManager) w.getManager();
            NDArray[] out = {pair[0].toTensor(owner), pair[1].toTensor(owner)};
            for (IValue v : pair) {
                v.close();
            }
            return out;
        } finally {
            result.close();
        }
    }

    /**
     * {@code x @ (q * scales)^T} through PyTorch's CPU kernel for weight-only int8 matmuls: activations
     * are converted to the scales' dtype (bfloat16: the type the kernel vectorizes), the result back
     * to x's dtype. Needs {@code in % 16 == 0} (the kernel reads 16 columns at a time).
     */
    public NDArray int8Linear(NDArray x, NDArray q, NDArray scales) {
        return call("int8_linear", x.getManager(), x, q, scales);
    }

    /** {@code x @ (q * scales)^T} with the weight dequantized to x's dtype first (any device, any shape). */
    public NDArray dequantizeLinear(NDArray x, NDArray q, NDArray scales) {
        return call("dequantize_linear", x.getManager(), x, q, scales);
    }

    /** {@code x @ w^T} computed in w's dtype, returned in x's dtype. */
    public NDArray linearAs(NDArray x, NDArray w) {
        return call("linear_as", x.getManager(), x, w);
    }

    /** {@code softmax(q k^T + mask) v} (no scaling: the model folds it into the query weights). */
    public NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask) {
        return call("attention", q.getManager(), q, k, v, mask);
    }

    /**
     * One attention layer's core for {@code t} new tokens per row, after the QKV projection: RoPE on
     * queries and keys, the new keys/values written in place into the cache buffers at slots
     * [start, start + t), then grouped-query scaled-dot-product attention of the queries over slots
     * [0, start + t) under the additive mask. {@code qkv [b, t, (heads + 2 kvHeads) d]} → {@code [b, t, heads d]}.
     */
    public NDArray attend(NDArray qkv, NDArray cos, NDArray sin, NDArray keys, NDArray values, int start, NDArray mask,
                          int heads, int kvHeads) {
        return call("attend", qkv.getManager(), qkv, cos, sin, keys, values, (long) start, mask, (long) heads,
                (long) kvHeads);
    }

    /**
     * {@code length} entries of {@code x} along {@code axis} from {@code start}, owned by {@code owner}: a view
     * (DJL's indexing may copy), so writes into it reach x.
     */
    public NDArray narrow(NDArray x, int axis, long start, long length, NDManager owner) {
        return call("narrow", owner, x, (long) axis, start, length);
    }

    /** SwiGLU over a fused {@code [..., 2n]} gate/up product: {@code silu(gate) * up}, {@code [..., n]}. */
    public NDArray swiglu(NDArray gateUp) {
        return call("swiglu", gateUp.getManager(), gateUp);
    }

    /** {@code x @ w^T} computed as {@code (w @ x^T)^T} (the large matrix as BLAS's left operand). */
    public NDArray linearWeightFirst(NDArray x, NDArray w) {
        return call("linear_weight_first", x.getManager(), x, w);
    }

    /**
     * {@code x @ w^T} through oneDNN's inner product in w's dtype, the result in x's (CPU only; w plain, used in
     * place, or {@link #prepackLinear}ed).
     */
    public NDArray linearOneDnn(NDArray x, NDArray w) {
        return call("linear_onednn", x.getManager(), x, w);
    }

    /**
     * A float32 or bfloat16 matrix {@code [out, in]} copied into the blocked layout oneDNN's CPU matmul picks for one
     * activation row (an opaque tensor: only {@link #linearOneDnn} reads it).
     */
    public NDArray prepackLinear(NDArray w) {
        return call("prepack_linear", w.getManager(), w);
    }

    /** Logits as float32 and their log-sum-exp over the last axis. */
    public NDArray[] logitsWithLogSumExp(NDArray logits) {
        IValue result = run("logits_lse", logits);
        try {
            IValue[] pair = result.toIValueTuple();
            PtNDManager owner = (PtNDManager) logits.getManager();
            NDArray[] out = {pair[0].toTensor(owner), pair[1].toTensor(owner)};
            for (IValue v : pair) {
                v.close();
            }
            return out;
        } finally {
            result.close();
        }
    }

    private NDArray call(String method, NDManager owner, Object... args) {
        IValue result = run(method, args);
        try {
            return result.toTensor((PtNDManager) owner);
        } finally {
            result.close();
        }
    }

    private IValue run(String method, Object... args) {
        IValue[] values = new IValue[args.length];
        try {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a instanceof NDArray array) {
                    values[i] = IValue.from((PtNDArray) array);
                } else if (a instanceof Long l) {
                    values[i] = IValue.from(l);
                } else if (a instanceof Double d) {
                    values[i] = IValue.from(d);
                } else if (a instanceof String text) {
                    values[i] = IValue.from(text);
                } else if (a instanceof long[] list) {
                    values[i] = IValue.listFrom(list);
                } else {
                    throw new IllegalArgumentException("unsupported argument " + a);
                }
            }
            PLAIN_INTERPRETER.get();
            return IValueUtils.runMethod(module, method, values);
        } finally {
            for (IValue v : values) {
                if (v != null) {
                    v.close();
                }
            }
        }
    }
}
