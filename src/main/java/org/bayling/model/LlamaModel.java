package org.bayling.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bayling.model.checkpoint.CheckpointReader;
import org.bayling.model.checkpoint.DType;

/**
 * The LLaMA decoder ({@code LlamaForCausalLM}) on DJL's NDArray API: embed → per layer (RMSNorm,
 * fused QKV, RoPE, grouped-query attention over the KV cache, output projection, residual, RMSNorm,
 * SwiGLU MLP, residual) → final RMSNorm → LM head. Stateless apart from its weights: all per-sequence
 * state lives in a {@link KvCache}, so one model serves many sessions. Activations, cache, masks and
 * rotary tables are in the compute dtype of its {@link Precision}; RMSNorm statistics are float32
 * (as in Hugging Face), attention is PyTorch's fused scaled-dot-product kernel.
 */
public final class LlamaModel implements AutoCloseable {

    private final ModelConfig config;
    private final LlamaWeights weights;
    private final RotaryEmbedding rope;
    private final NDManager manager;
    private final Precision precision;

    private LlamaModel(ModelConfig config, LlamaWeights weights, NDManager manager, Precision precision) {
        this.config = config;
        this.weights = weights;
        this.rope = new RotaryEmbedding(config);
        this.manager = manager;
        this.precision = precision;
    }

    /** Loads the weights onto {@code device} in {@code precision}. */
    public static LlamaModel load(ModelConfig config, CheckpointReader reader, Device device, Precision precision)
            throws IOException {
        return load(config, reader, NDManager.newBaseManager(device, "PyTorch"), precision);
    }

    /** Loads the weights into a sub-manager of {@code parent} (closed with the model, or with the parent). */
    public static LlamaModel load(ModelConfig config, CheckpointReader reader, NDManager parent, Precision precision)
            throws IOException {
        return load(config, reader, parent, precision, !parent.getDevice().isGpu());
    }

