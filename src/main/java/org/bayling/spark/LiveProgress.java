package org.bayling.spark;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Accumulator values while tasks run. A driver-side accumulator only changes when a task ends; but every
 * executor heartbeat ({@code spark.executor.heartbeatInterval}, 10 s by default) carries the current values of
 * its running tasks' accumulators, which Spark posts as {@link SparkListenerExecutorMetricsUpdate}. This
 * listener keeps, per accumulator, the sum over finished tasks plus the latest heartbeat value of each running
 * task, so progress moves inside a six-hour task, not only when it ends.
 */
final class LiveProgress extends SparkListener {

    private final long[] ids;
    private final long[] finished;
    private final Map<Long, long[]> running = new HashMap<>();
    private final Set<Long> ended = new HashSet<>();

    LiveProgress(LongAccumulator... accumulators) {
        ids = new long[accumulators.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = accumulators[i].id();
        }
        finished = new long[ids.length];
    }

    /** Finished tasks' totals plus running tasks' last heartbeat values, of the i-th accumulator. */
    synchronized long value(int i) {
        long v = finished[i];
        for (long[] r : running.values()) {
            v += r[i];
        }
        return v;
    }

    @Override
    public synchronized void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> t
                : CollectionConverters.asJava(update.accumUpdates())) {
            long task = (Long) t._1();
            if (ended.contains(task)) {
                continue; // a heartbeat taken before the task ended, delivered after
            }
            for (AccumulableInfo a : CollectionConverters.asJava(t._4())) {
                int i = index(a.id());
                if (i >= 0 && a.update().isDefined()) {
                    running.computeIfAbsent(task, k -> new long[ids.length])[i] = number(a.update().get());
                }
            }
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        long task = end.taskInfo().taskId();
        ended.add(task);
        running.remove(task);
        if (end.reason() != Success$.MODULE$) {
            return; // a failed attempt's updates are dropped, as Spark drops them from the accumulator
        }
        for (AccumulableInfo a : CollectionConverters.asJava(end.taskInfo().accumulables())) {
            int i = index(a.id());
            if (i >= 0 && a.update().isDefined()) {
                finished[i] += number(a.update().get());
            }
        }
    }

    private int index(long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(o.toString());
    }
}
