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
import org.bayling.model.checkpoint.TensorData;

/**
 * The decoder's weights on the compute device, prepared for fast decoding:
 * <ul>
 *   <li>q/k/v projections fused into one matrix, gate/up into another (one matmul each);</li>
 *   <li>each RMSNorm weight folded into the columns of the matrix that consumes its output, and the
 *       attention scale 1/sqrt(head_dim) folded into the query rows — the same function with fewer
 *       operations per step.</li>
 * </ul>
 * Tensors are read one at a time from the checkpoint, so the Java heap never holds more than one.
 */
public final class LlamaWeights implements AutoCloseable {

    /** One decoder layer: {@code [out, in]} matrices as stored by PyTorch's Linear. */
    public record Layer(NDArray qkv, NDArray o, NDArray gateUp, NDArray down) {
    }

    private final NDManager manager;
    final NDArray embedding;  // [vocab, hidden]
    final Layer[] layers;
    final NDArray lmHead;     // [vocab, hidden], final norm folded in
    final NDArray rotateHalf; // [headDim, headDim]

    private LlamaWeights(NDManager manager, NDArray embedding, Layer[] layers, NDArray lmHead, NDArray rotateHalf) {
        this.manager = manager;
        this.embedding = embedding;
        this.layers = layers;
        this.lmHead = lmHead;
        this.rotateHalf = rotateHalf;
    }

    /** Reads and prepares all weights; {@code dtype} is the compute type (float32 on CPU). */
    public static LlamaWeights load(CheckpointReader reader, ModelConfig c, NDManager parent, DataType dtype)
            throws IOException {
        NDManager m = parent.newSubManager();
        try {
            Loader load = new Loader(reader, m, dtype);
            int h = c.hiddenSize();
            int q = c.numHeads() * c.headDim();
            int kv = c.numKvHeads() * c.headDim();
            NDArray embedding = load.tensor("model.embed_tokens.weight", c.vocabSize(), h);
            Layer[] layers = new Layer[c.numLayers()];
            float scale = (float) (1.0 / Math.sqrt(c.headDim()));
            for (int i = 0; i < layers.length; i++) {
                String p = "model.layers." + i + ".";
                NDArray qkv = fuse(load.tensor(p + "input_layernorm.weight", h),
                        scaled(load.tensor(p + "self_attn.q_proj.weight", q, h), scale),
                        load.tensor(p + "self_attn.k_proj.weight", kv, h),
                        load.tensor(p + "self_attn.v_proj.weight", kv, h));
                NDArray o = load.tensor(p + "self_attn.o_proj.weight", h, q);
                NDArray gateUp = fuse(load.tensor(p + "post_attention_layernorm.weight", h),
                        load.tensor(p + "mlp.gate_proj.weight", c.intermediateSize(), h),
                        load.tensor(p + "mlp.up_proj.weight", c.intermediateSize(), h));
                NDArray down = load.tensor(p + "mlp.down_proj.weight", h, c.intermediateSize());
                layers[i] = new Layer(qkv, o, gateUp, down);
            }
            NDArray finalNorm = load.tensor("model.norm.weight", h);
            boolean tied = !reader.names().contains("lm_head.weight");
            if (tied && !c.tieWordEmbeddings()) {
                throw new IOException("checkpoint is missing tensor 'lm_head.weight' and config.json does not tie word embeddings");
            }
            NDArray lmHead = tied ? fuse(finalNorm, embedding.duplicate())
                    : fuse(finalNorm, load.tensor("lm_head.weight", c.vocabSize(), h));
            RotaryEmbedding rope = new RotaryEmbedding(c);
            NDArray rotate = m.create(rope.rotateHalfMatrix(), new Shape(c.headDim(), c.headDim())).toType(dtype, false);
            return new LlamaWeights(m, embedding, layers, lmHead, rotate);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Concatenates row blocks and scales their columns by an RMSNorm weight; frees the inputs. */
    private static NDArray fuse(NDArray norm, NDArray... blocks) {
        NDArray joined = blocks.length == 1 ? blocks[0] : NDArrays.concat(new NDList(blocks), 0);
        NDArray folded = joined.mul(norm);
        for (NDArray b : blocks) {
            b.close();
        }
        if (blocks.length > 1) {
            joined.close();
        }
        norm.close();
        return folded;
    }

    private static NDArray scaled(NDArray w, float scale) {
        NDArray s = w.mul(scale);
        w.close();
        return s;
    }

    /** Reads tensors, checks their shapes against the config, converts them to the compute type. */
    private record Loader(CheckpointReader reader, NDManager manager, DataType dtype) {

        NDArray tensor(String name, long... expected) throws IOException {
            if (!reader.names().contains(name)) {
                throw new IOException("checkpoint is missing tensor '" + name + "'");
            }
            TensorData t = reader.read(name);
            if (!Arrays.equals(t.shape(), expected)) {
                throw new IOException("tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                        + " but config.json implies " + Arrays.toString(expected));
            }
            return toNDArray(t, manager, dtype);
        }
    }

    /**
     * Converts stored bytes to an array of the compute type. DJL aliases direct buffers (a mapped file),
     * so the result is always a copy and the alias is closed at once. BF16 is widened in Java: DJL's
     * CPU build cannot create BF16 arrays.
     */
    static NDArray toNDArray(TensorData t, NDManager manager, DataType dtype) {
        Shape shape = new Shape(t.shape());
        ByteBuffer data = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        NDArray alias = switch (t.dtype()) {
            case F32 -> manager.create(data, shape, DataType.FLOAT32);
            case F16 -> manager.create(data, shape, DataType.FLOAT16);
            case F64 -> manager.create(data, shape, DataType.FLOAT64);
            case BF16 -> manager.create(bf16ToF32(data, t.numel()), shape, DataType.FLOAT32);
            default -> throw new IllegalArgumentException("tensor '" + t.name() + "' has non-float dtype " + t.dtype());
        };
        // toType(sameType, copy=true) hands back the alias itself in DJL 0.36, so copy explicitly.
        NDArray copy = alias.getDataType() == dtype ? alias.duplicate() : alias.toType(dtype, false);
        alias.close();
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

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
