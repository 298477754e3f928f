package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.bayling.cli.ExitCodes;
import org.bayling.model.AvailableMemory;
import org.bayling.model.InsufficientMemoryException;
import org.bayling.model.MemoryCheck;
import org.bayling.model.MemoryPlan;
import org.bayling.model.SparseCheckpoint;
import org.bayling.model.checkpoint.ModelFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: BayLing-7B and -13B shaped checkpoints (real tensor tables, sparse data: no disk) are refused in float32
 * by {@code generate}, {@code translate} and {@code plan} within seconds, exit 2, one line naming what would fit;
 * the executor plan sets or checks Spark's memory overhead and shrinks the token budget instead of failing mid-run.
 */
class MemoryRefusalTest {

    /** What the 7B tests say the process may use: decimal, so the line says ~22 GB. */
    private static final String LIMIT_22GB = "22000000000";
    private static final String LINE = "model needs ~\\d+\\.\\d GB in f32 \\(weights %s GB, KV cache \\d+\\.\\d GB\\); ~%s GB %s";

    @TempDir
    Path tmp;

    @AfterEach
    void clearLimit() {
        System.clearProperty(AvailableMemory.PROPERTY);
    }

    private static String oneLine(CliRun r) {
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "exactly one line on stderr\n" + r);
        return lines.get(0);
    }

    @Test
    void generateRefusesBayling7bInFloat32WithinSeconds() throws Exception {
        Path model = SparseCheckpoint.bayling7b(tmp.resolve("bayling-7b"));
        assertTrue(Files.size(model.resolve("model.safetensors")) > 13_000_000_000L, "a 13.5 GB file");
        System.setProperty(AvailableMemory.PROPERTY, LIMIT_22GB);
        long t0 = System.nanoTime();
        CliRun r = CliRun.of("generate", "--model", model.toString(), "--prompt", "Hello", "--device", "cpu",
                "--dtype", "f32", "--weights", "f32", "--max-new-tokens", "256");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(ExitCodes.BAD_CONFIGURATION, r.code(), r.toString());
        assertTrue(seconds < 60, "refused in " + seconds + " s (headers only; minutes if it read the weights)");
        String line = oneLine(r);
        assertTrue(line.matches("generate: " + String.format(Locale.ROOT, LINE, "27\\.0", "22", "available")
                + "; use --weights int8 \\(~\\d\\.\\d GB\\) or --weights f16 \\(~1\\d\\.\\d GB\\)"), line);
        System.out.printf(Locale.ROOT, "7B f32 generate refused in %.1f s: %s%n", seconds, line);
    }

    @Test
    void generateRefusesBayling13bInFloat32OnThisMachine() throws Exception {
        Path model = SparseCheckpoint.bayling13b(tmp.resolve("bayling-13b"));
        long detected = AvailableMemory.detect().bytes();
        if (detected < 0 || detected > 48_000_000_000L) { // a larger machine: as much as the 24 GB type has, twice
            System.setProperty(AvailableMemory.PROPERTY, "48000000000");
        }
        long t0 = System.nanoTime();
        CliRun r = CliRun.of("generate", "--model", model.toString(), "--input-ids", "1,306,626", "--device", "cpu",
                "--dtype", "f32", "--max-new-tokens", "64");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(ExitCodes.BAD_CONFIGURATION, r.code(), r.toString());
        assertTrue(seconds < 60, "refused in " + seconds + " s (headers only; minutes if it read the weights)");
        String line = oneLine(r);
        assertTrue(line.matches("generate: " + String.format(Locale.ROOT, LINE, "52\\.\\d", "\\d+", "available") + "; .*"),
                line);
        System.out.printf(Locale.ROOT, "13B f32 generate refused in %.1f s: %s%n", seconds, line);
    }

    @Test
    void translateAndPlanRefuseBayling7bInFloat32BeforeSparkRunsAnything() throws Exception {
        SparkSession spark = SparkTestSupport.spark();
        Path model = SparseCheckpoint.bayling7b(tmp.resolve("bayling-7b"));
        Path in = SparkTestSupport.write(tmp.resolve("in/a.txt"), "Hello world.\n");
        Path out = tmp.resolve("out");
        System.setProperty(AvailableMemory.PROPERTY, LIMIT_22GB);
        int jobsBefore = spark.sparkContext().statusTracker().getJobIdsForGroup(null).length;
        long t0 = System.nanoTime();
        CliRun r = CliRun.of("translate", "--input", in.toString(), "--format", "text", "--output", out.toString(),
                "--src-lang", "en", "--tgt-lang", "zh", "--model", model.toString(), "--dtype", "f32", "--weights", "f32",
                "--cache-dir", tmp.resolve("cache").toString(), "--progress-interval", "60");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(ExitCodes.BAD_CONFIGURATION, r.code(), r.toString());
        assertTrue(seconds < 60, "refused in " + seconds + " s (headers only; minutes if it read the weights)");
        String line = oneLine(r);
        assertTrue(line.matches("translate: " + String.format(Locale.ROOT, LINE, "27\\.0", "22", "available \\(.*\\)")
                + "; use --weights int8 \\(~\\d+\\.\\d GB\\)( or --weights f16 \\(~\\d+\\.\\d GB\\))?"), line);
        assertFalse(Files.exists(out), "nothing written");
        assertFalse(Files.exists(tmp.resolve("cache")), "nothing copied");
        assertEquals(jobsBefore, spark.sparkContext().statusTracker().getJobIdsForGroup(null).length, "no Spark job ran");

        CliRun plan = CliRun.of("plan", "--model", model.toString(), "--dtype", "f32", "--weights", "f32");
        assertEquals(ExitCodes.BAD_CONFIGURATION, plan.code(), plan.toString());
        assertEquals(line.replaceFirst("^translate: ", "plan: "), oneLine(plan), "plan says what translate says");
        System.out.printf(Locale.ROOT, "7B f32 translate refused in %.1f s: %s%n", seconds, line);
    }

    @Test
    void planPrintsTheTableTranslateWouldUse() throws Exception {
        SparkTestSupport.spark();
        Path model = SparseCheckpoint.bayling7b(tmp.resolve("bayling-7b"));
        System.setProperty(AvailableMemory.PROPERTY, LIMIT_22GB);
        CliRun r = CliRun.of("plan", "--model", model.toString(), "--weights", "int8", "--max-batch-tokens", "1024");
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        MemoryCheck.ModelFacts facts = MemoryCheck.ModelFacts.read(ModelFiles.local(model));
        TranslationSettings s = TranslationSettings.builder().model(model.toString()).weights("int8").maxBatchTokens(1024)
                .build();
        ExecutorMemory.Result expected = ExecutorMemory.check(SparkTestSupport.spark().sparkContext().getConf(), facts, s,
                new AvailableMemory(22_000_000_000L, "test"));
        String out = r.out();
        assertTrue(out.contains("memory plan: f32 with int8 weights, 6.74B parameters, checkpoint f16"), out);
        assertEquals(expected.plan().weights() / 1048576.0, part(out, "weights"), 0.05, out);
        assertEquals(expected.plan().kvCache() / 1048576.0, part(out, "kv_cache"), 0.05, out);
        assertEquals(expected.plan().peakBytes() / 1048576.0, part(out, "peak (resident)"), 0.05, out);
        assertEquals(22_000_000_000L / 1048576.0, part(out, "checked against"), 0.05, out);
        assertTrue(out.contains("max batch tokens: 1024"), out);
        // the embedding and the head stay at 16 bits: more than a byte per parameter
        assertTrue(expected.plan().weights() > expected.plan().parameters(), "int8 keeps embedding and head at 16 bits");
    }

    /** The MB figure of a row of the plan table. */
    private static double part(String table, String name) {
        return table.lines().map(String::trim).filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length()).trim())).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + name + " in\n" + table));
    }

    @Test
    void theTokenBudgetShrinksWhenItsKvCacheWouldNotFit() throws Exception {
        Path model = SparseCheckpoint.bayling7b(tmp.resolve("bayling-7b"));
        MemoryCheck.ModelFacts facts = MemoryCheck.ModelFacts.read(ModelFiles.local(model));
        TranslationSettings s = TranslationSettings.builder().model(model.toString()).weights("f16").build();
        SparkConf local = new SparkConf().setMaster("local[2]");
        ExecutorMemory.Result roomy = ExecutorMemory.check(local, facts, s, new AvailableMemory(200L << 30, "test"));
        assertEquals(8192, roomy.settings().maxBatchTokens());
        assertTrue(roomy.notes().isEmpty(), roomy.notes().toString());
        long limit = 22_000_000_000L;
        assertTrue(roomy.plan().peakBytes() > limit, "8192 tokens of 7B f16 cache do not fit 22 GB: " + roomy.plan().toTable());
        ExecutorMemory.Result tight = ExecutorMemory.check(local, facts, s, new AvailableMemory(limit, "test"));
        int budget = tight.settings().maxBatchTokens();
        assertTrue(budget < 8192 && budget >= ExecutorMemory.MIN_BATCH_TOKENS, "budget " + budget);
        assertTrue(tight.plan().peakBytes() <= limit, tight.plan().toTable());
        assertTrue(tight.notes().get(0).startsWith("token budget shrunk from 8192 to " + budget + " tokens per batch"),
                tight.notes().toString());
        // what does not fit even at the smallest budget is refused, naming what would
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> ExecutorMemory.check(local, facts, s, new AvailableMemory(12_000_000_000L, "test")));
        assertTrue(e.getMessage().matches("model needs ~\\d+\\.\\d GB in f32 with f16 weights .*; use --weights int8 .*"),
                e.getMessage());
    }

    @Test
    void clusterExecutorsGetTheirMemoryOverheadFromThePlan() throws Exception {
        Path model = SparseCheckpoint.bayling7b(tmp.resolve("bayling-7b"));
        MemoryCheck.ModelFacts facts = MemoryCheck.ModelFacts.read(ModelFiles.local(model));
        TranslationSettings s = TranslationSettings.builder().model(model.toString()).weights("int8").maxBatchTokens(2048)
                .build();
        AvailableMemory driver = new AvailableMemory(8L << 30, "test"); // the driver's host is not the executors'
        SparkConf unset = new SparkConf().setMaster("yarn").set("spark.executor.memory", "4g");
        ExecutorMemory.Result set = ExecutorMemory.check(unset, facts, s, driver);
        MemoryPlan plan = set.plan();
        long nativeMb = (plan.nativeBytes() + (1 << 20) - 1) >> 20;
        assertEquals(nativeMb + "m", set.sparkConf().get("spark.executor.memoryOverhead"), plan.toTable());
        SparkConf low = unset.clone().set("spark.executor.memoryOverhead", "6g").set("spark.executor.memory", "8g");
        ExecutorMemory.Result warned = ExecutorMemory.check(low, facts, s, driver);
        assertTrue(warned.sparkConf().isEmpty());
        assertTrue(warned.notes().stream().anyMatch(n -> n.startsWith("warning: spark.executor.memoryOverhead is 6144m")
                && n.endsWith("use --conf spark.executor.memoryOverhead=" + nativeMb + "m")), warned.notes().toString());
        SparkConf small = unset.clone().set("spark.executor.memoryOverhead", "2g");
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> ExecutorMemory.check(small, facts, s, driver));
        assertTrue(e.getMessage().contains("GB per executor (spark.executor.memory 4096m + memoryOverhead 2048m)"),
                e.getMessage());
    }
}