    /**
     * As {@link #load(ModelConfig, CheckpointReader, NDManager, Precision)}, choosing the products: CPU-only
     * kernels (int8 packed, float32 and bfloat16 prepacked for oneDNN), or what GPUs run (tests run it on CPU).
     */
    static LlamaModel load(ModelConfig config, CheckpointReader reader, NDManager parent, Precision precision,
                           boolean cpuKernels) throws IOException {
        PrecisionSupport.check(parent, precision);
        PrecisionSupport.warnIfSlow(parent.getDevice(), precision);
        NDManager manager = parent.newSubManager();
        try {
            return new LlamaModel(config, LlamaWeights.load(reader, config, manager, precision, cpuKernels), manager,
                    precision);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public Precision precision() {
        return precision;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** Device bytes held by the weights. */
    public long weightBytes() {
        return weights.bytes();
    }

    /** Device bytes of the matrices every step reads: the layers' attention and MLP projections, and the LM head. */
    public record ProductBytes(long attention, long mlp, long lmHead) {
    }

    public ProductBytes productBytes() {
        return weights.productBytes();
    }

    /** A new decoding session for {@code rows} sequences (empty until tokens are appended). */
    public LlamaSession newSession(int rows) {
        return new LlamaSession(this, new KvCache(manager, config, precision.compute(), rows, 64));
    }

    /**
     * A session whose row i continues from {@code seeds.get(i)} (null: empty) as far as the seed's tokens
     * agree with {@code prompts.get(i)}; the rest of each prompt is left for the generation strategy to
     * append. Returns the session; {@code reused[i]} receives the reused token count of row i.
     */
    public LlamaSession newSession(List<int[]> prompts, List<? extends org.bayling.generate.CacheSnapshot> seeds,
                                   int[] reused) {
        KvCache[] caches = new KvCache[prompts.size()];
        for (int i = 0; i < caches.length; i++) {
            caches[i] = seeds.get(i) == null ? null : ((LlamaCacheSnapshot) seeds.get(i)).cache;
        }
        LlamaSession session = new LlamaSession(this, KvCache.seeded(manager, config, precision.compute(), caches));
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
        int group = Math.max(1, PREFILL_GROUP_TOKENS / in.t());
        if (in.t() == 1 || group >= in.rows() || device().isGpu()) {
            return forward(in, cache, 0, step);
        }
        // Rows are independent: on CPU a long prefill runs as groups of rows, each through all layers, so its
        // activations stay cache-sized. 134M shape, 128 rows x 64 tokens: float32 activations 1,340 -> 1,655-1,831
        // tok/s with bfloat16 weights, 916 -> 1,070 with float32 ones; bfloat16 activations unchanged (1,912 -> 1,865).
        TorchOps ops = TorchOps.get();
        List<NDArray> parts = new ArrayList<>();
        for (int r = 0; r < in.rows(); r += group) {
            int n = Math.min(group, in.rows() - r);
            StepInputs rows = new StepInputs(ops.narrow(in.ids(), 0, r, n, step), ops.narrow(in.cos(), 0, r, n, step),
                    ops.narrow(in.sin(), 0, r, n, step), ops.narrow(in.mask(), 0, r, n, step), n, in.t());
            parts.add(forward(rows, cache, r, step));
        }
        return NDArrays.concat(new NDList(parts), 0);
    }

    /**
     * Tokens up to which a forward pass on CPU runs all its rows at once; more run as groups of rows (groups of 256,
     * 512 and 1,024 tokens measured within the machine's noise of each other).
     */
    static final int PREFILL_GROUP_TOKENS = 512;

    /** {@link #forward(StepInputs, KvCache, NDManager)} for the cache rows from {@code firstRow} on. */
    private NDArray forward(StepInputs in, KvCache cache, int firstRow, NDManager step) {
        NDArray x = weights.embedding.get(new NDIndex("{}", in.ids())); // [rows, t, hidden]
        x.attach(step);
        if (precision.embeddingDtype() != precision.compute()) {
            x = TorchOps.get().cast(x, precision.compute());
        }
        for (int l = 0; l < weights.layers.length; l++) {
            LlamaWeights.Layer w = weights.layers[l];
            // Each layer's intermediates live in their own manager, freed once the layer's output exists: kept
            // for the whole step they add up over the layers (7B, 32 rows: +3.5 GB resident at the first step).
            NDManager layer = step.newSubManager();
            x.attach(layer);
            NDArray h = x.add(attention(rmsNorm(x), w, l, in, cache, firstRow, layer));
            NDArray out = h.add(mlp(rmsNorm(h), w));
            out.attach(step);
            layer.close();
            x = out;
        }
        return rmsNorm(x);
    }

    /** LlamaRMSNorm without its weight (folded into the next matrix): x / sqrt(mean(x²) + eps), in float32. */
    private NDArray rmsNorm(NDArray x) {
        return TorchOps.get().rmsNorm(x, config.rmsNormEps());
    }

    /** LlamaMLP: down(silu(gate(x)) * up(x)), gate and up fused. */
    private NDArray mlp(NDArray x, LlamaWeights.Layer w) {
        return w.down().apply(TorchOps.get().swiglu(w.gateUp().apply(x)));
    }

    /**
     * LlamaAttention: the fused QKV projection, then RoPE, the cache update and grouped-query attention
     * over the cache in one fused operator (see {@code attend} in torch_ops.py), then the output projection.
     */
    private NDArray attention(NDArray x, LlamaWeights.Layer w, int layer, StepInputs in, KvCache cache, int firstRow,
                              NDManager owner) {
        TorchOps ops = TorchOps.get();
        NDArray keys = cache.keys(layer);
        NDArray values = cache.values(layer);
        if (in.rows() != cache.rows()) {
            keys = ops.narrow(keys, 0, firstRow, in.rows(), owner);
            values = ops.narrow(values, 0, firstRow, in.rows(), owner);
        }
        NDArray out = ops.attend(w.qkv().apply(x), in.cos(), in.sin(), keys, values, cache.length(), in.mask(),
                config.numHeads(), config.numKvHeads());
        return w.o().apply(out);
    }

    /** Logits of the given hidden states {@code [..., hidden]} → {@code [..., vocab]}, float32. */
    NDArray logits(NDArray hidden) {
        return weights.lmHead.apply(hidden).toType(DataType.FLOAT32, false);
    }

    /** Float32 logits {@code [rows, vocab]} of hidden states {@code [rows, hidden]} and their log-sum-exp {@code [rows]}. */
    NDArray[] logitsAndLogSumExp(NDArray hidden) {
        return TorchOps.get().logitsWithLogSumExp(weights.lmHead.apply(hidden));
    }

    /** Builds cos/sin arrays {@code [rows, t, 1, headDim]} for the given positions. */
    NDArray[] rotary(int[] positions, int rows, int t, NDManager step) {
        int d = config.headDim();
        float[] cos = new float[positions.length * d];
        float[] sin = new float[positions.length * d];
        rope.table(positions, cos, sin);
        Shape shape = new Shape(rows, t, 1, d);
        return new NDArray[] {toCompute(step.create(cos, shape)), toCompute(step.create(sin, shape))};
    }

    /** An additive attention mask {@code [rows, 1, t, used]} in the compute dtype. */
    NDArray mask(float[] mask, Shape shape, NDManager step) {
        return toCompute(step.create(mask, shape));
    }

    /** What the mask adds to hide a slot: the compute dtype's lowest finite value, as Hugging Face does. */
    float maskedValue() {
        return switch (precision.compute()) {
            case F16 -> -65504f;
            case BF16 -> -3.3895314e38f;
            default -> -Float.MAX_VALUE;
        };
    }

    private NDArray toCompute(NDArray f32) {
        if (precision.compute() == DType.F32) {
            return f32;
        }
        NDArray converted = TorchOps.get().cast(f32, precision.compute());
        f32.close();
        return converted;
    }

    NDArray lastPosition(NDArray hidden) {
        long last = hidden.getShape().get(1) - 1;
        return hidden.get(new NDIndex().addAllDim().addIndices(last));
    }

    @Override
    public void close() {
        manager.close();
    }
}
