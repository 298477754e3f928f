package org.bayling.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.bayling.model.checkpoint.CheckpointReader;
import org.bayling.model.checkpoint.DType;
import org.bayling.model.checkpoint.DirectBuffers;
import org.bayling.model.checkpoint.TensorData;

/**
 * The decoder's weights on the compute device, prepared for fast decoding:
 * <ul>
 *   <li>q/k/v projections fused into one matrix, gate/up into another (one product each);</li>
 *   <li>each RMSNorm weight folded into the columns of the matrix that consumes its output, and the
 *       attention scale 1/sqrt(head_dim) folded into the query rows — the same function with fewer
 *       operations per step;</li>
 *   <li>matrices held as {@link Precision#weights()} says (float, or int8 quantized here).</li>
 * </ul>
 * Tensors are read one at a time from the checkpoint and prepared in float32 before conversion to
 * their storage type: the vocabulary matrices first (before any layer is held), then one fused group at a time,
 * so memory never holds more than one vocabulary matrix or one fused group in float32 beside the final weights.
 */
public final class LlamaWeights implements AutoCloseable {

    /** One decoder layer's projections. */
    record Layer(Projection qkv, Projection o, Projection gateUp, Projection down) {
    }

    private final NDManager manager;
    final Precision precision;
    final NDArray embedding;  // [vocab, hidden] in precision.embeddingDtype()
    final Layer[] layers;
    final Projection lmHead;  // [vocab, hidden], final norm folded in
    final NDArray rotateHalf; // [headDim, headDim] in the compute dtype

    private LlamaWeights(NDManager manager, Precision precision, NDArray embedding, Layer[] layers, Projection lmHead,
                         NDArray rotateHalf) {
        this.manager = manager;
        this.precision = precision;
        this.embedding = embedding;
        this.layers = layers;
        this.lmHead = lmHead;
        this.rotateHalf = rotateHalf;
    }

