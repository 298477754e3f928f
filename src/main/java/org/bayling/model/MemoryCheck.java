package org.bayling.model;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.bayling.model.checkpoint.CheckpointHeaders;
import org.bayling.model.checkpoint.ModelFiles;
import org.bayling.model.checkpoint.TensorInfo;

/**
 * Plans a model directory's memory from its headers ({@link MemoryPlan}) and refuses, before any weight is
 * read, a plan larger than what the process may use ({@link AvailableMemory}), with one line that names the
 * weight storages that would fit.
 */
public final class MemoryCheck {

    private static final long MAX_SMALL_FILE = 16L << 20;

    private MemoryCheck() {
    }

    /** What a plan needs besides the options: the config, the stored dtype and the tokenizer's size. */
    public record ModelFacts(ModelConfig config, List<TensorInfo> tensors, long tokenizerJsonBytes) {

        /** Reads config.json, the checkpoint headers and the tokenizer's size (no weights). */
        public static ModelFacts read(ModelFiles files) throws IOException {
            ModelConfig config = ModelConfig.parse(files.readString("config.json", MAX_SMALL_FILE), "config.json");
            List<TensorInfo> tensors = new ArrayList<>();
            CheckpointHeaders.read(files).values().forEach(t -> tensors.add(t.info()));
            long tokenizer = 0;
            if (files.isFile(BaylingTokenizer.FILE)) {
                try (var s = files.open(BaylingTokenizer.FILE)) {
                    tokenizer = s.size();
                }
            }
            return new ModelFacts(config, List.copyOf(tensors), tokenizer);
        }

        public MemoryPlan plan(Precision p, MemoryPlan.Workload w, MemoryPlan.Extras extras, boolean cpuKernels) {
            return MemoryPlan.of(config, tensors, p, w, extras, cpuKernels);
        }
    }

    /**
     * Throws {@link InsufficientMemoryException} when {@code plan} does not fit {@code available}; the message
     * suggests the weight storages ({@code replan} makes their plans) that would. {@code where} says whose
     * memory it is, e.g. {@code available} or {@code per executor (spark.executor.memory 4g + memoryOverhead 1g)}.
     */
    public static void require(MemoryPlan plan, long available, String where, Function<WeightStorage, MemoryPlan> replan) {
        if (available < 0 || plan.peakBytes() <= available) {
            return;
        }
        throw new InsufficientMemoryException(refusal(plan, available, where, replan), plan);
    }

    /** The one-line refusal. */
    public static String refusal(MemoryPlan plan, long available, String where, Function<WeightStorage, MemoryPlan> replan) {
        StringBuilder b = new StringBuilder(plan.needs());
        b.append(String.format(Locale.ROOT, "; ~%.0f GB %s", Math.floor(MemoryPlan.gb(available)), where));
        List<String> fits = new ArrayList<>();
        MemoryPlan smallest = null;
        for (WeightStorage s : MemoryPlan.alternatives(plan.precision())) {
            MemoryPlan alt = replan.apply(s);
            if (smallest == null || alt.peakBytes() < smallest.peakBytes()) {
                smallest = alt;
            }
            if (alt.peakBytes() <= available) {
                fits.add(String.format(Locale.ROOT, "--weights %s (~%.1f GB)", s.label(), MemoryPlan.gb(alt.peakBytes())));
            }
        }
        if (!fits.isEmpty()) {
            b.append("; use ").append(String.join(" or ", fits));
        } else if (smallest != null) {
            b.append(String.format(Locale.ROOT, "; even --weights %s needs ~%.1f GB: use a machine or executor with more memory",
                    smallest.precision().weights().label(), MemoryPlan.gb(smallest.peakBytes())));
        }
        return b.toString();
    }

    /** The plan with another weight storage (same compute dtype, workload and fixed parts). */
    public static Function<WeightStorage, MemoryPlan> replanner(ModelFacts facts, MemoryPlan plan, boolean cpuKernels) {
        return s -> facts.plan(new Precision(plan.precision().compute(), s), plan.workload(), plan.extras(), cpuKernels);
    }

    /** The model's generation defaults ({@code generation_config.json}), for planning a command's batch. */
    public static org.bayling.generate.GenerationConfig generationDefaults(java.nio.file.Path dir, ModelConfig config)
            throws IOException {
        return GenerationDefaults.load(dir, config);
    }

    /**
     * The plan of a local model for a plain command ({@code generate}, {@code bench}) on the CPU, checked against
     * {@link AvailableMemory#detect()}.
     */
    public static MemoryPlan checkCommand(ModelFacts facts, Precision precision, MemoryPlan.Workload workload) {
        MemoryPlan plan = facts.plan(precision, workload, MemoryPlan.Extras.command(facts.tokenizerJsonBytes()), true);
        AvailableMemory available = AvailableMemory.detect();
        require(plan, available.bytes(), "available", replanner(facts, plan, true));
        return plan;
    }
}
