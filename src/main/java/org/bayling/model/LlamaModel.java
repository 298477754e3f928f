package org.bayling.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.io.IOException;
import org.bayling.model.checkpoint.CheckpointReader;

/**
 * The LLaMA decoder ({@code LlamaForCausalLM}) on DJL's NDArray API: embed → per layer (RMSNorm,
 * fused QKV, RoPE, grouped-query attention over the KV cache, output projection, residual, RMSNorm,
 * SwiGLU MLP, residual) → final RMSNorm → LM head. Stateless apart from its weights: all per-sequence
 * state lives in a {@link KvCache}, so one model serves many sessions.
 */
public final class LlamaModel implements AutoCloseable {

    private final ModelConfig config;
    private final LlamaWeights weights;
    private final RotaryEmbedding rope;
    private final NDManager manager;
    private final DataType dtype;

    private LlamaModel(ModelConfig config, LlamaWeights weights, NDManager manager, DataType dtype) {
        this.config = config;
        this.weights = weights;
        this.rope = new RotaryEmbedding(config);
        this.manager = manager;
        this.dtype = dtype;
    }

    /** Loads the weights onto {@code device} in {@code dtype} (float32 for CPU; float16 for GPUs). */
    public static LlamaModel load(ModelConfig config, CheckpointReader reader, Device device, DataType dtype)
            throws IOException {
        return load(config, reader, NDManager.newBaseManager(device, "PyTorch"), dtype);
    }

