package org.bayling.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.bayling.model.AvailableMemory;
import org.bayling.model.BaylingModel;
import org.bayling.model.LlamaModel;
import org.bayling.model.LlamaSession;
import org.bayling.model.MemoryPlan;
import org.bayling.model.Precision;

/**
 * Measures the decoder in one precision: load (seconds, peak Java heap above the baseline, device
 * bytes of the weights), then for each batch size a prefill of random prompts and greedy decode
 * steps, reporting tokens/s, milliseconds and minor page faults per step; peak RSS at the end. One
 * configuration per process: the peak resident size is the process's.
 */
public final class DecoderBenchmark {

    private DecoderBenchmark() {
    }

    public static Map<String, Object> run(Path modelDir, Precision precision, List<Integer> batches, int promptLen,
                                          int newTokens, int repeats) throws Exception {
        return run(modelDir, precision, batches, promptLen, newTokens, repeats, false);
    }

    /**
     * As {@link #run(Path, Precision, List, int, int, int)}; with {@code profile}, each batch size also decodes for
     * {@value #PROFILE_SECONDS} s under JDK Flight Recorder and reports where a step's time goes ({@link StepProfile}).
     */
    public static Map<String, Object> run(Path modelDir, Precision precision, List<Integer> batches, int promptLen,
                                          int newTokens, int repeats, boolean profile) throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long baseline = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(baseline);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        long t0 = System.nanoTime();
        BaylingModel model = BaylingModel.load(modelDir, ai.djl.Device.cpu(), precision);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        sampler.interrupt();
        sampler.join();
        try (model) {
            var c = model.config();
            long largest = Math.max((long) c.vocabSize() * c.hiddenSize(), (long) c.intermediateSize() * c.hiddenSize());
            long largestBytes = largest * 2; // stored as float16
            report.put("model", Map.of("hidden", c.hiddenSize(), "layers", c.numLayers(), "heads", c.numHeads(),
                    "intermediate", c.intermediateSize(), "vocab", c.vocabSize()));
            report.put("dtype", Precision.label(precision.compute()));
            report.put("weights", precision.weights().label());
            report.put("weight_mb", round(model.decoder().weightBytes() / 1048576.0));
            report.put("load_seconds", round(loadSeconds));
            report.put("rss_after_load_mb", round(AvailableMemory.rssBytes() / 1048576.0));
            long peakKb = peakRssKb(); // the load's; each batch size's peak is taken after a reset, the overall is the largest
            report.put("peak_rss_load_mb", round(peakKb / 1024.0));
            report.put("peak_heap_during_load_mb", round((peak.get() - baseline) / 1048576.0));
            report.put("largest_tensor_mb", round(largestBytes / 1048576.0));
            report.put("peak_heap_over_largest_tensor", round((double) (peak.get() - baseline) / largestBytes));
            report.put("torch_threads", org.bayling.model.PyTorchRuntime.threads());
            report.put("cores", Runtime.getRuntime().availableProcessors());
            // Heap flags shape peak RSS and first-touch page faults (the young generation's pages), so they are part of the figure.
            report.put("jvm_heap_options", ManagementFactory.getRuntimeMXBean().getInputArguments()
                    .stream().filter(a -> a.startsWith("-Xm") || a.startsWith("-XX:MaxNewSize")).toList());
            List<Map<String, Object>> runs = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(7);
            for (int batch : batches) {
                boolean perRunPeak = resetPeakRss();
                double bestPrefill = Double.MAX_VALUE;
                double bestDecode = Double.MAX_VALUE;
                long decodeFaults = Long.MAX_VALUE;
                for (int r = 0; r < repeats + 1; r++) { // the first round warms up, unless it is the only one
                    int[][] prompts = randomPrompts(batch, promptLen, c.vocabSize(), random);
                    try (LlamaSession s = model.decoder().newSession(batch)) {
                        long a = System.nanoTime();
                        float[][] logits = s.append(prompts).values();
                        long b = System.nanoTime();
                        long faults = minorFaults();
                        decodeGreedy(s, logits, newTokens);
                        long e = System.nanoTime();
                        faults = minorFaults() - faults;
                        if (r > 0 || repeats == 0) {
                            bestPrefill = Math.min(bestPrefill, (b - a) / 1e9);
                            bestDecode = Math.min(bestDecode, (e - b) / 1e9);
                            decodeFaults = Math.min(decodeFaults, faults);
                        }
                    }
                }
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("batch", batch);
                run.put("prompt_tokens", promptLen);
                run.put("new_tokens", newTokens);
                run.put("prefill_tokens_per_s", round(batch * promptLen / bestPrefill));
                run.put("decode_tokens_per_s", round(batch * newTokens / bestDecode));
                run.put("decode_ms_per_step", round(bestDecode * 1000 / newTokens));
                run.put("page_faults_per_decode_step", round((double) decodeFaults / newTokens));
                if (perRunPeak) {
                    run.put("peak_rss_mb", round(peakRssKb() / 1024.0));
                }
                peakKb = Math.max(peakKb, peakRssKb());
                if (profile) {
                    run.put("step_profile", profileDecode(model, batch, promptLen, newTokens, random));
                }
                runs.add(run);
            }
            report.put("runs", runs);
            report.put("peak_rss_mb", round(peakKb / 1024.0));
            report.put("peak_rss_over_weights", round(peakKb * 1024.0 / model.decoder().weightBytes()));
        }
        return report;
    }

    /** Seconds of profiled decoding per batch size: ~300 samples at JFR's 10 ms period. */
    static final int PROFILE_SECONDS = 3;

    /**
     * Decodes sessions like the timed ones (same prompt length and steps) for {@value #PROFILE_SECONDS} s under
     * {@link StepProfile}; reports the profiled ms per step, each part's share and the products' weight-read rates.
     */
    private static Map<String, Object> profileDecode(BaylingModel model, int batch, int promptLen, int newTokens,
                                                     SplittableRandom random) throws Exception {
        var c = model.config();
        long steps = 0;
        long decodeNanos = 0;
        double memoryRead = memoryReadGbPerS(); // right before: the machine's memory speed drifts from hour to hour
        StepProfile profile = StepProfile.start();
        try (profile) {
            long end = System.nanoTime() + PROFILE_SECONDS * 1_000_000_000L;
            while (System.nanoTime() < end) {
                int[][] prompts = randomPrompts(batch, promptLen, c.vocabSize(), random);
                try (LlamaSession s = model.decoder().newSession(batch)) {
                    float[][] logits = s.append(prompts).values();
                    profile.resume();
                    long start = System.nanoTime();
                    decodeGreedy(s, logits, newTokens);
                    decodeNanos += System.nanoTime() - start;
                    profile.pause();
                    steps += newTokens;
                }
            }
            double msPerStep = decodeNanos / 1e6 / Math.max(1, steps);
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("mean_ms_per_step", round(msPerStep)); // a mean over the profiled seconds, not the best run
            report.putAll(profile.stop(msPerStep, weightBytesByPart(model)));
            report.put("memory_read_gb_per_s", round(memoryRead));
            return report;
        }
    }

    /**
     * What this machine's memory delivers to PyTorch: the best of eight maxima over 256 MB of float32 (a vectorized
     * read on all intra-op threads; measured as fast as a hand-written AVX-512 loop in C, where {@code sum}'s
     * cascade is ~10% slower), the yardstick for the products' weight-read rates.
     */
    static double memoryReadGbPerS() {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            ai.djl.ndarray.NDArray data = m.ones(new ai.djl.ndarray.types.Shape(64L << 20));
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 8; i++) {
                long t = System.nanoTime();
                data.max().close();
                best = Math.min(best, System.nanoTime() - t);
            }
            return data.getShape().size() * 4.0 / best;
        }
    }

    /** Bytes of weights each product part of a step reads (StepProfile's part names), as the model holds them. */
    static Map<String, Long> weightBytesByPart(BaylingModel model) {
        LlamaModel.ProductBytes bytes = model.decoder().productBytes();
        return Map.of("products_attention", bytes.attention(), "products_mlp", bytes.mlp(),
                "product_lm_head", bytes.lmHead());
    }

    /**
     * The batch a decoder benchmark's memory is planned for: its largest batch, each row a prompt of
     * {@code promptTokens} and a cache grown as the decoder's {@code KvCache} grows it to prompt + new tokens.
     */
    public static MemoryPlan.Workload workload(List<Integer> batches, int promptTokens, int newTokens) {
        int rows = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
        int prompt = Math.max(1, promptTokens);
        return new MemoryPlan.Workload(Math.max(1, rows), prompt,
                MemoryPlan.cacheCapacity(prompt, prompt + Math.max(0, newTokens)), 1);
    }

    /** Prompts of random tokens after BOS (ids from 3 on: never BOS, EOS or UNK). */
    private static int[][] randomPrompts(int batch, int promptLen, int vocab, SplittableRandom random) {
        int[][] prompts = new int[batch][promptLen];
        for (int[] p : prompts) {
            p[0] = 1;
            for (int i = 1; i < promptLen; i++) {
                p[i] = 3 + random.nextInt(vocab - 3);
            }
        }
        return prompts;
    }

    /** {@code steps} greedy steps of every row from {@code logits}, the logits after each row's prompt. */
    private static void decodeGreedy(LlamaSession session, float[][] logits, int steps) {
        for (int step = 0; step < steps; step++) {
            int[][] next = new int[logits.length][1];
            for (int row = 0; row < logits.length; row++) {
                next[row][0] = argmax(logits[row]);
            }
            logits = session.append(next).values();
        }
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Resets VmHWM to the current RSS (Linux: "5" into /proc/self/clear_refs), so each batch size gets
     * its own peak beside the load's; false where that is not possible.
     */
    static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** This process's peak resident size so far, in KiB; -1 where unknown. */
    static long peakRssKb() {
        long bytes = AvailableMemory.peakRssBytes();
        return bytes < 0 ? -1 : bytes / 1024;
    }

    /** Minor page faults of this process so far (field 10 of /proc/self/stat); 0 elsewhere. */
    static long minorFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // after "pid (comm) "
            return Long.parseLong(f[7]); // fields from 3 on: state ppid pgrp session tty tpgid flags minflt
        } catch (Exception e) {
            return 0;
        }
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
