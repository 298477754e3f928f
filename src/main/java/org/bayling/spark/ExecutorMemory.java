package org.bayling.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.bayling.generate.GenerationConfig;
import org.bayling.model.AvailableMemory;
import org.bayling.model.JvmHeap;
import org.bayling.model.MemoryCheck;
import org.bayling.model.MemoryPlan;
import org.bayling.model.ModelUnreadableException;
import org.bayling.model.Precision;
import org.bayling.model.WeightStorage;

/**
 * The memory plan of one executor of a translation job, checked on the driver before any task (and before any
 * weight is read) against what an executor may use: in local mode the host's memory ({@link AvailableMemory}),
 * on a cluster {@code spark.executor.memory} + {@code spark.executor.memoryOverhead} (+ off-heap). PyTorch's
 * memory lives outside the JVM heap, so the overhead must cover the plan's native part: when it is not set the
 * job sets it (before the Spark session starts), when it is set too low the job says so. When the KV cache of
 * the token budget would not fit, the budget shrinks (and the log says so); what does not fit even then is
 * refused with one line naming the weight storages that would fit.
 */
public final class ExecutorMemory {

    /**
     * Heap Spark itself holds in a local-mode job beside the decoder (driver and executor in one JVM), measured
     * as the peak resident size of {@code translate} on the shipped sample with the tiny model, minus the runtime,
     * Lingua, tokenizer and weights of the plan.
     */
    public static final long SPARK_LOCAL_HEAP = 700L << 20;
    /** Heap of a Spark executor's own work (shuffle, rows, broadcast blocks) beside the decoder on a cluster. */
    public static final long SPARK_EXECUTOR_HEAP = 512L << 20;
    /** Smallest token budget the job shrinks to. */
    public static final int MIN_BATCH_TOKENS = 256;
    /** Prompt tokens a planned row holds: BayLing's template and a short sentence. */
    static final int PLANNED_PROMPT_TOKENS = 64;

    private static final long MB = 1L << 20;

    private ExecutorMemory() {
    }

