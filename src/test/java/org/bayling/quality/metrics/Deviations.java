package org.bayling.quality.metrics;

import java.util.Map;
import java.util.TreeMap;

/** Records the worst absolute deviation from sacreBLEU per metric, printed by the tests for the report. */
final class Deviations {

    private static final Map<String, double[]> WORST = new TreeMap<>();

    private Deviations() {
    }

    static synchronized void record(String metric, String where, double ours, double theirs) {
        double d = Math.abs(ours - theirs);
        double[] w = WORST.computeIfAbsent(metric, k -> new double[] {-1});
        if (d > w[0]) {
            w[0] = d;
            WHERE.put(metric, where);
        }
    }

    private static final Map<String, String> WHERE = new TreeMap<>();

    static synchronized String report() {
        StringBuilder sb = new StringBuilder("worst |ours - sacreBLEU 2.6.0|:\n");
        WORST.forEach((k, v) -> sb.append(String.format("  %-22s %.3e  (%s)%n", k, v[0], WHERE.get(k))));
        return sb.toString();
    }
}
