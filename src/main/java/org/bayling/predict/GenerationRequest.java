package org.bayling.predict;

import java.util.Collections;
import java.util.List;
import org.bayling.generate.CacheSnapshot;
import org.bayling.generate.GenerationConfig;
import org.bayling.generate.StopCondition;

/**
 * One predictor call: a batch of prompts decoded together.
 *
 * @param prompts    prompt token ids, BOS included
 * @param config     decoding parameters (empty EOS ids: the model's)
 * @param seeds      per prompt, a cached prefix to continue from (or null); null list: none
 * @param keepCaches attach each returned sequence's KV cache (for a following conversation turn)
 * @param stop       stop-string check, or null
 */
public record GenerationRequest(List<int[]> prompts, GenerationConfig config, List<? extends CacheSnapshot> seeds,
                                boolean keepCaches, StopCondition stop) {

    public GenerationRequest {
        prompts = List.copyOf(prompts);
        seeds = seeds == null ? Collections.nCopies(prompts.size(), null) : seeds;
        if (seeds.size() != prompts.size()) {
            throw new IllegalArgumentException("seeds: " + seeds.size() + " for " + prompts.size() + " prompts");
        }
        stop = stop == null ? StopCondition.NEVER : stop;
    }

    public static GenerationRequest of(List<int[]> prompts, GenerationConfig config) {
        return new GenerationRequest(prompts, config, null, false, null);
    }
}
