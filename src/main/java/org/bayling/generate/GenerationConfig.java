package org.bayling.generate;

import java.io.Serializable;
import java.util.List;

/**
 * Decoding parameters with Hugging Face semantics. Immutable and validated on construction; build one
 * with {@link #builder()} (defaults: greedy, 1024 new tokens as BayLing's translation script) or
 * {@link #bayling()} (BayLing's own recipe: 5 beams, no sampling).
 *
 * @param eosIds token ids that end a sequence; empty means "take them from the model directory"
 */
public record GenerationConfig(int maxNewTokens, int minNewTokens, int numBeams, int numReturnSequences,
                               double lengthPenalty, boolean earlyStopping, boolean doSample, double temperature,
                               int topK, double topP, long seed, double repetitionPenalty, List<String> stopStrings,
                               List<Integer> eosIds) implements Serializable {

    public GenerationConfig {
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
        eosIds = eosIds == null ? List.of() : List.copyOf(eosIds);
        require(maxNewTokens >= 1, "max_new_tokens must be >= 1, got " + maxNewTokens);
        require(minNewTokens >= 0 && minNewTokens <= maxNewTokens,
                "min_new_tokens must be in [0, max_new_tokens], got " + minNewTokens);
        require(numBeams >= 1, "num_beams must be >= 1, got " + numBeams);
        require(numReturnSequences >= 1 && numReturnSequences <= numBeams,
                "num_return_sequences must be in [1, num_beams=" + numBeams + "], got " + numReturnSequences);
        require(!(doSample && numBeams > 1), "beam sampling is not supported: use num_beams=1 with do_sample");
        require(temperature > 0, "temperature must be > 0, got " + temperature);
        require(topK >= 0, "top_k must be >= 0 (0 disables it), got " + topK);
        require(topP > 0 && topP <= 1, "top_p must be in (0, 1], got " + topP);
        require(repetitionPenalty > 0, "repetition_penalty must be > 0, got " + repetitionPenalty);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** BayLing's translation recipe: beam search with 5 beams, no sampling, up to 1024 new tokens. */
    public static GenerationConfig bayling() {
        return builder().numBeams(5).build();
    }

    public Builder toBuilder() {
        return new Builder().maxNewTokens(maxNewTokens).minNewTokens(minNewTokens).numBeams(numBeams)
                .numReturnSequences(numReturnSequences).lengthPenalty(lengthPenalty).earlyStopping(earlyStopping)
                .doSample(doSample).temperature(temperature).topK(topK).topP(topP).seed(seed)
                .repetitionPenalty(repetitionPenalty).stopStrings(stopStrings).eosIds(eosIds);
    }

    public GenerationConfig withEosIds(List<Integer> ids) {
        return toBuilder().eosIds(ids).build();
    }

    /** Mutable builder; every setter mirrors a Hugging Face {@code generate} argument. */
    public static final class Builder {
        private int maxNewTokens = 1024;
        private int minNewTokens = 0;
        private int numBeams = 1;
        private int numReturnSequences = 1;
        private double lengthPenalty = 1.0;
        private boolean earlyStopping = false;
        private boolean doSample = false;
        private double temperature = 1.0;
        private int topK = 50;
        private double topP = 1.0;
        private long seed = 0;
        private double repetitionPenalty = 1.0;
        private List<String> stopStrings = List.of();
        private List<Integer> eosIds = List.of();

        public Builder maxNewTokens(int v) { maxNewTokens = v; return this; }
        public Builder minNewTokens(int v) { minNewTokens = v; return this; }
        public Builder numBeams(int v) { numBeams = v; return this; }
        public Builder numReturnSequences(int v) { numReturnSequences = v; return this; }
        public Builder lengthPenalty(double v) { lengthPenalty = v; return this; }
        public Builder earlyStopping(boolean v) { earlyStopping = v; return this; }
        public Builder doSample(boolean v) { doSample = v; return this; }
        public Builder temperature(double v) { temperature = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder topP(double v) { topP = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder repetitionPenalty(double v) { repetitionPenalty = v; return this; }
        public Builder stopStrings(List<String> v) { stopStrings = v; return this; }
        public Builder eosIds(List<Integer> v) { eosIds = v; return this; }

        public GenerationConfig build() {
            return new GenerationConfig(maxNewTokens, minNewTokens, numBeams, numReturnSequences, lengthPenalty,
                    earlyStopping, doSample, temperature, topK, topP, seed, repetitionPenalty, stopStrings, eosIds);
        }
    }
}
