package org.bayling.spark;

import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkEnv;
import org.apache.spark.util.AccumulatorV2;
import org.bayling.model.AvailableMemory;

/**
 * Each executor's peak resident size (VmHWM of its JVM, in bytes), the largest reported: executors add their
 * figure after each group of rows they translate, the driver reads the map at the end of the job.
 */
public final class PeakRssAccumulator extends AccumulatorV2<Long, Map<String, Long>> {

    private static final long serialVersionUID = 1L;

    /**
     * Never null once constructed, but an executor's heartbeat may call {@link #isZero} while the task is still
     * deserializing this accumulator: Spark registers it with the task before the fields of this subclass are read,
     * so {@code peaks} is then null. Reading it as empty there matters: an exception in a heartbeat ends the
     * executor's heartbeat thread for good (see {@link org.bayling.output.PersistedRows}).
     */
    private TreeMap<String, Long> peaks = new TreeMap<>();

    private TreeMap<String, Long> peaks() {
        if (peaks == null) {
            peaks = new TreeMap<>();
        }
        return peaks;
    }

    /** Executor side: records this JVM's peak resident size so far under its executor id. */
    public void record() {
        long peak = AvailableMemory.peakRssBytes();
        if (peak > 0) {
            SparkEnv env = SparkEnv.get();
            put(env == null ? "driver" : env.executorId(), peak);
        }
    }

    private synchronized void put(String executor, long bytes) {
        peaks().merge(executor, bytes, Math::max);
    }

    @Override
    public synchronized boolean isZero() {
        return peaks == null || peaks.isEmpty();
    }

    @Override
    public synchronized AccumulatorV2<Long, Map<String, Long>> copy() {
        PeakRssAccumulator c = new PeakRssAccumulator();
        c.peaks.putAll(peaks());
        return c;
    }

    @Override
    public synchronized void reset() {
        peaks().clear();
    }

    /** Adds this JVM's figure for a value (the value is ignored: the peak is read here). */
    @Override
    public void add(Long ignored) {
        record();
    }

    @Override
    public void merge(AccumulatorV2<Long, Map<String, Long>> other) {
        other.value().forEach(this::put);
    }

    @Override
    public synchronized Map<String, Long> value() {
        return new TreeMap<>(peaks());
    }
}
