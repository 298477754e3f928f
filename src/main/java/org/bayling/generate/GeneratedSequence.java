package org.bayling.generate;

/**
 * One generated continuation.
 *
 * @param tokens        generated ids, ending with the EOS id when generation stopped on it (as HF returns them)
 * @param tokenLogprobs the model's log-probability of each generated token (log-softmax of the raw logits)
 * @param score         beam score (sum of processed log-probs / length ^ length_penalty) for beam search,
 *                      else the sum of {@code tokenLogprobs}
 * @param finishReason  why it ended
 * @param cache         the sequence's KV cache when the strategy was asked to keep it, else null
 */
public record GeneratedSequence(int[] tokens, float[] tokenLogprobs, double score, FinishReason finishReason,
                                CacheSnapshot cache) {

    public GeneratedSequence(int[] tokens, float[] tokenLogprobs, double score, FinishReason finishReason) {
        this(tokens, tokenLogprobs, score, finishReason, null);
    }
}
