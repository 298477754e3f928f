package org.bayling.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.bayling.model.ModelUnreadableException;
import org.bayling.model.checkpoint.CheckpointException;
import org.bayling.translate.TranslationEngine;

/**
 * One loaded engine per executor JVM and key (model hash + engine options), shared by all tasks the
 * executor runs. When several tasks start at once, one loads and the others wait for it; a failed load
 * is not cached, so a retried task tries again.
 */
public final class ExecutorModelCache {

    /** A shared engine (thread-safe: the executor's tasks call it concurrently) and this JVM's load count. */
    public record Lease(TranslationEngine engine, int loadsInJvm) {
    }

    private static final Map<String, FutureTask<TranslationEngine>> ENGINES = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModelCache::closeAll, "bayling-engine-close"));
    }

    private ExecutorModelCache() {
    }

    /** The engine for these settings on this task's device, loaded on first use from the model's local copy. */
    public static Lease lease(TranslationSettings settings, ModelSource model) {
        DeviceSelector.Choice device = DeviceSelector.forCurrentTask(settings.device(), settings.threadsPerTask());
        return get(settings.engineKey(model.manifest().hash(), device), () -> {
            String dir = model.localDir(settings.cacheDir()).toString();
            try {
                return EngineFactory.load(settings.engineFactory())
                        .open(settings.engineOptions(dir, device.device(), device.threads()));
            } catch (RuntimeException e) {
                throw unreadable(e, dir, model.manifest().uri());
            }
        });
    }

    /**
     * A load failure caused by a model file, reported against the user's model URI instead of this executor's
     * cache copy ({@code dir}); other failures pass unchanged.
     */
    private static RuntimeException unreadable(RuntimeException e, String dir, String uri) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ModelUnreadableException m) {
                return m;
            }
            if (t instanceof CheckpointException c) {
                return ModelUnreadableException.of(uri, dir, c);
            }
            if (t instanceof java.io.IOException io) {
                String msg = String.valueOf(io.getMessage());
                int colon = msg.indexOf(": ");
                if (msg.startsWith(dir + "/") && colon > 0) { // "<dir>/<file>: reason", as the readers write it
                    return new ModelUnreadableException(uri, msg.substring(dir.length() + 1, colon),
                            msg.substring(colon + 2).replace(dir, uri), e);
                }
                return new ModelUnreadableException(uri, null, "cannot be loaded: " + msg.replace(dir, uri), e);
            }
        }
        return e;
    }

    public static Lease get(String key, Supplier<TranslationEngine> loader) {
        FutureTask<TranslationEngine> task = ENGINES.computeIfAbsent(key, k -> new FutureTask<>(() -> {
            TranslationEngine e = loader.get();
            LOADS.incrementAndGet();
            return e;
        }));
        task.run(); // no-op unless this caller is first
        try {
            return new Lease(task.get(), LOADS.get());
        } catch (ExecutionException e) {
            ENGINES.remove(key, task);
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new IllegalStateException("model load failed: " + c, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the model", e);
        }
    }

    /** Engines loaded by this JVM so far (over all keys). */
    public static int loads() {
        return LOADS.get();
    }

    public static synchronized void closeAll() {
        for (FutureTask<TranslationEngine> t : ENGINES.values()) {
            try {
                if (t.isDone()) {
                    t.get().close();
                }
            } catch (Exception ignored) {
                // closing on shutdown: nothing to do
            }
        }
        ENGINES.clear();
    }
}
