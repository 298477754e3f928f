package org.bayling.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a decode step's time goes, from JDK Flight Recorder's samples of the benchmark thread: a sample in
 * native code (a PyTorch call) is charged to the decoder operation whose call it is under, by the project frames
 * on its stack; everything else (Java, DJL bookkeeping, embedding, rotary tables, masks) is "other". Products
 * are split by which weights they stream (attention, MLP, LM head), so with the bytes of each, a share gives
 * the rate the product kernel reads its weights at.
 */
final class StepProfile implements AutoCloseable {

    /** Operation classes, in report order. */
    static final List<String> PARTS = List.of("products_attention", "products_mlp", "product_lm_head",
            "attention_core", "rms_norm", "swiglu", "log_sum_exp", "other");

    private final Recording recording;
    private final long threadId;
    /** Windows [start, end) whose samples count (the decode steps, not the prompts before them). */
    private final List<Instant[]> windows = new ArrayList<>();

    private StepProfile(Recording recording, long threadId) {
        this.recording = recording;
        this.threadId = threadId;
    }

    /** Starts sampling this thread (JFR samples every thread; the others are dropped when read). */
    static StepProfile start() {
        Recording r = new Recording();
        r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        r.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(10));
        r.setToDisk(true);
        r.start();
        return new StepProfile(r, Thread.currentThread().getId());
    }

    /** Samples from now on count, until {@link #pause()}. */
    void resume() {
        windows.add(new Instant[] {Instant.now(), null});
    }

    void pause() {
        windows.get(windows.size() - 1)[1] = Instant.now();
    }

    private boolean counted(Instant t) {
        for (Instant[] w : windows) {
            if (!t.isBefore(w[0]) && w[1] != null && t.isBefore(w[1])) {
                return true;
            }
        }
        return false;
    }

    /**
     * Stops and reports each part's share of the samples (percent), and the weight-read rate of each product
     * part given its weight bytes and the measured step time.
     */
    Map<String, Object> stop(double msPerStep, Map<String, Long> weightBytes) throws IOException {
        recording.stop();
        Path file = Files.createTempFile("bayling-step", ".jfr");
        try {
            recording.dump(file);
            Map<String, Integer> counts = new LinkedHashMap<>();
            PARTS.forEach(p -> counts.put(p, 0));
            int total = 0;
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                var sampled = e.getThread("sampledThread");
                if (sampled == null || sampled.getJavaThreadId() != threadId || e.getStackTrace() == null
                        || !counted(e.getStartTime())) {
                    continue;
                }
                boolean inNative = e.getEventType().getName().equals("jdk.NativeMethodSample");
                List<Frame> frames = e.getStackTrace().getFrames().stream()
                        .map(f -> new Frame(f.getMethod().getType().getName(), f.getMethod().getName())).toList();
                counts.merge(inNative ? part(frames) : "other", 1, Integer::sum);
                total++;
            }
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("samples", total);
            Map<String, Object> shares = new LinkedHashMap<>();
            Map<String, Object> rates = new LinkedHashMap<>();
            for (String p : PARTS) {
                double share = total == 0 ? 0 : (double) counts.get(p) / total;
                shares.put(p, DecoderBenchmark.round(100 * share));
                Long bytes = weightBytes.get(p);
                if (bytes != null && share > 0) {
                    rates.put(p, DecoderBenchmark.round(bytes / (share * msPerStep * 1e-3) / 1e9));
                }
            }
            report.put("share_pct", shares);
            report.put("weights_read_gb_per_s", rates);
            return report;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A stack frame: the class and method names. */
    record Frame(String type, String method) {
    }

    /**
     * The part a sample taken in native code belongs to, from its stack (innermost frame first): the decoder
     * operation whose PyTorch call it is in (the first {@code TorchOps} method), and for products the model
     * method that asked for them; anything else (DJL's own calls, embedding, rotary tables, masks) is "other".
     */
    static String part(List<Frame> frames) {
        String op = null;
        for (Frame f : frames) {
            String type = f.type();
            String method = f.method();
            if (op == null && type.equals("org.bayling.model.TorchOps") && !method.equals("run") && !method.equals("call")) {
                op = method;
            } else if (op != null && type.equals("org.bayling.model.LlamaModel")) {
                return switch (op) {
                    case "attend" -> "attention_core";
                    case "rmsNorm" -> "rms_norm";
                    case "swiglu" -> "swiglu";
                    case "logitsWithLogSumExp" -> "log_sum_exp";
                    default -> switch (method) { // a product
                        case "attention" -> "products_attention";
                        case "mlp" -> "products_mlp";
                        case "logits", "logitsAndLogSumExp" -> "product_lm_head";
                        default -> "other";
                    };
                };
            }
        }
        return "other";
    }

    @Override
    public void close() {
        recording.close();
    }
}