    /**
     * The outcome: the plan (at the token budget that fits), the settings to run with (the budget perhaps
     * shrunk), lines to log, and Spark settings to set before the session starts (cluster masters only, when
     * not set by the user).
     */
    public record Result(MemoryPlan plan, TranslationSettings settings, List<String> notes, Map<String, String> sparkConf,
                         long available, String availableFrom) implements Serializable {

        /** The plan and what it was checked against, for {@code _summary.json}. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>(plan.toMap());
            m.put("max_batch_tokens", settings.maxBatchTokens());
            m.put("available_mb", available < 0 ? null : Math.round(available / 1048576.0 * 10) / 10.0);
            m.put("available_from", availableFrom);
            m.put("notes", notes);
            return m;
        }
    }

    /** What one executor may use, and where that figure comes from. */
    record Limit(long bytes, String from, boolean local, long overhead, boolean overheadSet, long heap) {
    }

    /** Plans and checks the model at {@code settings.model()} (headers only, through Hadoop). */
    public static Result check(SparkConf conf, Configuration hadoop, TranslationSettings settings) {
        MemoryCheck.ModelFacts facts;
        try {
            facts = MemoryCheck.ModelFacts.read(HadoopModelFiles.of(settings.model(), hadoop));
        } catch (IOException e) {
            throw new ModelUnreadableException(settings.model(), null, "unreadable: " + e.getMessage(), e);
        }
        return check(conf, facts, settings, AvailableMemory.detect());
    }

    /** As {@link #check(SparkConf, Configuration, TranslationSettings)} with the model's facts and the host's memory given. */
    static Result check(SparkConf conf, MemoryCheck.ModelFacts facts, TranslationSettings settings, AvailableMemory host) {
        String master = conf.get("spark.master", "local[*]");
        boolean local = master.startsWith("local[") || master.equals("local");
        int concurrent = concurrentTasks(conf, master, local);
        Precision precision = Precision.resolve(settings.dtype(), settings.weights(), deviceHint(settings),
                facts.config().torchDtype());
        long spark = local ? SPARK_LOCAL_HEAP : SPARK_EXECUTOR_HEAP;
        // The executor's JVM heap (young generation included) is the framework heap below, not the runtime's.
        MemoryPlan.Extras extras = MemoryPlan.Extras.command(facts.tokenizerJsonBytes(), JvmHeap.NONE)
                .withQuality(settings.quality() ? MemoryPlan.LINGUA_BYTES : 0).withJvmHeap(spark);
        Function<Integer, MemoryPlan> atBudget = budget -> facts.plan(precision,
                workload(settings.generation(), budget, facts.config().maxPositions(), concurrent), extras, true);
        Limit limit = limit(conf, local, host);
        List<String> notes = new ArrayList<>();
        Map<String, String> set = new LinkedHashMap<>();

        int budget = settings.maxBatchTokens();
        MemoryPlan plan = atBudget.apply(budget);
        if (limit.bytes() >= 0 && plan.peakBytes() > limit.bytes()) {
            int smaller = budget;
            MemoryPlan p = plan;
            while (p.peakBytes() > limit.bytes() && smaller > MIN_BATCH_TOKENS) {
                smaller = Math.max(MIN_BATCH_TOKENS, smaller / 2);
                p = atBudget.apply(smaller);
            }
            if (p.peakBytes() > limit.bytes()) {
                MemoryPlan.Workload smallest = p.workload();
                Function<WeightStorage, MemoryPlan> replan = s -> facts.plan(new Precision(precision.compute(), s),
                        smallest, extras, true);
                MemoryCheck.require(p, limit.bytes(), limit.from(), replan); // throws
            }
            notes.add(String.format(Locale.ROOT, "token budget shrunk from %d to %d tokens per batch: the KV cache for %d"
                    + " would need %.1f GB, %.1f GB in all, over the ~%.1f GB %s", budget, smaller, budget,
                    MemoryPlan.gb(plan.kvCache()), MemoryPlan.gb(plan.peakBytes()), MemoryPlan.gb(limit.bytes()), limit.from()));
            plan = p;
            budget = smaller;
        }
        if (!limit.local()) {
            long nativeNeed = roundUpMb(plan.nativeBytes());
            if (!limit.overheadSet()) {
                set.put("spark.executor.memoryOverhead", nativeNeed / MB + "m");
                notes.add("spark.executor.memoryOverhead set to " + nativeNeed / MB + "m: the model's native memory"
                        + " (PyTorch weights, KV cache, activations) lives outside the executor's JVM heap");
            } else if (limit.overhead() < plan.nativeBytes()) {
                notes.add(String.format(Locale.ROOT, "warning: spark.executor.memoryOverhead is %dm but the model needs"
                        + " ~%dm outside the JVM heap (weights, KV cache, activations): executors may be killed for"
                        + " exceeding it; use --conf spark.executor.memoryOverhead=%dm", limit.overhead() / MB,
                        nativeNeed / MB, nativeNeed / MB));
            }
            if (limit.heap() < plan.heapBytes()) {
                notes.add(String.format(Locale.ROOT, "warning: spark.executor.memory is %dm but quality models and Spark"
                        + " need ~%dm of heap; use --conf spark.executor.memory=%dm", limit.heap() / MB,
                        roundUpMb(plan.heapBytes()) / MB, roundUpMb(plan.heapBytes()) / MB));
            }
        }
        TranslationSettings out = budget == settings.maxBatchTokens() ? settings
                : settings.toBuilder().maxBatchTokens(budget).build();
        return new Result(plan, out, List.copyOf(notes), set, limit.bytes(), limit.from());
    }

    /**
     * The batch a budget allows: prompts of {@value #PLANNED_PROMPT_TOKENS} tokens (template and a sentence) filling
     * the budget with all their beams, each row's cache holding its prompt and as many generated tokens (a
     * translation about as long as its prompt), as the cache grows.
     */
    static MemoryPlan.Workload workload(GenerationConfig g, int budget, int context, int concurrent) {
        int beams = Math.max(1, g.numBeams());
        int prompt = Math.max(1, Math.min(PLANNED_PROMPT_TOKENS, budget / beams));
        int rows = Math.max(beams, budget / prompt);
        int generated = Math.min(prompt, Math.max(1, g.maxNewTokens()));
        int cache = Math.min(MemoryPlan.cacheCapacity(prompt, prompt + generated), Math.max(prompt, context));
        return new MemoryPlan.Workload(rows, prompt, Math.max(prompt, cache), concurrent);
    }

    /** Tasks one executor runs at once: local[N] / local[*] cores, else executor cores over task cpus. */
    static int concurrentTasks(SparkConf conf, String master, boolean local) {
        int taskCpus = Math.max(1, conf.getInt("spark.task.cpus", 1));
        int cores;
        if (local) {
            String n = master.equals("local") ? "1" : master.substring("local[".length(), master.indexOf(']'));
            n = n.contains(",") ? n.substring(0, n.indexOf(',')) : n;
            cores = n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n.trim());
        } else {
            cores = conf.getInt("spark.executor.cores", 1);
        }
        return Math.max(1, cores / taskCpus);
    }

    static Limit limit(SparkConf conf, boolean local, AvailableMemory host) {
        if (local) {
            return new Limit(host.bytes(), "available (" + host.source() + ")", true, 0, false, 0);
        }
        long heap = conf.getSizeAsBytes("spark.executor.memory", "1g");
        boolean overheadSet = conf.contains("spark.executor.memoryOverhead");
        double factor = conf.getDouble("spark.executor.memoryOverheadFactor", 0.10);
        long overhead = overheadSet ? conf.getSizeAsBytes("spark.executor.memoryOverhead")
                : Math.max(384 * MB, (long) (heap * factor));
        long offHeap = conf.getBoolean("spark.memory.offHeap.enabled", false)
                ? conf.getSizeAsBytes("spark.memory.offHeap.size", "0") : 0;
        if (!overheadSet) {
            // the job sets the overhead from the plan (before the session starts): only the heap bounds the executor
            return new Limit(-1, "per executor", false, overhead, false, heap);
        }
        String from = String.format(Locale.ROOT, "per executor (spark.executor.memory %dm + memoryOverhead %dm%s)",
                heap / MB, overhead / MB, offHeap > 0 ? " + offHeap " + offHeap / MB + "m" : "");
        // Spark's own off-heap pool is Spark's, not PyTorch's: it adds to the container, not to what the model may use
        return new Limit(heap + overhead, from, false, overhead, true, heap);
    }

    /** The device the executors will most likely use: a GPU when the job asks for one, else the CPU. */
    private static ai.djl.Device deviceHint(TranslationSettings s) {
        return s.device() != null && s.device().startsWith("gpu") ? ai.djl.Device.gpu() : ai.djl.Device.cpu();
    }

    private static long roundUpMb(long bytes) {
        return (bytes + MB - 1) / MB * MB;
    }
}
