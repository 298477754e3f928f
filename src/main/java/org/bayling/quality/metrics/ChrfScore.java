package org.bayling.quality.metrics;

/** chrF / chrF++ score ({@code name} is {@code chrF2} or {@code chrF2++} like sacreBLEU). */
public record ChrfScore(String name, double score, int charOrder, int wordOrder, double beta, String signature)
        implements MetricScore {
}
