package org.bayling.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bayling.model.checkpoint.DType;
import org.bayling.model.checkpoint.TensorInfo;

/**
 * What a process that loads a model and decodes with it will hold in memory, computed before any
 * weight is read: from {@code config.json}, the checkpoint's headers and the options (compute dtype,
 * weight storage, the batch it decodes). The parts:
 * <ul>
 *   <li><b>weights</b>: as {@link LlamaWeights} holds them: fused projections in the weight storage
 *       (int8: one byte per weight plus a scale per output row, bfloat16 scales where PyTorch's packed
 *       CPU kernel takes them), embedding and LM head in {@link Precision#embeddingDtype()};</li>
 *   <li><b>loading</b>: the peak of the load above the final weights. The vocabulary matrices are read first,
 *       one at a time, each converted to its dtype as soon as it is prepared; then each layer's fused groups,
 *       whose float32 blocks and concatenation are the largest temporaries beside the weights;</li>
 *   <li><b>allocator residue</b>: glibc serves blocks below its mmap threshold (at most
 *       {@value #MMAP_THRESHOLD_MAX} bytes) from its heap and keeps freed ones there, resident; the load hands them
 *       back after each layer ({@code malloc_trim}), so at most one layer's float32 temporaries of that size (each
 *       tensor read, the concatenated groups, int8's quantization temporaries) are held beside the load's peak;
 *       a 7B/13B shape has none (its tensors are 64 MB and up, mapped and unmapped);</li>
 *   <li><b>KV cache</b>: layers x 2 x kv_heads x head_dim x tokens x compute-dtype bytes, for every
 *       batch decoded at once;</li>
 *   <li><b>activations</b>: a prefill of the whole batch through one layer (hidden states, fused QKV
 *       and gate/up outputs, attention scores) and the float32 logits of its rows (three copies: logits,
 *       log-softmax, the Java arrays), plus the measured {@link #DECODE_WORKING_SET};</li>
 *   <li><b>tokenizer</b>, <b>quality</b> (Lingua's language models, when scoring), <b>JVM heap</b>
 *       (what Spark itself holds, where it runs) and the <b>runtime</b>: the JVM, DJL and libtorch
 *       ({@link #RUNTIME_BYTES}) plus, for a plain command, the young generation its heap flags give
 *       ({@link JvmHeap}): resident size counts the heap pages decoding touches, not {@code -Xmx}.</li>
 * </ul>
 * The peak is the fixed parts plus the weights plus the larger of loading (with its residue) and decoding.
 * {@link #nativeBytes()} is what lives outside the JVM heap (what a Spark executor's memory overhead must cover).
 * Checked against every committed {@code bench-results/decoder-*.json} by {@code MemoryPlanBenchTest} (within 15 %).
 *
 * @param precision        compute dtype and weight storage
 * @param checkpointDtype  dtype of most stored tensors (what the load reads)
 * @param parameters       parameters of the decoder
 * @param weights          bytes of the weights as held
 * @param loading          peak bytes of the load above the final weights
 * @param residue          bytes the native allocator keeps of the load's freed temporaries until the load ends
 * @param kvCache          bytes of the KV caches of the batches decoded at once
 * @param activations      transient bytes of a forward pass over those batches
 * @param tokenizer        tokenizer bytes
 * @param quality          quality models (Lingua) bytes, 0 when not scoring
 * @param jvmHeap          heap of the framework around the decoder (Spark), 0 for a plain command
 * @param runtime          JVM, DJL and libtorch baseline
 * @param workload         the batch the KV cache and activations are planned for
 */
