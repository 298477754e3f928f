package org.bayling.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import org.apache.spark.TaskContext;
import org.bayling.translate.EngineOptions;
import org.bayling.translate.TaskPrompt;
import org.bayling.translate.TranslationEngine;
import org.bayling.translate.TranslationOutcome;
import org.bayling.translate.TranslationTask;
import org.bayling.translate.TurnOutput;

/**
 * Test double for {@link TranslationEngine}: "translates" by upper-casing, one token per
 * whitespace-separated word. Rows whose text contains {@code FAIL_ROW} fail (per-row error). Subclass
 * factories below inject task-level faults.
 */
public class FakeEngine implements TranslationEngine {

    /** Texts translated by this JVM (all fake engines), for dedup checks. */
    public static final AtomicInteger TRANSLATED = new AtomicInteger();

    private final EngineOptions options;

    public FakeEngine(EngineOptions options) {
        // like the real engine, needs a complete local model directory
        if (!java.nio.file.Files.isRegularFile(java.nio.file.Path.of(options.modelDir(), "config.json"))) {
            throw new IllegalStateException("no local model at " + options.modelDir());
        }
        this.options = options;
    }

    public EngineOptions options() {
        return options;
    }

    public static TranslationOutcome translateOne(TranslationTask t) {
        if (t.text().contains("FAIL_ROW")) {
            return TranslationOutcome.failed(t.key(), "fake failure for " + t.key());
        }
        String out = t.text().toUpperCase(Locale.ROOT) + (t.terms().isEmpty() ? "" : " " + String.join(" ", t.terms()));
        List<TurnOutput> turns = new ArrayList<>();
        int[] ids = new int[Math.max(1, out.split("\\s+").length)];
        float[] lp = new float[ids.length];
        java.util.Arrays.fill(lp, -0.5f);
        lp[0] = -2f;
        turns.add(new TurnOutput("Provide the " + t.tgtLang() + " translation for this sentence: " + t.text(), out, ids,
                lp, "eos"));
        for (String f : t.followups()) {
            out = out + "!";
            turns.add(new TurnOutput(f, out, ids, lp, "eos"));
        }
        return new TranslationOutcome(t.key(), true, null, turns, tokens(t), 0);
    }

    static int tokens(TranslationTask t) {
        return t.text() == null ? 1 : 10 + t.text().split("\\s+").length;
    }

    @Override
    public TaskPrompt prompt(TranslationTask task) {
        return new TaskPrompt(task, "Provide the " + task.tgtLang() + " translation for this sentence: " + task.text(),
                new int[tokens(task)], "", null);
    }

    @Override
    public int countTokens(String text) {
        return text.isBlank() ? 0 : text.trim().split("\\s+").length;
    }

    @Override
    public int contextTokens() {
        return 4096;
    }

    @Override
    public List<TranslationOutcome> translate(List<TaskPrompt> batch) {
        List<TranslationTask> tasks = batch.stream().map(TaskPrompt::task).toList();
        beforeBatch(tasks);
        TRANSLATED.addAndGet(tasks.size());
        return tasks.stream().map(FakeEngine::translateOne).toList();
    }

    protected void beforeBatch(List<TranslationTask> tasks) {
    }

    @Override
    public void close() {
    }

    /** Factory for the plain fake. */
    public static class Factory implements EngineFactory {
        @Override
        public TranslationEngine open(EngineOptions options) {
            return new FakeEngine(options);
        }
    }

    /** An engine that fails a task's first attempt at a batch {@code when} picks, counting the failures. */
    static FakeEngine failingFirstAttempts(EngineOptions options, AtomicInteger failures,
                                           BiPredicate<TaskContext, List<TranslationTask>> when, String message) {
        return new FakeEngine(options) {
            @Override
            protected void beforeBatch(List<TranslationTask> tasks) {
                TaskContext tc = TaskContext.get();
                if (tc != null && tc.attemptNumber() == 0 && when.test(tc, tasks)) {
                    failures.incrementAndGet();
                    throw new IllegalStateException(message);
                }
            }
        };
    }

    /** Fails the first attempt of partition 0's task: Spark must retry it without duplicating rows. */
    public static class FlakyFactory implements EngineFactory {
        public static final AtomicInteger FAILURES = new AtomicInteger();

        @Override
        public TranslationEngine open(EngineOptions options) {
            return failingFirstAttempts(options, FAILURES, (tc, tasks) -> tc.partitionId() == 0,
                    "injected failure on first attempt");
        }
    }

    /**
     * Fails the first attempt of a task when it reaches the row {@link #MARKER}: the input's shortest row, so the last
     * a task reaches (longest first), after the rows of its earlier groups have gone on towards the write.
     */
    public static class FailsLateFactory implements EngineFactory {
        public static final String MARKER = "Zq";
        public static final AtomicInteger FAILURES = new AtomicInteger();

        @Override
        public TranslationEngine open(EngineOptions options) {
            return failingFirstAttempts(options, FAILURES,
                    (tc, tasks) -> tasks.stream().anyMatch(t -> MARKER.equals(t.text())),
                    "injected failure at the last row of the first attempt");
        }
    }

    /** Kills the job (every attempt fails) once this JVM has translated more than {@link #LIMIT} requests. */
    public static class CrashingFactory implements EngineFactory {
        public static final AtomicInteger SEEN = new AtomicInteger();
        public static volatile int LIMIT = 10;

        @Override
        public TranslationEngine open(EngineOptions options) {
            return new FakeEngine(options) {
                @Override
                protected void beforeBatch(List<TranslationTask> tasks) {
                    if (SEEN.addAndGet(tasks.size()) > LIMIT) {
                        throw new IllegalStateException("injected crash: job dies here");
                    }
                }
            };
        }
    }

    /** Fails to load as an engine does on a file the driver's check cannot see (a bad tensor in the executor's copy). */
    public static class UnloadableFactory implements EngineFactory {
        @Override
        public TranslationEngine open(EngineOptions options) {
            throw new IllegalStateException("cannot load model " + options.modelDir(), new java.io.IOException(
                    options.modelDir() + "/model.safetensors: injected: tensor data unreadable in " + options.modelDir()));
        }
    }

    /** Rows whose text contains {@code FLAKY_ROW} fail while {@link #FAILING} is set (a transient per-row failure). */
    public static class RecoveringFactory implements EngineFactory {
        public static volatile boolean FAILING = true;

        @Override
        public TranslationEngine open(EngineOptions options) {
            return new FakeEngine(options) {
                @Override
                public List<TranslationOutcome> translate(List<TaskPrompt> batch) {
                    List<TranslationOutcome> out = new ArrayList<>(super.translate(batch));
                    for (int i = 0; i < out.size(); i++) {
                        TranslationTask t = batch.get(i).task();
                        if (FAILING && t.text().contains("FLAKY_ROW")) {
                            out.set(i, TranslationOutcome.failed(t.key(), "transient failure for " + t.key()));
                        }
                    }
                    return out;
                }
            };
        }
    }

    /** Sleeps {@link #MILLIS} before every engine call: a task that runs for a while. */
    public static class SlowFactory implements EngineFactory {
        public static volatile long MILLIS = 100;

        @Override
        public TranslationEngine open(EngineOptions options) {
            return new FakeEngine(options) {
                @Override
                protected void beforeBatch(List<TranslationTask> tasks) {
                    try {
                        Thread.sleep(MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
            };
        }
    }
}
