package org.bayling.cli;

import java.util.ArrayList;
import java.util.List;
import org.bayling.generate.GenerationConfig;
import picocli.CommandLine.Option;

/**
 * Decoding flags shared by {@code generate} and {@code translate}, spelled like Hugging Face's
 * arguments. A flag left out keeps the default it is applied to (the model's generation_config.json,
 * or BayLing's recipe).
 */
public final class GenerationOptions {

    @Option(names = "--max-new-tokens", description = "Most tokens to generate.")
    Integer maxNewTokens;

    @Option(names = "--min-new-tokens", description = "EOS is suppressed until this many tokens.")
    Integer minNewTokens;

    @Option(names = "--num-beams", description = "Beam search with this many beams (1 = greedy or sampling).")
    Integer numBeams;

    @Option(names = "--num-return-sequences", description = "Sequences to return per prompt (<= beams).")
    Integer numReturnSequences;

    @Option(names = "--length-penalty", description = "Beam score = sum log-prob / length^penalty.")
    Double lengthPenalty;

    @Option(names = "--early-stopping", description = "Stop beam search once num_beams hypotheses are finished.")
    Boolean earlyStopping;

    @Option(names = "--do-sample", description = "Sample instead of greedy decoding.")
    Boolean doSample;

    @Option(names = "--temperature")
    Double temperature;

    @Option(names = "--top-k")
    Integer topK;

    @Option(names = "--top-p")
    Double topP;

    @Option(names = "--seed", description = "Seed for sampling (reproducible).")
    Long seed;

    @Option(names = "--repetition-penalty")
    Double repetitionPenalty;

    @Option(names = "--stop", description = "Stop string (repeatable).")
    List<String> stop = new ArrayList<>();

    /** The defaults with every given flag applied; beams and sampling flags reset what contradicts them. */
    public GenerationConfig applyTo(GenerationConfig defaults) {
        GenerationConfig.Builder b = defaults.toBuilder();
        if (doSample != null) {
            b.doSample(doSample);
            if (doSample && numBeams == null) {
                b.numBeams(1);
            }
        }
        if (numBeams != null) {
            b.numBeams(numBeams);
            if (numReturnSequences == null) {
                b.numReturnSequences(1);
            }
            if (numBeams > 1 && doSample == null) {
                b.doSample(false);
            }
        }
        if (maxNewTokens != null) b.maxNewTokens(maxNewTokens);
        if (minNewTokens != null) b.minNewTokens(minNewTokens);
        if (numReturnSequences != null) b.numReturnSequences(numReturnSequences);
        if (lengthPenalty != null) b.lengthPenalty(lengthPenalty);
        if (earlyStopping != null) b.earlyStopping(earlyStopping);
        if (temperature != null) b.temperature(temperature);
        if (topK != null) b.topK(topK);
        if (topP != null) b.topP(topP);
        if (seed != null) b.seed(seed);
        if (repetitionPenalty != null) b.repetitionPenalty(repetitionPenalty);
        if (!stop.isEmpty()) b.stopStrings(stop);
        return b.build();
    }
}