public record MemoryPlan(Precision precision, DType checkpointDtype, long parameters, long weights, long loading,
                         long residue, long kvCache, long activations, long tokenizer, long quality, long jvmHeap,
                         long runtime, Workload workload) implements Serializable {

    /**
     * JVM (its own native memory and a small old generation), DJL and libtorch, without the young generation
     * ({@link JvmHeap}). The benches of the 7B and 13B shapes, whose loads leave no allocator residue, are resident
     * at 254 to 273 MB after the load beyond their weights, with a 32 MB young generation and the 10 MB tokenizer
     * (Java 17, DJL 0.36, PyTorch 2.7.1 CPU); 230 + 32 + 10 = 272.
     */
    public static final long RUNTIME_BYTES = 230L << 20;
    /**
     * Lingua's language models for the default quality languages, measured once: resident size after
     * detecting en/zh/de/fr texts minus before, 1,356 MB (about 600 MB of live heap, the rest heap the JVM
     * grew into while loading them).
     */
    public static final long LINGUA_BYTES = 1356L << 20;
    /**
     * What decoding holds beyond the KV cache, one forward pass and the logits: the logits' humongous heap arrays
     * until the collector runs (outside the young generation), BLAS and oneDNN scratch, the native allocator's
     * arenas growing into pages the load handed back. Measured as a batch's peak minus the resident size after
     * the load, the KV cache, the forward pass and the logits of the plan: 74 to 176 MB over the committed 134M
     * (batch 32, seven dtype/weights) and 1.1B (batch 8, four) benches.
     */
    public static final long DECODE_WORKING_SET = 176L << 20;
    /** glibc's largest mmap threshold on 64-bit ({@code DEFAULT_MMAP_THRESHOLD_MAX}); smaller blocks come from its heap. */
    public static final long MMAP_THRESHOLD_MAX = 32L << 20;
    /** A Hugging Face tokenizer in memory, per byte of its tokenizer.json (vocabulary, merges, the Rust structures). */
    public static final int TOKENIZER_BYTES_PER_FILE_BYTE = 8;

    /**
     * The batch decoding is planned for.
     *
     * @param rows        sequences decoded together (prompts x beams)
     * @param promptTokens tokens of the longest prompt (what one prefill runs per row)
     * @param cacheTokens cache slots per row (prompt and generated tokens, as the cache grows)
     * @param concurrent  batches decoded at the same time by one process (Spark tasks per executor)
     */
    public record Workload(int rows, int promptTokens, int cacheTokens, int concurrent) implements Serializable {
        public Workload {
            if (rows < 1 || promptTokens < 1 || cacheTokens < promptTokens || concurrent < 1) {
                throw new IllegalArgumentException("bad workload: " + rows + " rows, " + promptTokens + " prompt tokens, "
                        + cacheTokens + " cache tokens, " + concurrent + " concurrent");
            }
        }

        /** Prompt tokens of one batch (what a token budget counts). */
        public long batchTokens() {
            return (long) rows * promptTokens;
        }

        /** Cache slots of one batch. */
        public long batchCacheTokens() {
            return (long) rows * cacheTokens;
        }
    }

    /** Fixed parts around the decoder. */
    public record Extras(long tokenizer, long quality, long jvmHeap, long runtime) implements Serializable {

        /**
         * A plain command ({@code generate}, {@code bench}) in this JVM: runtime with this JVM's young generation,
         * and tokenizer.
         */
        public static Extras command(long tokenizerJsonBytes) {
            return command(tokenizerJsonBytes, JvmHeap.current());
        }

        /** A plain command in a JVM whose heap is {@code heap}: runtime with its young generation, and tokenizer. */
        public static Extras command(long tokenizerJsonBytes, JvmHeap heap) {
            return new Extras(tokenizerJsonBytes * TOKENIZER_BYTES_PER_FILE_BYTE, 0, 0,
                    RUNTIME_BYTES + heap.youngBytes());
        }

        public Extras withQuality(long bytes) {
            return new Extras(tokenizer, bytes, jvmHeap, runtime);
        }

        public Extras withJvmHeap(long bytes) {
            return new Extras(tokenizer, quality, bytes, runtime);
        }
    }

    /**
     * Cache slots a {@link KvCache} holds for a row that prefills {@code prompt} tokens and ends at {@code total}: it
     * starts at 64, grows to the prompt at once (at least doubling), then doubles whenever a decode step overflows it.
     */
    public static int cacheCapacity(int prompt, int total) {
        long capacity = 64;
        if (prompt > capacity) {
            capacity = Math.max(prompt, capacity * 2);
        }
        while (capacity < total) {
            capacity *= 2;
        }
        return (int) Math.min(Integer.MAX_VALUE, capacity);
    }

    /**
     * The plan for a model.
     *
     * @param tensors   the checkpoint's tensors as its headers declare them (for the stored dtype); may be empty
     * @param cpuKernels CPU-only products: int8 through PyTorch's packed kernel, whose scales are bfloat16, and
     *                   float32 and bfloat16 matrices prepacked for oneDNN (the head copied once more while it is
     *                   packed)
     */
    public static MemoryPlan of(ModelConfig c, Iterable<TensorInfo> tensors, Precision precision, Workload w,
                                Extras extras, boolean cpuKernels) {
        return of(c, storedDtype(tensors), precision, w, extras, cpuKernels);
    }

    /** The plan for a model whose checkpoint stores its weights in {@code stored}. */
    public static MemoryPlan of(ModelConfig c, DType stored, Precision precision, Workload w, Extras extras,
                                boolean cpuKernels) {
        long h = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        long ff = c.intermediateSize();
        long vocab = c.vocabSize();
        int compute = precision.compute().bytes();
        long embedding = vocab * h * precision.embeddingDtype().bytes();
        long layer = projection(q + 2 * kv, h, precision, cpuKernels) + projection(h, q, precision, cpuKernels)
                + projection(2 * ff, h, precision, cpuKernels) + projection(h, ff, precision, cpuKernels);
        long layers = layer * c.numLayers();
        long rotate = (long) c.headDim() * c.headDim() * compute;
        long weights = layers + 2 * embedding + rotate;
        long parameters = c.numLayers() * (h * (q + 2 * kv) + h * q + 3 * h * ff + 2 * h) + 2 * vocab * h + h;

        // Load, in vocabulary-matrix units (vocab x hidden elements): each read maps the stored bytes and copies them
        // to float32 (a bfloat16 tensor widened in a direct buffer on the way); the embedding is read first and
        // converted to its dtype at once, then the head, whose norm is folded in place. A tied head copies the
        // embedding instead of reading one. Nothing else is held yet.
        long vh = vocab * h;
        int e = precision.embeddingDtype().bytes();
        int converted = e == 4 ? 0 : e; // a conversion's new array (none when it stays float32)
        long read = 4 + stored.bytes() + (stored == DType.BF16 ? 4 : 0);
        boolean tied = c.tieWordEmbeddings();
        // A head prepacked for oneDNN exists twice until the packed copy has been checked.
        boolean packed = cpuKernels && Projection.prepacks(precision.embeddingDtype(), precision.compute());
        int packing = packed ? e : 0;
        long vocabPeak = (tied ? Math.max(read, 8 + converted + packing) : e + Math.max(read, 4 + converted + packing)) * vh;
        // While the layers stream in: the largest fused group as its blocks and their concatenation, plus the mapped
        // bytes of the block being read (int8: quantization temporaries of the fused matrix too), beside the weights.
        long group = Math.max((q + 2 * kv) * h, 2 * ff * h);
        long duringLayers = group * ((precision.weights() == WeightStorage.INT8 ? 12 : 8) + stored.bytes());
        // Above the final weights, which hold the embedding and the head in their own dtype (and the rotation).
        long loading = Math.max(0, Math.max(vocabPeak - weights, duringLayers));
        long residue = heapServedLoadTemporaries(q, kv, h, ff, precision.weights() == WeightStorage.INT8);

        long kvCache = (long) c.numLayers() * 2 * kv * w.batchCacheTokens() * compute * w.concurrent();
        long tokens = w.batchTokens();
        long scores = (long) w.rows() * c.numHeads() * w.promptTokens() * w.promptTokens() * compute;
        long forward = tokens * (3 * ff + 4 * h + q + 2 * kv) * compute + scores;
        long logits = (long) w.rows() * vocab * 4 * 3;
        long activations = (forward + logits) * w.concurrent() + DECODE_WORKING_SET;
        return new MemoryPlan(precision, stored, parameters, weights, loading, residue, kvCache, activations,
                extras.tokenizer(), extras.quality(), extras.jvmHeap(), extras.runtime(), w);
    }

    /**
     * Bytes of one layer's float32 load temporaries below {@link #MMAP_THRESHOLD_MAX}: each tensor read, the
     * concatenated q/k/v and gate/up groups (norms and the query scale are folded in place), and with int8 two
     * quantization temporaries per matrix (see {@code LlamaWeights} and {@code quantize_int8}).
     */
    static long heapServedLoadTemporaries(long q, long kv, long h, long ff, boolean int8) {
        long[][] read = {{q, h}, {kv, h}, {kv, h}, {h, q}, {ff, h}, {ff, h}, {h, ff}};
        long total = 0;
        for (long[] m : read) {
            total += belowThreshold(m[0] * m[1] * 4);
        }
        total += belowThreshold((q + 2 * kv) * h * 4) + belowThreshold(2 * ff * h * 4);
        if (int8) {
            long[][] fused = {{q + 2 * kv, h}, {h, q}, {2 * ff, h}, {h, ff}};
            for (long[] m : fused) {
                total += 2 * belowThreshold(m[0] * m[1] * 4);
            }
        }
        return total;
    }

    private static long belowThreshold(long bytes) {
        return bytes < MMAP_THRESHOLD_MAX ? bytes : 0;
    }

    /** Bytes of an {@code [out, in]} matrix in the weight storage. */
    private static long projection(long out, long in, Precision p, boolean cpuKernels) {
        if (p.weights() != WeightStorage.INT8) {
            return out * in * p.weights().bytes();
        }
        int scaleBytes = cpuKernels && in % 16 == 0 ? 2 : 4;
        return out * in + out * scaleBytes;
    }

    /** The dtype holding most of the checkpoint's elements (float32 when there are none). */
    public static DType storedDtype(Iterable<TensorInfo> tensors) {
        Map<DType, Long> bytes = new LinkedHashMap<>();
        for (TensorInfo t : tensors) {
            bytes.merge(t.dtype(), t.numel(), Long::sum);
        }
        return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(DType.F32);
    }

    /**
     * Peak resident bytes: fixed parts, weights, and the larger of loading (with the allocator residue it builds up
     * until it ends) and decoding.
     */
    public long peakBytes() {
        return fixedBytes() + weights + Math.max(loading + residue, kvCache + activations);
    }

    /** Runtime, tokenizer, quality models and framework heap. */
    public long fixedBytes() {
        return runtime + tokenizer + quality + jvmHeap;
    }

    /**
     * What lives outside the JVM heap: weights, allocator residue, cache, activations, tokenizer, and the runtime
     * (its young generation too, for a plain command; a Spark executor's plan counts none there).
     */
    public long nativeBytes() {
        return peakBytes() - quality - jvmHeap;
    }

    /** Heap the JVM needs beyond its own baseline: quality models and framework. */
    public long heapBytes() {
        return quality + jvmHeap;
    }

    /** The fixed parts of this plan. */
    public Extras extras() {
        return new Extras(tokenizer, quality, jvmHeap, runtime);
    }

    /** The parts as rows (name, bytes), for tables and {@code _summary.json}. */
    public Map<String, Long> parts() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("weights", weights);
        m.put("loading (transient)", loading);
        m.put("allocator_residue", residue);
        m.put("kv_cache", kvCache);
        m.put("activations_and_logits", activations);
        m.put("tokenizer", tokenizer);
        m.put("quality_models", quality);
        m.put("framework_heap", jvmHeap);
        m.put("runtime", runtime);
        return m;
    }

    /** E.g. {@code f32}, or {@code f32 with int8 weights}. */
    public String precisionLabel() {
        String compute = Precision.label(precision.compute());
        return precision.weights().dtype() == precision.compute() ? compute
                : compute + " with " + precision.weights().label() + " weights";
    }

    /** The plan as a text table. */
    public String toTable() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "memory plan: %s, %.2fB parameters, checkpoint %s%n", precisionLabel(),
                parameters / 1e9, Precision.label(checkpointDtype).toLowerCase(Locale.ROOT)));
        b.append(String.format(Locale.ROOT, "  batch: %d rows x %d prompt tokens, %d cache slots per row, %d at once%n",
                workload.rows(), workload.promptTokens(), workload.cacheTokens(), workload.concurrent()));
        b.append(String.format(Locale.ROOT, "  %-26s %12s%n", "part", "MB"));
        for (Map.Entry<String, Long> e : parts().entrySet()) {
            b.append(String.format(Locale.ROOT, "  %-26s %12.1f%n", e.getKey(), mb(e.getValue())));
        }
        b.append(String.format(Locale.ROOT, "  %-26s %12.1f%n", "peak (resident)", mb(peakBytes())));
        b.append(String.format(Locale.ROOT, "  %-26s %12.1f%n", "  native (off-heap)", mb(nativeBytes())));
        b.append(String.format(Locale.ROOT, "  %-26s %12.1f", "  JVM heap", mb(heapBytes())));
        return b.toString();
    }

    /** The plan as a JSON-ready map (MB figures). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dtype", Precision.label(precision.compute()));
        m.put("weights_storage", precision.weights().label());
        m.put("parameters", parameters);
        m.put("rows", workload.rows());
        m.put("prompt_tokens", workload.promptTokens());
        m.put("cache_tokens_per_row", workload.cacheTokens());
        m.put("concurrent_batches", workload.concurrent());
        Map<String, Object> parts = new LinkedHashMap<>();
        parts().forEach((k, v) -> parts.put(k.replace(" (transient)", "") + "_mb", round(mb(v))));
        m.put("parts", parts);
        m.put("peak_mb", round(mb(peakBytes())));
        m.put("native_mb", round(mb(nativeBytes())));
        m.put("heap_mb", round(mb(heapBytes())));
        return m;
    }

    /** {@code model needs ~27.0 GB in f32 (weights 26.9 GB, KV cache 0.4 GB)}. */
    public String needs() {
        return String.format(Locale.ROOT, "model needs ~%.1f GB in %s (weights %.1f GB, KV cache %.1f GB)",
                gb(peakBytes()), precisionLabel(), gb(weights), gb(kvCache));
    }

    /** Other weight storages to suggest, smallest first: int8, then f16 (bf16 when computing in bf16). */
    public static List<WeightStorage> alternatives(Precision p) {
        List<WeightStorage> out = new ArrayList<>();
        out.add(WeightStorage.INT8);
        out.add(p.compute() == DType.BF16 ? WeightStorage.BF16 : WeightStorage.F16);
        out.removeIf(s -> s == p.weights());
        return out;
    }

    static double mb(long bytes) {
        return bytes / 1048576.0;
    }

    /** Decimal gigabytes, as the one-line messages say them. */
    public static double gb(long bytes) {
        return bytes / 1e9;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
