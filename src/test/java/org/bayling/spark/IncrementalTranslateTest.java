package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bayling.output.OutputSchema;
import org.bayling.spark.stream.CheckpointLock;
import org.bayling.spark.stream.IncrementalTranslate;
import org.bayling.translate.EngineOptions;
import org.bayling.translate.TranslationEngine;
import org.bayling.translate.TranslationTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code translate --incremental}: runs over a directory that grows between them translate each input
 * row exactly once, into the batch job's rows and columns; runs killed part-way (before a micro-batch's
 * write, or between its write and its checkpoint commit) and restarted end with the same result; two
 * overlapping runs on one checkpoint: the second is refused with exit 4.
 */
class IncrementalTranslateTest {

    @TempDir
    Path tmp;

    @AfterEach
    void clearHooks() {
        IncrementalTranslate.afterBatchWritten = null;
        Crash.ARMED.set(false);
    }

    private int dropped;

    private Path in() {
        return tmp.resolve("in");
    }

    private String out() {
        return tmp.resolve("out").toString();
    }

    /** Drops a new text file of {@code n} lines into the input, as an upstream job would (written beside, moved in). */
    private void drop(String name, int n, String... extra) {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            lines.add(name + " sentence number " + i + " for the incremental run");
        }
        lines.addAll(List.of(extra));
        Path staged = SparkTestSupport.write(tmp.resolve("staging").resolve(name), String.join("\n", lines) + "\n");
        try {
            Files.createDirectories(in());
            // the file source takes new files oldest first: distinct times make the micro-batches predictable
            Files.setLastModifiedTime(staged, java.nio.file.attribute.FileTime.fromMillis(
                    System.currentTimeMillis() - 3_600_000 + 1000L * dropped++));
            Files.move(staged, in().resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String[] args(String factory, String... more) {
        List<String> a = new ArrayList<>(List.of("translate", "--incremental", "--checkpoint", tmp.resolve("ckpt").toString(),
                "--input", in().toString(), "--format", "text", "--output", out(), "--src-lang", "en", "--tgt-lang", "zh",
                "--model", SparkTestSupport.tinyModel(), "--cache-dir", tmp.resolve("cache").toString(),
                "--engine-factory", factory, "--progress-interval", "60"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private CliRun run(String... more) {
        return CliRun.of(args(FakeEngine.Factory.class.getName(), more));
    }

    private static List<String> ids(String output) {
        return SparkTestSupport.spark().read().parquet(output).select(OutputSchema.ID).as(Encoders.STRING()).collectAsList();
    }

    private static void assertExactlyOnce(String output, int rows) {
        List<String> ids = ids(output);
        assertEquals(rows, ids.size(), "rows in the output");
        assertEquals(rows, new HashSet<>(ids).size(), "no row twice");
    }

    @Test
    void threeRunsWithNewFilesAndOneWithoutTranslateEveryRowExactlyOnce() {
        SparkTestSupport.spark();
        drop("a.txt", 5);
        drop("b.txt", 4);
        CliRun first = run();
        assertEquals(0, first.code(), first.toString());
        assertExactlyOnce(out(), 9);

        drop("c.txt", 3);
        CliRun second = run();
        assertEquals(0, second.code(), second.toString());
        assertExactlyOnce(out(), 12);

        long t0 = System.nanoTime();
        CliRun nothing = run();
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, nothing.code(), nothing.toString());
        assertTrue(nothing.out().contains("no new files"), nothing.out());
        assertTrue(seconds < 30, "a run with nothing new is quick: " + seconds + " s");
        assertExactlyOnce(out(), 12);

        drop("d.txt", 2);
        drop("e.txt", 6);
        CliRun third = run("--max-files-per-batch", "1");
        assertEquals(0, third.code(), third.toString());
        assertTrue(third.out().contains("2 micro-batch(es), 2 new file(s)"), third.out());
        assertExactlyOnce(out(), 20);
        assertFalse(Files.exists(tmp.resolve("ckpt").resolve(CheckpointLock.FILE)), "lock released");

        // the same rows and columns as one batch run over all the files
        TranslateOptions batch = TranslateOptions.builder().input(in().toString()).format(TranslateOptions.InputFormat.TEXT)
                .output(tmp.resolve("batch-out").toString()).srcLang("en").tgtLang("zh").model(SparkTestSupport.tinyModel())
                .engineFactory(FakeEngine.Factory.class.getName()).cacheDir(tmp.resolve("cache").toString()).build();
        new TranslateJob(SparkTestSupport.spark(), batch, SparkTestSupport.quiet()).run();
        Dataset<Row> inc = SparkTestSupport.spark().read().parquet(out());
        Dataset<Row> all = SparkTestSupport.spark().read().parquet(batch.output());
        assertEquals(all.schema().toDDL(), inc.schema().toDDL()); // column metadata differs only in run_id
        String[] same = {OutputSchema.ID, OutputSchema.SOURCE, OutputSchema.TRANSLATION, OutputSchema.STATUS,
                OutputSchema.ERROR, OutputSchema.REQUEST_HASH, OutputSchema.GENERATION_HASH, OutputSchema.N_OUTPUT_TOKENS,
                "model.hash", "quality"};
        Set<Row> a = new HashSet<>(inc.selectExpr(same).collectAsList());
        Set<Row> b = new HashSet<>(all.selectExpr(same).collectAsList());
        assertEquals(20, a.size());
        assertEquals(b, a);
    }

    @Test
    void runKilledInAMicroBatchThenRestartedEndsWithTheSameResult() {
        SparkTestSupport.spark();
        drop("a.txt", 4);
        drop("b.txt", 3);
        drop("c.txt", 2, "CRASH: the engine dies on this row while armed");
        drop("d.txt", 5);
        Crash.ARMED.set(true);
        CliRun killed = CliRun.of(args(Crash.class.getName(), "--max-files-per-batch", "2"));
        assertEquals(1, killed.code(), killed.toString());
        assertTrue(killed.err().contains("injected crash"), killed.err());
        List<String> partial = ids(out());
        assertEquals(7, partial.size(), "a.txt and b.txt (micro-batch 0) were committed before the crash: " + partial);

        Crash.ARMED.set(false);
        CliRun restarted = CliRun.of(args(Crash.class.getName(), "--max-files-per-batch", "2"));
        assertEquals(0, restarted.code(), restarted.toString());
        assertTrue(restarted.out().contains("1 micro-batch(es), 2 new file(s)"), restarted.out());
        assertExactlyOnce(out(), 15);
    }

    @Test
    void crashBetweenAMicroBatchWriteAndItsCommitDoesNotDuplicateRows() {
        SparkTestSupport.spark();
        drop("a.txt", 4);
        drop("b.txt", 3);
        drop("c.txt", 5);
        AtomicBoolean crashed = new AtomicBoolean();
        IncrementalTranslate.afterBatchWritten = id -> {
            if (id == 1 && crashed.compareAndSet(false, true)) {
                throw new IllegalStateException("injected crash after the write of micro-batch 1");
            }
        };
        CliRun killed = run("--max-files-per-batch", "1");
        assertEquals(1, killed.code(), killed.toString());
        assertExactlyOnce(out(), 7); // b.txt is written, its batch not committed

        CliRun restarted = run("--max-files-per-batch", "1");
        assertEquals(0, restarted.code(), restarted.toString());
        assertTrue(restarted.out().contains("3 already in output"), "micro-batch 1 re-ran and skipped its rows:\n" + restarted.out());
        assertExactlyOnce(out(), 12);
        // b.txt's rows carry micro-batch 1's run id, as when first written
        List<String> runIds = SparkTestSupport.spark().read().parquet(out()).where("id like 'b.txt:%'")
                .select(OutputSchema.RUN_ID).distinct().as(Encoders.STRING()).collectAsList();
        assertEquals(1, runIds.size());
        assertTrue(runIds.get(0).startsWith("stream-") && runIds.get(0).endsWith("-1"), runIds.toString());
    }

    @Test
    void overlappingRunOnTheSameCheckpointIsRefused() throws Exception {
        SparkTestSupport.spark();
        drop("a.txt", 3);
        Blocking.STARTED = new CountDownLatch(1);
        Blocking.RELEASE = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> first = pool.submit(() -> CliRun.direct(args(Blocking.class.getName())));
            assertTrue(Blocking.STARTED.await(120, TimeUnit.SECONDS), "first run is translating");
            drop("b.txt", 2);
            CliRun second = run();
            assertEquals(4, second.code(), second.toString());
            assertTrue(second.err().contains("is locked by another run"), second.err());
            assertTrue(second.err().contains("pid " + ProcessHandle.current().pid()), second.err());
            Blocking.RELEASE.countDown();
            assertEquals(0, first.get(120, TimeUnit.SECONDS).intValue());
        } finally {
            Blocking.RELEASE.countDown();
            pool.shutdownNow();
        }
        assertExactlyOnce(out(), 3); // the second run translated nothing
        CliRun next = run();
        assertEquals(0, next.code(), next.toString());
        assertExactlyOnce(out(), 5);
    }

    /** Dies (every attempt) on a text containing CRASH while armed: the job fails, as a killed run. */
    public static class Crash implements EngineFactory {
        static final AtomicBoolean ARMED = new AtomicBoolean();

        @Override
        public TranslationEngine open(EngineOptions options) {
            return new FakeEngine(options) {
                @Override
                protected void beforeBatch(List<TranslationTask> tasks) {
                    if (ARMED.get() && tasks.stream().anyMatch(t -> t.text().contains("CRASH"))) {
                        throw new IllegalStateException("injected crash: the run dies here");
                    }
                }
            };
        }
    }

    /** Signals that it started translating, then waits to be released. */
    public static class Blocking implements EngineFactory {
        static volatile CountDownLatch STARTED = new CountDownLatch(0);
        static volatile CountDownLatch RELEASE = new CountDownLatch(0);

        @Override
        public TranslationEngine open(EngineOptions options) {
            return new FakeEngine(options) {
                @Override
                protected void beforeBatch(List<TranslationTask> tasks) {
                    STARTED.countDown();
                    try {
                        RELEASE.await(120, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
        }
    }
}
