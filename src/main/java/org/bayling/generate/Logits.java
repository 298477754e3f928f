package org.bayling.generate;

/**
 * Next-token logits of each row after a forward pass, with each row's log-sum-exp (computed where the
 * logits were, so strategies get log-probabilities as {@code logit - logSumExp} without an exp over
 * the vocabulary per row on the Java side).
 */
public record Logits(float[][] values, double[] logSumExp) {

    public int rows() {
        return values.length;
    }

    /** Log-probability of one token in one row. */
    public double logprob(int row, int token) {
        return values[row][token] - logSumExp[row];
    }
}