    /**
     * Reads and prepares all weights in {@code precision}.
     *
     * @param cpuKernels products through CPU-only kernels: int8 through PyTorch's packed kernel (where shapes
     *                   allow) rather than dequantizing per product, float32 and bfloat16 matrices
     *                   {@link Projection.Prepacked}
     */
    static LlamaWeights load(CheckpointReader reader, ModelConfig c, NDManager parent, Precision precision,
                             boolean cpuKernels) throws IOException {
        NDManager m = parent.newSubManager();
        try {
            Loader load = new Loader(reader, m, precision, cpuKernels);
            int h = c.hiddenSize();
            int q = c.numHeads() * c.headDim();
            int kv = c.numKvHeads() * c.headDim();
            // The vocabulary matrices first, while nothing else is held: the embedding and the head are the
            // largest tensors, and each goes to its storage dtype as soon as it is prepared.
            NDArray finalNorm = load.tensor("model.norm.weight", h);
            boolean tied = !reader.names().contains("lm_head.weight");
            if (tied && !c.tieWordEmbeddings()) {
                throw new IOException("checkpoint is missing tensor 'lm_head.weight' and config.json does not tie word embeddings");
            }
            DType embeddingDtype = precision.embeddingDtype();
            NDArray embeddingF32 = load.tensor("model.embed_tokens.weight", c.vocabSize(), h);
            NDArray head;
            NDArray embedding;
            if (tied) {
                head = load.convert(fuse(finalNorm, embeddingF32.duplicate()), embeddingDtype);
                embedding = load.convert(embeddingF32, embeddingDtype);
            } else {
                embedding = load.convert(embeddingF32, embeddingDtype);
                head = load.convert(fuse(finalNorm, load.tensor("lm_head.weight", c.vocabSize(), h)), embeddingDtype);
            }
            Projection lmHead = Projection.dense(head, embeddingDtype, precision.compute(), cpuKernels);
            Layer[] layers = new Layer[c.numLayers()];
            float scale = (float) (1.0 / Math.sqrt(c.headDim()));
            for (int i = 0; i < layers.length; i++) {
                String p = "model.layers." + i + ".";
                Projection qkv = load.projection(fuse(load.tensor(p + "input_layernorm.weight", h),
                        scaled(load.tensor(p + "self_attn.q_proj.weight", q, h), scale),
                        load.tensor(p + "self_attn.k_proj.weight", kv, h),
                        load.tensor(p + "self_attn.v_proj.weight", kv, h)));
                Projection o = load.projection(load.tensor(p + "self_attn.o_proj.weight", h, q));
                Projection gateUp = load.projection(fuse(load.tensor(p + "post_attention_layernorm.weight", h),
                        load.tensor(p + "mlp.gate_proj.weight", c.intermediateSize(), h),
                        load.tensor(p + "mlp.up_proj.weight", c.intermediateSize(), h)));
                Projection down = load.projection(load.tensor(p + "mlp.down_proj.weight", h, c.intermediateSize()));
                layers[i] = new Layer(qkv, o, gateUp, down);
                NativeHeap.releaseFreed(); // this layer's freed temporaries, kept by the C allocator otherwise
            }
            RotaryEmbedding rope = new RotaryEmbedding(c);
            NDArray rotate = load.convert(m.create(rope.rotateHalfMatrix(), new Shape(c.headDim(), c.headDim())),
                    precision.compute());
            return new LlamaWeights(m, precision, embedding, layers, lmHead, rotate);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Concatenates row blocks and scales their columns by an RMSNorm weight, in place; frees the inputs that are
     * not the result.
     */
    private static NDArray fuse(NDArray norm, NDArray... blocks) {
        NDArray joined = blocks.length == 1 ? blocks[0] : NDArrays.concat(new NDList(blocks), 0);
        if (blocks.length > 1) {
            for (NDArray b : blocks) {
                b.close();
            }
        }
        joined.muli(norm);
        norm.close();
        return joined;
    }

    private static NDArray scaled(NDArray w, float scale) {
        return w.muli(scale);
    }

    /** Reads tensors (checked against the config) in float32 and converts prepared matrices to their storage. */
    private record Loader(CheckpointReader reader, NDManager manager, Precision precision, boolean cpuKernels) {

        NDArray tensor(String name, long... expected) throws IOException {
            if (!reader.names().contains(name)) {
                throw new IOException("checkpoint is missing tensor '" + name + "'");
            }
            TensorData t = reader.read(name);
            if (!Arrays.equals(t.shape(), expected)) {
                throw new IOException("tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                        + " but config.json implies " + Arrays.toString(expected));
            }
            try {
                return toFloat32(t, manager);
            } finally {
                DirectBuffers.free(t.data()); // the file mapping, now rather than at the next GC
            }
        }

        /** A float32 matrix in the storage {@link Precision#weights()} asks for; frees the input. */
        Projection projection(NDArray w) {
            WeightStorage storage = precision.weights();
            if (storage != WeightStorage.INT8) {
                return Projection.dense(convert(w, storage.dtype()), storage.dtype(), precision.compute(), cpuKernels);
            }
            NDArray[] quantized = TorchOps.get().quantizeInt8(w);
            w.close();
            boolean packed = cpuKernels && quantized[0].getShape().get(1) % 16 == 0;
            NDArray scales = quantized[1];
            if (packed) { // the CPU kernel takes scales in its activation type
                scales = TorchOps.get().cast(quantized[1], DType.BF16);
                quantized[1].close();
            }
            return new Projection.Int8(quantized[0], scales, packed);
        }

        /** {@code w} (float32) as {@code dtype}; frees the input when a new array is made. */
        NDArray convert(NDArray w, DType dtype) {
            if (dtype == DType.F32) {
                return w;
            }
            NDArray converted = TorchOps.get().cast(w, dtype);
            w.close();
            return converted;
        }
    }

    /**
     * Copies stored bytes into a float32 array. DJL aliases direct buffers (a mapped file), so the
     * result is always a copy and the alias is closed at once. BF16 is widened in Java: DJL cannot
     * create bfloat16 arrays, and TorchScript cannot reinterpret bits as another dtype.
     */
    static NDArray toFloat32(TensorData t, NDManager manager) {
        Shape shape = new Shape(t.shape());
        ByteBuffer data = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer widened = t.dtype() == DType.BF16 ? bf16ToF32(data, t.numel()) : null;
        NDArray alias = switch (t.dtype()) {
            case F32 -> manager.create(data, shape, DataType.FLOAT32);
            case F16 -> manager.create(data, shape, DataType.FLOAT16);
            case F64 -> manager.create(data, shape, DataType.FLOAT64);
            case BF16 -> manager.create(widened, shape, DataType.FLOAT32);
            default -> throw new IllegalArgumentException("tensor '" + t.name() + "' has non-float dtype " + t.dtype());
        };
        // toType(sameType, copy=true) hands back the alias itself in DJL 0.36, so copy explicitly.
        NDArray copy = alias.getDataType() == DataType.FLOAT32 ? alias.duplicate() : alias.toType(DataType.FLOAT32, false);
        alias.close();
        DirectBuffers.free(widened);
        return copy;
    }

    private static ByteBuffer bf16ToF32(ByteBuffer src, long numel) {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(numel * 4)).order(ByteOrder.nativeOrder());
        for (int i = 0; i < numel; i++) {
            out.putInt((src.getShort(i * 2) & 0xffff) << 16);
        }
        out.flip();
        return out;
    }

    /** Device bytes of all weights. */
    public long bytes() {
        LlamaModel.ProductBytes products = productBytes();
        return embedding.getShape().size() * precision.embeddingDtype().bytes() + products.attention() + products.mlp()
                + products.lmHead();
    }

    /** Device bytes of the matrices a step multiplies by, by where they are used. */
    LlamaModel.ProductBytes productBytes() {
        long attention = 0;
        long mlp = 0;
        for (Layer l : layers) {
            attention += l.qkv().bytes() + l.o().bytes();
            mlp += l.gateUp().bytes() + l.down().bytes();
        }
        return new LlamaModel.ProductBytes(attention, mlp, lmHead.bytes());
    }

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
