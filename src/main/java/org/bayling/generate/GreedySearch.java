package org.bayling.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy decoding (HF {@code do_sample=False, num_beams=1}): the argmax of the processed logits at
 * every step. Finished rows leave the session at once, so later steps only compute live rows.
 */
public class GreedySearch implements GenerationStrategy {

    private final boolean keepCaches;

    public GreedySearch() {
        this(false);
    }

    /** @param keepCaches attach each sequence's KV cache to its result, for a following conversation turn */
    public GreedySearch(boolean keepCaches) {
        this.keepCaches = keepCaches;
    }

    @Override
    public List<List<GeneratedSequence>> generate(DecoderSession session, List<int[]> prompts, GenerationConfig config,
                                                  StopCondition stop) {
        int n = prompts.size();
        int max = config.maxNewTokens();
        int[][] tokens = new int[n][max];
        float[][] logprobs = new float[n][max];
        int[] count = new int[n];
        double[] sum = new double[n];
        GeneratedSequence[] results = new GeneratedSequence[n];
        int[] live = new int[n]; // session row -> prompt index
        for (int i = 0; i < n; i++) {
            live[i] = i;
        }
        Logits logits = session.append(GenerationStrategy.uncachedSuffixes(session, prompts));
        while (true) {
            int[] next = new int[live.length];
            List<Integer> keep = new ArrayList<>();
            for (int r = 0; r < live.length; r++) {
                int p = live[r];
                float[] raw = logits.values()[r];
                float[] scores = raw.clone(); // processors work on a copy: log-probs come from the raw logits
                LogitsProcessing.repetitionPenalty(scores, prompts.get(p), tokens[p], count[p], config.repetitionPenalty());
                LogitsProcessing.minNewTokens(scores, count[p], config.minNewTokens(), config.eosIds());
                int token = choose(scores, prompts.get(p), count[p], config);
                float lp = (float) logits.logprob(r, token);
                tokens[p][count[p]] = token;
                logprobs[p][count[p]] = lp;
                sum[p] += lp;
                count[p]++;
                FinishReason reason = LogitsProcessing.isEos(token, config.eosIds()) ? FinishReason.EOS
                        : stop.shouldStop(Arrays.copyOf(tokens[p], count[p])) ? FinishReason.STOP
                        : count[p] >= max ? FinishReason.LENGTH : null;
                if (reason != null) {
                    // the row holds the prompt and every generated token but this last one
                    CacheSnapshot cache = keepCaches ? session.snapshot(r, concat(prompts.get(p), tokens[p], count[p] - 1)) : null;
                    results[p] = new GeneratedSequence(Arrays.copyOf(tokens[p], count[p]),
                            Arrays.copyOf(logprobs[p], count[p]), sum[p], reason, cache);
                } else {
                    next[keep.size()] = token;
                    keep.add(r);
                }
            }
            if (keep.isEmpty()) {
                break;
            }
            int[] rows = keep.stream().mapToInt(Integer::intValue).toArray();
            session.select(rows);
            int[] newLive = new int[rows.length];
            int[][] step = new int[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                newLive[i] = live[rows[i]];
                step[i] = new int[] {next[i]};
            }
            live = newLive;
            logits = session.append(step);
        }
        List<List<GeneratedSequence>> out = new ArrayList<>(n);
        for (GeneratedSequence s : results) {
            out.add(List.of(s));
        }
        return out;
    }

    static int[] concat(int[] prompt, int[] generated, int count) {
        int[] all = Arrays.copyOf(prompt, prompt.length + count);
        System.arraycopy(generated, 0, all, prompt.length, count);
        return all;
    }

    /** Picks the next token from processed logits (greedy: argmax; sampling overrides). */
    protected int choose(float[] processedLogits, int[] prompt, int step, GenerationConfig config) {
        return LogitsProcessing.argmax(processedLogits);
    }
}
