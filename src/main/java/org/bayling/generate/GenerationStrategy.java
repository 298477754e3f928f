package org.bayling.generate;

import java.util.List;

/** A decoding algorithm (greedy, sampling, beam search) driving a {@link DecoderSession}. */
public interface GenerationStrategy {

    /**
     * Generates continuations for every prompt.
     *
     * @param session  one row per prompt; row {@code i} may already hold a cached prefix of
     *                 {@code prompts.get(i)} ({@code session.length(i)} tokens), the rest is appended here
     * @param prompts  full prompt ids (the repetition penalty looks at all of them)
     * @param config   decoding parameters, with EOS ids resolved
     * @param stop     stop-string check
     * @return per prompt, its sequences best first ({@code num_return_sequences} of them)
     */
    List<List<GeneratedSequence>> generate(DecoderSession session, List<int[]> prompts, GenerationConfig config,
                                           StopCondition stop);

    /** The strategy a config asks for. */
    static GenerationStrategy forConfig(GenerationConfig config) {
        return forConfig(config, false);
    }

    /** The strategy a config asks for; with {@code keepCaches}, results carry their KV caches. */
    static GenerationStrategy forConfig(GenerationConfig config, boolean keepCaches) {
        if (config.numBeams() > 1) {
            return new BeamSearch(keepCaches);
        }
        return config.doSample() ? new SamplingSearch(keepCaches) : new GreedySearch(keepCaches);
    }

    /** The uncached part of each prompt (at least the last token, so every row yields logits). */
    static int[][] uncachedSuffixes(DecoderSession session, List<int[]> prompts) {
        int[][] suffixes = new int[prompts.size()][];
        for (int i = 0; i < suffixes.length; i++) {
            int[] p = prompts.get(i);
            int cached = session.length(i);
            if (cached >= p.length) {
                session.truncate(i, p.length - 1);
                cached = p.length - 1;
            }
            suffixes[i] = java.util.Arrays.copyOfRange(p, cached, p.length);
        }
        return suffixes;
    }
}
