package org.bayling.model.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restores a model published as weight deltas (BayLing-7B/13B v1.0) from the original LLaMA weights,
 * as BayLing's and FastChat's {@code apply_delta.py} do: for every tensor of the base checkpoint,
 * {@code target = base + delta}. The sum is formed exactly in double precision and rounded once to the
 * output dtype. Both checkpoints must hold the same tensors with the same shapes (legacy
 * {@code rotary_emb.inv_freq} buffers aside); the first difference is reported by name. The result is a
 * standard safetensors checkpoint (sharded when large) with the delta directory's config and tokenizer
 * files. Tensors are processed one at a time, in chunks, straight from memory-mapped inputs.
 */
public final class DeltaApplier {

    /** Shard size of the output, as transformers' {@code save_pretrained} default. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5L * 1000 * 1000 * 1000;

    /** What was written. */
    public record Result(int tensors, List<Path> weightFiles, List<Path> sideFiles) {
    }

    private final DType outputDtype;
    private final long maxShardBytes;

    /**
     * @param outputDtype   dtype of every output tensor, or null for: the model dtype recorded in the
     *                      delta's metadata (written by {@link DeltaMaker}), else the base tensor's dtype
     * @param maxShardBytes largest output shard
     */
    public DeltaApplier(DType outputDtype, long maxShardBytes) {
        if (outputDtype != null && !Elements.isFloating(outputDtype)) {
            throw new IllegalArgumentException("output dtype must be floating point, not " + outputDtype);
        }
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive");
        }
        this.outputDtype = outputDtype;
        this.maxShardBytes = maxShardBytes;
    }

    public DeltaApplier() {
        this(null, DEFAULT_MAX_SHARD_BYTES);
    }

    /** The sum one output element gets before rounding: exact for any two half/bfloat16 inputs. */
    static double add(double base, double delta) {
        return base + delta;
    }

    /** Writes {@code base + delta} into {@code outputDir}. */
    public Result apply(Path baseDir, Path deltaDir, Path outputDir) throws IOException {
        try (CheckpointReader base = Checkpoints.open(baseDir); CheckpointReader delta = Checkpoints.open(deltaDir)) {
            List<String> names = Deltas.weights(base);
            Deltas.match(baseDir, base, deltaDir, delta, names);
            Map<String, DType> recorded = Deltas.decodeDtypes(deltaDir, delta.metadata().get(Deltas.TARGET_DTYPES_KEY));
            List<TensorInfo> out = new ArrayList<>();
            Map<String, DType> dtypes = new LinkedHashMap<>();
            for (String n : names) {
                TensorInfo b = base.info(n);
                DType dt = outputDtype != null ? outputDtype : recorded.getOrDefault(n, b.dtype());
                dtypes.put(n, dt);
                out.add(new TensorInfo(n, dt, b.shape()));
            }
            List<Path> files = SafetensorsWriter.writeCheckpoint(outputDir, out, Map.of(), maxShardBytes,
                    (t, w) -> Deltas.combine(base.read(t.name()), delta.read(t.name()), t.dtype(), w, DeltaApplier::add));
            List<Path> side = Deltas.copySideFiles(deltaDir, outputDir);
            return new Result(names.size(), files, side);
        }
    }
}
