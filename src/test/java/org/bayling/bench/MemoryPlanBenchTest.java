package org.bayling.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bayling.model.JvmHeap;
import org.bayling.model.MemoryPlan;
import org.bayling.model.ModelConfig;
import org.bayling.model.Precision;
import org.junit.jupiter.api.Test;

/**
 * The memory plan against the peak resident sizes the decoder benchmark measured (issue 16: within 15 %). Each
 * committed {@code bench-results/decoder-SHAPE-DTYPE-WEIGHTS.json} is real output of {@code jobs/bench-decoder.sh};
 * the plan is computed here as {@code bench} computes it before loading (the shape's config.json and tensor table,
 * the precision, the largest batch with its prompt and new tokens, the tokenizer, the JVM heap flags the run
 * recorded) and compared with the run's overall peak: the largest of the load's and every batch's. Nothing is
 * loaded; no figure of the plan is copied from the results.
 */
class MemoryPlanBenchTest {

    static final Path RESULTS = Path.of("bench-results");
    /** The tokenizer the random bench checkpoints copy (the LLaMA tokenizer, the same file as the tiny model's). */
    static final Path TOKENIZER = Path.of("models/tiny-bayling/tokenizer.json");
    static final Pattern NAME = Pattern.compile("decoder-([0-9a-z.]+)-([a-z0-9]+)-([a-z0-9]+)\\.json");
    static final double TOLERANCE = 0.15;
    /** A plan below the measured peak lets a model that does not fit through: it may undershoot by this much only. */
    static final double UNDERSHOOT = 0.05;

    /** One comparison: the run, its planned and measured peaks. */
    record Row(String shape, String dtype, String weights, MemoryPlan.Workload workload, int newTokens,
               List<String> heapOptions, double plannedMb, double measuredMb, String measuredAt) {

        double error() {
            return (plannedMb - measuredMb) / measuredMb;
        }

        String line() {
            return String.format(Locale.ROOT, "| %s | %s / %s | %d x (%d + %d), %d cache slots | %s | %,.0f | %,.0f (%s) | %+.1f %% |",
                    shape, dtype, weights, workload.rows(), workload.promptTokens(), newTokens, workload.cacheTokens(),
                    String.join(" ", heapOptions), plannedMb, measuredMb, measuredAt, 100 * error());
        }
    }

    static List<Row> rows() throws IOException {
        long tokenizer = Files.size(TOKENIZER);
        long defaultInitialHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit();
        List<Row> rows = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(RESULTS)) {
            files = s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
        for (Path f : files) {
            Matcher m = NAME.matcher(f.getFileName().toString());
            assertTrue(m.matches());
            JsonObject report;
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                report = JsonParser.parseReader(r).getAsJsonObject();
            }
            JsonObject d = report.getAsJsonObject("decoder");
            String shape = report.get("shape").getAsString();
            String dtype = d.get("dtype").getAsString();
            String weights = d.get("weights").getAsString();
            assertEquals(m.group(1) + "/" + m.group(2) + "/" + m.group(3), shape + "/" + dtype + "/" + weights,
                    f + " is named after what it measured");

            List<Integer> batches = new ArrayList<>();
            int prompt = -1;
            int generated = -1;
            double batchPeak = 0;
            int peakBatch = 0;
            for (JsonElement e : d.getAsJsonArray("runs")) {
                JsonObject run = e.getAsJsonObject();
                batches.add(run.get("batch").getAsInt());
                int p = run.get("prompt_tokens").getAsInt();
                int n = run.get("new_tokens").getAsInt();
                assertTrue(prompt < 0 || (p == prompt && n == generated), f + ": one prompt and token count for all batches");
                prompt = p;
                generated = n;
                if (run.get("peak_rss_mb").getAsDouble() > batchPeak) {
                    batchPeak = run.get("peak_rss_mb").getAsDouble();
                    peakBatch = run.get("batch").getAsInt();
                }
            }
            List<String> heapOptions = new ArrayList<>();
            JsonArray flags = d.getAsJsonArray("jvm_heap_options");
            flags.forEach(e -> heapOptions.add(e.getAsString()));

            RandomCheckpoint.Shape s = RandomCheckpoint.Shape.named(shape);
            ModelConfig config = ModelConfig.parse(RandomCheckpoint.configJson(s), "config.json");
            Precision precision = Precision.resolve(dtype, weights, ai.djl.Device.cpu(), config.torchDtype());
            MemoryPlan.Workload w = DecoderBenchmark.workload(batches, prompt, generated);
            MemoryPlan plan = MemoryPlan.of(config, RandomCheckpoint.tensors(s), precision, w,
                    MemoryPlan.Extras.command(tokenizer, JvmHeap.of(heapOptions, defaultInitialHeap)), true);

            double measured = d.get("peak_rss_mb").getAsDouble();
            double loadPeak = d.get("peak_rss_load_mb").getAsDouble();
            String at = loadPeak >= batchPeak ? "load" : "batch " + peakBatch;
            rows.add(new Row(shape, dtype, weights, w, generated, heapOptions, plan.peakBytes() / 1048576.0, measured, at));
        }
        return rows;
    }

    @Test
    void thePlanIsWithinFifteenPercentOfEveryMeasuredPeak() throws IOException {
        List<Row> rows = rows();
        StringBuilder table = new StringBuilder(
                "| shape | dtype / weights | rows x (prompt + new tokens) | heap flags | planned MB | measured peak MB (at) | error |\n");
        List<String> outside = new ArrayList<>();
        List<String> under = new ArrayList<>();
        for (Row r : rows) {
            table.append(r.line()).append('\n');
            if (Math.abs(r.error()) > TOLERANCE) {
                outside.add(r.shape() + " " + r.dtype() + "/" + r.weights());
            }
            if (r.error() < -UNDERSHOOT) {
                under.add(r.shape() + " " + r.dtype() + "/" + r.weights());
            }
        }
        System.out.print(table);
        // every shape the issue names, with the storages committed for it
        for (String shape : List.of("134m", "1b", "7b", "13b")) {
            assertTrue(rows.stream().anyMatch(r -> r.shape().equals(shape)), "no committed bench result for " + shape);
        }
        assertTrue(rows.size() >= 14, "expected the 14 committed decoder results, found " + rows.size());
        assertTrue(outside.isEmpty(), "plan more than 15 % off the measured peak: " + outside + "\n" + table);
        assertTrue(under.isEmpty(), "plan more than 5 % below the measured peak: " + under + "\n" + table);
    }

    @Test
    void theHeapFlagsGiveTheYoungGeneration() {
        assertEquals(32L << 20, JvmHeap.of(List.of("-Xmx2g", "-Xmn32m"), 1L << 30).youngBytes());
        assertEquals(64L << 20, JvmHeap.of(List.of("-XX:MaxNewSize=64m"), 1L << 30).youngBytes());
        // no young generation set: G1's ceiling of 60 % of the initial heap
        assertEquals((long) (0.6 * (384L << 20)), JvmHeap.of(List.of("-Xmx8g"), 384L << 20).youngBytes());
        assertEquals((long) (0.6 * (1L << 30)), JvmHeap.of(List.of("-Xms1g", "-Xmx8g"), 384L << 20).youngBytes());
    }
}
