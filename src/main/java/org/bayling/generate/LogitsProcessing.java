package org.bayling.generate;

import java.util.Arrays;
import java.util.List;

/**
 * The logits processors and warpers of Hugging Face {@code generate}, on one row of scores, in HF's
 * order: repetition penalty, min-new-tokens (EOS suppressed), then for sampling temperature, top-k,
 * top-p.
 */
final class LogitsProcessing {

    private LogitsProcessing() {
    }

    /** log-sum-exp of a row, in double precision. */
    static double logSumExp(float[] x) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (float v : x) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }

    /** Log-softmax in place. */
    static void logSoftmax(float[] x) {
        double lse = logSumExp(x);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (x[i] - lse);
        }
    }

    /** HF RepetitionPenaltyLogitsProcessor: every token already in the sequence (prompt included). */
    static void repetitionPenalty(float[] scores, int[] prompt, int[] generated, int generatedCount, double penalty) {
        if (penalty == 1.0) {
            return;
        }
        boolean[] seen = new boolean[scores.length];
        for (int t : prompt) {
            seen[t] = true;
        }
        for (int i = 0; i < generatedCount; i++) {
            seen[generated[i]] = true;
        }
        for (int t = 0; t < scores.length; t++) {
            if (seen[t]) {
                scores[t] = (float) (scores[t] < 0 ? scores[t] * penalty : scores[t] / penalty);
            }
        }
    }

    /** HF MinNewTokensLengthLogitsProcessor. */
    static void minNewTokens(float[] scores, int generatedCount, int minNewTokens, List<Integer> eos) {
        if (generatedCount < minNewTokens) {
            for (int id : eos) {
                scores[id] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Temperature, top-k and top-p warpers (HF order) on logits; filtered entries become -inf. */
    static void warp(float[] logits, double temperature, int topK, double topP) {
        if (temperature != 1.0) {
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (logits[i] / temperature);
            }
        }
        if (topK > 0 && topK < logits.length) {
            float[] sorted = logits.clone();
            Arrays.sort(sorted);
            float kth = sorted[sorted.length - topK];
            for (int i = 0; i < logits.length; i++) {
                if (logits[i] < kth) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        if (topP < 1.0) {
            Integer[] order = new Integer[logits.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Float.compare(logits[a], logits[b])); // ascending, as HF
            double lse = logSumExp(logits);
            double cumulative = 0;
            // HF removes tokens whose cumulative probability (ascending) is <= 1 - top_p, keeping at least one.
            for (int r = 0; r < order.length - 1; r++) {
                cumulative += Math.exp(logits[order[r]] - lse);
                if (cumulative <= 1 - topP) {
                    logits[order[r]] = Float.NEGATIVE_INFINITY;
                } else {
                    break;
                }
            }
        }
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    static boolean isEos(int token, List<Integer> eos) {
        return eos.contains(token);
    }
}
