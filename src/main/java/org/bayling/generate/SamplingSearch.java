package org.bayling.generate;

import java.util.SplittableRandom;

/**
 * Multinomial sampling (HF {@code do_sample=True}) after temperature, top-k and top-p. Reproducible:
 * each prompt's draws come from a generator seeded by the configured seed, the prompt's tokens and the
 * step, so a prompt's output does not depend on the rest of the batch.
 */
public class SamplingSearch extends GreedySearch {

    public SamplingSearch() {
        this(false);
    }

    public SamplingSearch(boolean keepCaches) {
        super(keepCaches);
    }

    @Override
    protected int choose(float[] logits, int[] prompt, int step, GenerationConfig config) {
        LogitsProcessing.warp(logits, config.temperature(), config.topK(), config.topP());
        double lse = LogitsProcessing.logSumExp(logits);
        SplittableRandom random = new SplittableRandom(mix(config.seed(), java.util.Arrays.hashCode(prompt), step));
        double u = random.nextDouble();
        double cumulative = 0;
        int last = 0;
        for (int t = 0; t < logits.length; t++) {
            if (logits[t] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            last = t;
            cumulative += Math.exp(logits[t] - lse);
            if (u < cumulative) {
                return t;
            }
        }
        return last;
    }

    private static long mix(long seed, int prompt, int step) {
        long h = seed * 0x9E3779B97F4A7C15L + prompt;
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + step;
        return h ^ (h >>> 29);
    }
}