    /** Loads the weights into a sub-manager of {@code parent} (closed with the model, or with the parent). */
    public static LlamaModel load(ModelConfig config, CheckpointReader reader, NDManager parent, DataType dtype)
            throws IOException {
        NDManager manager = parent.newSubManager();
        try {
            return new LlamaModel(config, LlamaWeights.load(reader, config, manager, dtype), manager, dtype);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** A new decoding session for {@code rows} sequences (empty until tokens are appended). */
    public LlamaSession newSession(int rows) {
        return new LlamaSession(this, new KvCache(manager, config, rows, 64));
    }

    /**
     * A session whose row i continues from {@code seeds.get(i)} (null: empty) as far as the seed's tokens
     * agree with {@code prompts.get(i)}; the rest of each prompt is left for the generation strategy to
     * append. Returns the session; {@code reused[i]} receives the reused token count of row i.
     */
    public LlamaSession newSession(java.util.List<int[]> prompts, java.util.List<? extends org.bayling.generate.CacheSnapshot> seeds,
                                   int[] reused) {
        KvCache[] caches = new KvCache[prompts.size()];
        for (int i = 0; i < caches.length; i++) {
            caches[i] = seeds.get(i) == null ? null : ((LlamaCacheSnapshot) seeds.get(i)).cache;
        }
        LlamaSession session = new LlamaSession(this, KvCache.seeded(manager, config, caches));
        for (int i = 0; i < caches.length; i++) {
            int common = 0;
            if (seeds.get(i) != null) {
                int[] held = seeds.get(i).tokens();
                int[] prompt = prompts.get(i);
                int max = Math.min(held.length, prompt.length - 1); // the last prompt token must run to give logits
                while (common < max && held[common] == prompt[common]) {
                    common++;
                }
                session.truncate(i, common);
            }
            reused[i] = common;
        }
        return session;
    }

    NDManager manager() {
        return manager;
    }

    /** Inputs of one forward pass, all in the step's manager. */
    record StepInputs(NDArray ids, NDArray cos, NDArray sin, NDArray mask, int rows, int t) {
    }

    /**
     * Runs the decoder over {@code t} new tokens per row, writing their keys/values into the cache at
     * slots [cache.length(), cache.length() + t); returns hidden states {@code [rows, t, hidden]}.
     */
    NDArray forward(StepInputs in, KvCache cache, NDManager step) {
        NDArray x = weights.embedding.get(new NDIndex("{}", in.ids())); // [rows, t, hidden]
        x.attach(step);
        int used = cache.length() + in.t();
        for (int l = 0; l < weights.layers.length; l++) {
            LlamaWeights.Layer w = weights.layers[l];
            x = x.add(attention(rmsNorm(x), w, l, in, cache, used, step));
            x = x.add(mlp(rmsNorm(x), w));
        }
        return rmsNorm(x);
    }

    /** LlamaRMSNorm without its weight (folded into the next matrix): x / sqrt(mean(x²) + eps). */
    private NDArray rmsNorm(NDArray x) {
        NDArray inv = x.square().mean(new int[] {-1}, true).add((float) config.rmsNormEps()).pow(-0.5f);
        return x.mul(inv);
    }

    /** LlamaMLP: down(silu(gate(x)) * up(x)), gate and up fused. */
    private NDArray mlp(NDArray x, LlamaWeights.Layer w) {
        NDList gu = project(x, w.gateUp()).split(2, 2);
        return project(silu(gu.get(0)).mul(gu.get(1)), w.down());
    }

    /** Rows up to which {@link #project} multiplies weight-first. */
    static final int SMALL_BATCH = 64;

    /**
     * {@code x @ W^T} for x {@code [..., in]} and W {@code [out, in]}. For the few rows of a decode step
     * the product is computed as {@code (W @ x^T)^T}: BLAS then streams the large weight matrix once as
     * the left operand instead of packing it as the right one, which measured 25-60% faster for 4-32
     * rows on these CPUs (the transposed result is a small copy). Prefill keeps the plain form.
     */
    private static NDArray project(NDArray x, NDArray w) {
        long in = x.getShape().get(x.getShape().dimension() - 1);
        long rows = x.getShape().size() / in;
        if (rows > SMALL_BATCH) {
            return Linear.linear(x, w).singletonOrThrow();
        }
        long out = w.getShape().get(0);
        long[] shape = x.getShape().getShape();
        shape[shape.length - 1] = out;
        NDArray y = w.matMul(x.reshape(rows, in).transpose()); // [out, rows], in w's manager
        y.attach(x.getManager());
        NDArray result = y.transpose().reshape(new Shape(shape));
        return result;
    }

    private static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** LlamaAttention with RoPE and grouped-query attention over the cache. */
    private NDArray attention(NDArray x, LlamaWeights.Layer w, int layer, StepInputs in, KvCache cache, int used,
                              NDManager step) {
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int groups = config.kvGroups();
        int d = config.headDim();
        int b = in.rows();
        int t = in.t();
        NDList qkv = project(x, w.qkv()).split(new long[] {(long) (heads + kvHeads) * d}, 2);
        // Rotate queries and keys together: [b, t, heads + kvHeads, d] * cos + rotate_half(.) * sin.
        NDArray qk = qkv.get(0).reshape(b, t, heads + kvHeads, d);
        qk = qk.mul(in.cos()).add(qk.matMul(weights.rotateHalf).mul(in.sin()));
        NDList parts = qk.split(new long[] {heads}, 2);
        NDArray q;
        NDArray k;
        NDArray v;
        if (t == 1) { // decoding: [b, 1, h, d] is already [b, h, 1, d] in memory
            q = parts.get(0).reshape(b, kvHeads, groups, d);
            k = parts.get(1).reshape(b, kvHeads, 1, d);
            v = qkv.get(1).reshape(b, kvHeads, 1, d);
        } else {
            q = parts.get(0).transpose(0, 2, 1, 3).reshape(b, kvHeads, groups * t, d);
            k = parts.get(1).transpose(0, 2, 1, 3);
            v = qkv.get(1).reshape(b, t, kvHeads, d).transpose(0, 2, 1, 3);
        }
        cache.write(layer, k, v);
        NDArray keys = cache.keys(layer, used, step);
        NDArray values = cache.values(layer, used, step);
        NDArray scores = q.matMul(keys.transpose(0, 1, 3, 2)); // scale folded into the query weights
        if (groups > 1) {
            scores = scores.reshape(b, kvHeads, groups, t, used);
        }
        NDArray probs = scores.add(in.mask()).softmax(-1);
        if (groups > 1) {
            probs = probs.reshape(b, kvHeads, groups * t, used);
        }
        NDArray out = probs.matMul(values); // [b, kvHeads, groups * t, d] = [b, heads, t, d]
        out = t == 1 ? out.reshape(b, 1, heads * d)
                : out.reshape(b, heads, t, d).transpose(0, 2, 1, 3).reshape(b, t, heads * d);
        return project(out, w.o());
    }

    /** Logits of the given hidden states {@code [..., hidden]} → {@code [..., vocab]}. */
    NDArray logits(NDArray hidden) {
        return project(hidden, weights.lmHead);
    }

    /** Builds cos/sin arrays {@code [rows, t, 1, headDim]} for the given positions. */
    NDArray[] rotary(int[] positions, int rows, int t, NDManager step) {
        int d = config.headDim();
        float[] cos = new float[positions.length * d];
        float[] sin = new float[positions.length * d];
        rope.table(positions, cos, sin);
        Shape shape = new Shape(rows, t, 1, d);
        return new NDArray[] {step.create(cos, shape).toType(dtype, false), step.create(sin, shape).toType(dtype, false)};
    }

    NDArray mask(float[] mask, Shape shape, NDManager step) {
        return step.create(mask, shape).toType(dtype, false);
    }

    NDArray lastPosition(NDArray hidden) {
        long last = hidden.getShape().get(1) - 1;
        return hidden.get(new NDIndex().addAllDim().addIndices(last));
    }

    DataType dtype() {
        return dtype;
    }

    @Override
    public void close() {
        manager.close();
    }
}
