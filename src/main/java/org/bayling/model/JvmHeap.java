package org.bayling.model;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The part of a JVM's heap that a decoding process keeps resident. Resident size counts touched pages, not
 * {@code -Xmx}: decoding allocates a few arrays per step (logits) that die young, so what the heap holds resident
 * is the young generation, cycled through again and again, plus a small old generation (the bench measured 17 to
 * 23 MB of live heap during a load, inside {@link MemoryPlan#RUNTIME_BYTES}). The young generation is
 * {@code -Xmn} (or {@code -XX:MaxNewSize}) when the command line sets it, else G1's default ceiling: 60 % of the
 * heap it starts with ({@code -Xms}, or the JVM's default initial heap).
 *
 * @param youngBytes young generation the plan counts as resident
 * @param from       where that figure comes from, e.g. {@code -Xmn32m}
 */
public record JvmHeap(long youngBytes, String from) {

    /** G1's default {@code G1MaxNewSizePercent}. */
    static final double G1_MAX_NEW_FRACTION = 0.60;

    /** No JVM heap counted here (a Spark executor's heap is planned as its framework heap instead). */
    public static final JvmHeap NONE = new JvmHeap(0, "not counted");

    /**
     * The young generation of a JVM started with {@code options} (its input arguments).
     *
     * @param defaultInitialHeap the initial heap when the options do not set {@code -Xms}
     */
    public static JvmHeap of(List<String> options, long defaultInitialHeap) {
        long young = -1;
        long initial = -1;
        long max = -1;
        String youngFlag = null;
        for (String o : options) {
            if (o.startsWith("-Xmn")) {
                young = AvailableMemory.parseSize(o.substring(4));
                youngFlag = o;
            } else if (o.startsWith("-XX:MaxNewSize=")) {
                young = AvailableMemory.parseSize(o.substring("-XX:MaxNewSize=".length()));
                youngFlag = o;
            } else if (o.startsWith("-Xms")) {
                initial = AvailableMemory.parseSize(o.substring(4));
            } else if (o.startsWith("-Xmx")) {
                max = AvailableMemory.parseSize(o.substring(4));
            }
        }
        if (young >= 0) {
            return new JvmHeap(max >= 0 ? Math.min(young, max) : young, youngFlag);
        }
        long start = initial >= 0 ? initial : defaultInitialHeap;
        if (max >= 0) {
            start = Math.min(start, max);
        }
        return new JvmHeap((long) (G1_MAX_NEW_FRACTION * Math.max(0, start)),
                "60% of the initial heap (" + (start >> 20) + " MB), G1's default young generation ceiling");
    }

    /** This JVM's young generation, from its own input arguments and initial heap. */
    public static JvmHeap current() {
        return of(ManagementFactory.getRuntimeMXBean().getInputArguments(),
                Math.max(0, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit()));
    }
}
