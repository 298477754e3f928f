package org.bayling.cli;

import com.google.gson.GsonBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bayling.bench.DecoderBenchmark;
import org.bayling.bench.FacesBenchmark;
import org.bayling.bench.JobBenchmark;
import org.bayling.generate.GenerationConfig;
import org.bayling.model.MemoryCheck;
import org.bayling.model.MemoryPlan;
import org.bayling.model.ModelCheck;
import org.bayling.model.ModelConfig;
import org.bayling.model.ModelUnreadableException;
import org.bayling.model.Precision;
import org.bayling.model.checkpoint.ModelFiles;
import org.bayling.bench.PrefixReuseBenchmark;
import org.bayling.bench.RandomCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bayling bench}: decoder throughput on a random ~100M-parameter LLaMA built at run time (or a
 * given model), per-step overhead on a tiny model, and prefill tokens saved by prefix reuse.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: decoder throughput (prefill/decode tokens/s at several batch sizes), memory while loading, prefix reuse.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--model", description = "Model directory to measure (default: a random model of --shape built at run time).")
    Path model;

    @Option(names = "--shape", defaultValue = "134m", description = "Shape of the random model: 134m (bench shape), 1b"
            + " (hidden 2048, 22 layers, GQA 32/4), 7b (BayLing-7B) or 13b (BayLing-13B). Default: ${DEFAULT-VALUE}.")
    String shape;

    @Option(names = "--checkpoint-cache", description = "Keep random checkpoints here and reuse them across runs"
            + " (default: a temporary directory, removed afterwards). A 7b checkpoint is 13.5 GB of float16.")
    Path checkpointCache;

    @Mixin
    PrecisionOptions precision = new PrecisionOptions();

    @Option(names = "--tokenizer-from", defaultValue = "../shared/fixtures/tiny-llama2",
            description = "Where the random model takes its tokenizer from.")
    Path tokenizerFrom;

    @Option(names = "--batches", split = ",", defaultValue = "1,8,32")
    List<Integer> batches;

    @Option(names = "--prompt-tokens", defaultValue = "32")
    int promptTokens;

    @Option(names = "--new-tokens", defaultValue = "32")
    int newTokens;

    @Option(names = "--repeats", defaultValue = "2")
    int repeats;

    @Option(names = "--overhead-model", description = "Tiny model for the per-step overhead figure (default: none).")
    Path overheadModel;

    @Option(names = "--prefix-corpus", description = "Text file (one segment per line) for the prefix-reuse figure.")
    Path prefixCorpus;

    @Option(names = "--prefix-model", description = "Model for the prefix-reuse figure.")
    Path prefixModel;

    @Option(names = "--prefix-rows", defaultValue = "1000")
    int prefixRows;

    @Option(names = "--job-corpus", description = "Text file for the Spark-job-versus-bare-predictor figure.")
    Path jobCorpus;

    @Option(names = "--job-model",
            description = "Model for the job-versus-predictor figure (both sides in --dtype and --weights).")
    Path jobModel;

    @Option(names = "--job-rows", defaultValue = "1000")
    int jobRows;

    @Option(names = "--job-master", defaultValue = "local[*]")
    String jobMaster;

    @Option(names = "--faces-corpus", description = "Text file for the job-versus-Transformer-versus-SQL and documents figures.")
    Path facesCorpus;

    @Option(names = "--faces-model", description = "Model for the faces and documents figures.")
    Path facesModel;

    @Option(names = "--faces-rows", defaultValue = "1000")
    int facesRows;

    @Option(names = "--document-words", defaultValue = "20000",
            description = "Words of the document corpus (rows of 200 to 5,000 words) for the documents figure.")
    int documentWords;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch intra-op threads (0 = one per core).")
    int threads;

    @Option(names = "--profile", description = "Also decode for a few seconds per batch size under JDK Flight Recorder"
            + " and report where a step's time goes (products by weights read, attention, norms, other) and the rate"
            + " each product reads its weights at.")
    boolean profile;

    @Option(names = "--skip-decoder", description = "Skip the decoder throughput figures.")
    boolean skipDecoder;

    @Mixin
    GenerationOptions generation = new GenerationOptions();

    @Option(names = "--output", description = "Also write the JSON report here.")
    Path output;

    /**
     * The decoder figure's memory plan (the largest batch, prompt and new tokens), checked against what this
     * process may use; for a random shape planned from the shape, before its checkpoint is written.
     */
    MemoryPlan planMemory() throws java.io.IOException {
        MemoryCheck.ModelFacts facts;
        if (model != null) {
            facts = MemoryCheck.ModelFacts.read(ModelFiles.local(model));
        } else {
            RandomCheckpoint.Shape s = RandomCheckpoint.Shape.named(shape);
            Path tokenizer = tokenizerFrom.resolve("tokenizer.json");
            facts = new MemoryCheck.ModelFacts(ModelConfig.parse(RandomCheckpoint.configJson(s), "config.json"),
                    RandomCheckpoint.tensors(s), Files.isRegularFile(tokenizer) ? Files.size(tokenizer) : 0);
        }
        Precision p = Precision.resolve(precision.dtype, precision.weights, ai.djl.Device.cpu(),
                facts.config().torchDtype());
        MemoryPlan.Workload w = org.bayling.bench.DecoderBenchmark.workload(batches, promptTokens, newTokens);
        return MemoryCheck.checkCommand(facts, p, w);
    }

    @Override
    public Integer call() throws Exception {
        try {
            for (Path m : java.util.Arrays.asList(model, overheadModel, prefixModel, jobModel)) {
                if (m != null) {
                    ModelCheck.check(ModelFiles.local(m)); // headers only: a broken model ends here, with one line
                }
            }
        } catch (ModelUnreadableException e) {
            return CommandFailure.report("bench", e, System.err, false);
        }
        MemoryPlan plan = null;
        if (!skipDecoder) {
            try { // before a random checkpoint is written or any weight read: what cannot fit ends here, with one line
                plan = planMemory();
            } catch (IllegalArgumentException e) {
                return CommandFailure.report("bench", e, System.err, false);
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        org.bayling.model.PyTorchRuntime.setThreads(threads);
        Path dir = model;
        Path temp = null;
        if (dir == null && !skipDecoder) {
            RandomCheckpoint.Shape s = RandomCheckpoint.Shape.named(shape);
            Path root = checkpointCache != null ? checkpointCache : (temp = Files.createTempDirectory("bayling-bench"));
            dir = root.resolve("random-" + s.name());
            long t0 = System.nanoTime();
            RandomCheckpoint.write(dir, s, tokenizerFrom, 42);
            report.put("shape", s.name());
            report.put("parameters", s.parameters());
            report.put("checkpoint_write_seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
        }
        try {
            if (!skipDecoder) {
                Precision p = Precision.resolve(precision.dtype, precision.weights, ai.djl.Device.cpu(),
                        org.bayling.model.ModelConfig.load(dir).torchDtype());
                Map<String, Object> decoder = DecoderBenchmark.run(dir, p, batches, promptTokens, newTokens, repeats,
                        profile);
                report.put("decoder", decoder);
                if (plan != null) {
                    Map<String, Object> memory = new LinkedHashMap<>(plan.toMap());
                    Object measured = decoder.get("peak_rss_mb");
                    memory.put("measured_peak_rss_mb", measured);
                    if (measured instanceof Number m && m.doubleValue() > 0) {
                        double planned = ((Number) memory.get("peak_mb")).doubleValue();
                        memory.put("plan_error_pct", Math.round((planned / m.doubleValue() - 1) * 1000) / 10.0);
                    }
                    report.put("memory_plan", memory);
                }
            }
            if (overheadModel != null) {
                report.put("tiny_overhead", DecoderBenchmark.run(overheadModel, Precision.F32, List.of(1, 8), promptTokens,
                        64, repeats));
            }
            if (jobCorpus != null && jobModel != null) {
                GenerationConfig gen = generation.applyTo(GenerationConfig.builder().numBeams(1).maxNewTokens(32).build());
                report.put("job_vs_predictor", JobBenchmark.run(jobModel, jobCorpus, jobRows, gen, jobMaster,
                        precision.dtype, precision.weights));
            }
            if (facesCorpus != null && facesModel != null) {
                GenerationConfig gen = generation.applyTo(GenerationConfig.builder().numBeams(1).maxNewTokens(32).build());
                report.put("faces", FacesBenchmark.run(facesModel, facesCorpus, facesRows, documentWords, gen, jobMaster));
            }
            if (prefixCorpus != null && prefixModel != null) {
                report.put("prefix_reuse", PrefixReuseBenchmark.run(prefixModel, prefixCorpus, prefixRows));
            }
        } finally {
            if (temp != null) {
                try (var s = Files.walk(temp)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(report);
        System.out.println(json);
        if (output != null) {
            Files.writeString(output, json);
        }
        return 0;
    }
}
