package org.bayling.spark;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A driver thread that prints requests (distinct rows) done / total, requests and output tokens per second and
 * an ETA, every interval, from counters that move while tasks run ({@link LiveProgress}).
 */
public final class ProgressReporter implements AutoCloseable {

    private final Thread thread;
    private volatile boolean stop;

    public ProgressReporter(long total, LongSupplier done, LongSupplier tokens, long intervalMs, PrintStream out) {
        long start = System.nanoTime();
        thread = new Thread(() -> {
            while (!stop) {
                try {
                    Thread.sleep(intervalMs);
                } catch (InterruptedException e) {
                    return;
                }
                if (!stop) {
                    out.println(line(total, done.getAsLong(), tokens.getAsLong(), (System.nanoTime() - start) / 1e9));
                }
            }
        }, "bayling-progress");
        thread.setDaemon(true);
    }

    public ProgressReporter start() {
        thread.start();
        return this;
    }

    static String line(long total, long done, long tokens, double seconds) {
        double pct = total > 0 ? 100.0 * done / total : 100;
        double tps = seconds > 0 ? tokens / seconds : 0;
        double rps = seconds > 0 ? done / seconds : 0;
        String eta = done > 0 && done < total ? duration((long) (seconds * (total - done) / done)) : "--:--:--";
        return String.format(Locale.ROOT, "[translate] %d/%d requests (%.1f%%) | %.2f requests/s | %.1f tok/s | elapsed %s | ETA %s",
                done, total, pct, rps, tps, duration((long) seconds), eta);
    }

    static String duration(long s) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
    }
}
