package org.bayling.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Beam search with the semantics of Hugging Face transformers' {@code _beam_search} (v4.50+ / v5):
 * <ul>
 *   <li>scores are processed log-softmax values accumulated per beam; at the first step only beam 0 is live;</li>
 *   <li>each step keeps the best {@code max(2, 1 + #eos) * num_beams} continuations; those among the top
 *       {@code num_beams} that end (EOS, stop string, or the length limit) join the finished set with
 *       score {@code sum / generated_length ^ length_penalty}; the best {@code num_beams} that do not end
 *       keep running;</li>
 *   <li>a prompt is done when its finished set is full and, with {@code early_stopping=False}, the best
 *       running beam cannot beat the worst finished one at the current length (or, with
 *       {@code early_stopping=True}, as soon as the set is full).</li>
 * </ul>
 * Done prompts leave the session, so each prompt's result is independent of the rest of the batch.
 */
public final class BeamSearch implements GenerationStrategy {

    private record Hypothesis(int[] tokens, float[] logprobs, double score, FinishReason reason, CacheSnapshot cache) {
        void release() {
            if (cache != null) {
                cache.close();
            }
        }
    }

    private final boolean keepCaches;

    public BeamSearch() {
        this(false);
    }

    /** @param keepCaches attach each returned sequence's KV cache, for a following conversation turn */
    public BeamSearch(boolean keepCaches) {
        this.keepCaches = keepCaches;
    }

    /** One candidate continuation: parent beam, token, accumulated score and the token's raw log-prob. */
    private record Candidate(int beam, int token, double score, float logprob) {
    }

    /** Search state of one prompt. */
    private static final class Beams {
        final int prompt;
        int[][] tokens;
        float[][] logprobs;
        double[] scores;
        int[] parents; // beam each running beam continues, from the last step
        int live = 1; // beams holding real hypotheses (only beam 0 before the first step)
        final List<Hypothesis> finished = new ArrayList<>();
        boolean improvable = true;
        boolean done;

        Beams(int prompt, int numBeams) {
            this.prompt = prompt;
            this.tokens = new int[numBeams][0];
            this.logprobs = new float[numBeams][0];
            this.scores = new double[numBeams];
        }
    }

    @Override
    public List<List<GeneratedSequence>> generate(DecoderSession session, List<int[]> prompts, GenerationConfig config,
                                                  StopCondition stop) {
        int n = prompts.size();
        int k = config.numBeams();
        int keep = Math.max(2, 1 + config.eosIds().size()) * k;
        Beams[] beams = new Beams[n];
        List<Beams> active = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            beams[i] = new Beams(i, k);
            active.add(beams[i]);
        }
        // Session rows: for each active prompt, `live` consecutive rows (1 per prompt before the first step).
        Logits logits = session.append(GenerationStrategy.uncachedSuffixes(session, prompts));
        for (int generated = 1; !active.isEmpty(); generated++) {
            List<Integer> parentRows = new ArrayList<>();
            List<int[]> nextTokens = new ArrayList<>();
            List<Beams> stillActive = new ArrayList<>();
            int row = 0;
            for (Beams b : active) {
                Candidate[] top = topCandidates(b, logits, row, keep, prompts.get(b.prompt), config);
                advance(b, top, row, generated, config, stop, keepCaches ? session : null, prompts.get(b.prompt));
                if (!b.done) {
                    for (int j = 0; j < k; j++) {
                        parentRows.add(row + b.parents[j]);
                        nextTokens.add(new int[] {b.tokens[j][b.tokens[j].length - 1]});
                    }
                    stillActive.add(b);
                }
                row += b.live;
                b.live = k;
            }
            active = stillActive;
            if (active.isEmpty()) {
                break;
            }
            session.select(parentRows.stream().mapToInt(Integer::intValue).toArray());
            logits = session.append(nextTokens.toArray(new int[0][]));
        }
        List<List<GeneratedSequence>> out = new ArrayList<>(n);
        for (Beams b : beams) {
            List<GeneratedSequence> seqs = new ArrayList<>();
            for (int i = 0; i < b.finished.size(); i++) {
                Hypothesis h = b.finished.get(i);
                if (i < config.numReturnSequences()) {
                    seqs.add(new GeneratedSequence(h.tokens(), h.logprobs(), h.score(), h.reason(), h.cache()));
                } else {
                    h.release();
                }
            }
            out.add(seqs);
        }
        return out;
    }

    /** The best `keep` continuations over all live beams of one prompt, best first. */
    private static Candidate[] topCandidates(Beams b, Logits logits, int firstRow, int keep, int[] prompt,
                                             GenerationConfig config) {
        TopK top = new TopK(keep);
        for (int j = 0; j < b.live; j++) {
            float[] raw = logits.values()[firstRow + j];
            double lse = logits.logSumExp()[firstRow + j];
            float[] scores = new float[raw.length];
            for (int v = 0; v < raw.length; v++) {
                scores[v] = (float) (raw[v] - lse);
            }
            int generated = b.tokens[j].length;
            LogitsProcessing.repetitionPenalty(scores, prompt, b.tokens[j], generated, config.repetitionPenalty());
            LogitsProcessing.minNewTokens(scores, generated, config.minNewTokens(), config.eosIds());
            for (int v = 0; v < scores.length; v++) {
                double s = b.scores[j] + scores[v];
                if (top.accepts(s)) {
                    top.add(new Candidate(j, v, s, (float) (raw[v] - lse)));
                }
            }
        }
        return top.sorted();
    }

    /** Applies one step's candidates to a prompt's finished set and running beams. */
    private static void advance(Beams b, Candidate[] top, int firstRow, int generated, GenerationConfig config,
                                StopCondition stop, DecoderSession keepFrom, int[] prompt) {
        int k = config.numBeams();
        double norm = Math.pow(generated, config.lengthPenalty());
        boolean acceptFinished = b.improvable && !(config.earlyStopping() && b.finished.size() == k);
        int[][] nextTokens = new int[k][];
        float[][] nextLogprobs = new float[k][];
        double[] nextScores = new double[k];
        int[] parent = new int[k];
        int running = 0;
        List<Candidate> ended = new ArrayList<>();
        for (int rank = 0; rank < top.length; rank++) {
            Candidate c = top[rank];
            int[] seq = append(b.tokens[c.beam()], c.token());
            FinishReason reason = LogitsProcessing.isEos(c.token(), config.eosIds()) ? FinishReason.EOS
                    : stop.shouldStop(seq) ? FinishReason.STOP
                    : generated >= config.maxNewTokens() ? FinishReason.LENGTH : null;
            if (reason != null) {
                if (rank < k && acceptFinished) {
                    // the parent row holds the prompt and the hypothesis minus its last token
                    CacheSnapshot cache = keepFrom == null ? null
                            : keepFrom.snapshot(firstRow + c.beam(), GreedySearch.concat(prompt, b.tokens[c.beam()], b.tokens[c.beam()].length));
                    b.finished.add(new Hypothesis(seq, append(b.logprobs[c.beam()], c.logprob()), c.score() / norm, reason, cache));
                }
                ended.add(c);
            } else if (running < k) {
                nextTokens[running] = seq;
                nextLogprobs[running] = append(b.logprobs[c.beam()], c.logprob());
                nextScores[running] = c.score();
                parent[running] = c.beam();
                running++;
            }
        }
        // HF keeps num_beams running beams even when fewer continue: ended candidates fill in at -1e9.
        for (int i = 0; running < k && i < ended.size(); i++, running++) {
            Candidate c = ended.get(i);
            nextTokens[running] = append(b.tokens[c.beam()], c.token());
            nextLogprobs[running] = append(b.logprobs[c.beam()], c.logprob());
            nextScores[running] = c.score() - 1e9;
            parent[running] = c.beam();
        }
        b.finished.sort(Comparator.comparingDouble(Hypothesis::score).reversed()); // stable: earlier first on ties
        while (b.finished.size() > k) {
            b.finished.remove(b.finished.size() - 1).release();
        }
        b.tokens = nextTokens;
        b.logprobs = nextLogprobs;
        b.scores = nextScores;
        b.parents = parent;
        if (b.improvable) {
            double worst = b.finished.size() == k ? b.finished.get(k - 1).score() : -1e9;
            b.improvable = b.finished.size() < k || nextScores[0] / norm > worst;
        }
        b.done = generated >= config.maxNewTokens() || !b.improvable
                || (config.earlyStopping() && b.finished.size() == k);
    }

    private static int[] append(int[] a, int v) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = v;
        return r;
    }

    private static float[] append(float[] a, float v) {
        float[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = v;
        return r;
    }

    /** Keeps the k best candidates seen (ties broken toward the earlier beam and lower token, as a stable top-k). */
    private static final class TopK {
        private final Candidate[] heap;
        private int size;

        TopK(int k) {
            heap = new Candidate[k];
        }

        boolean accepts(double score) {
            return size < heap.length || score > heap[0].score();
        }

        void add(Candidate c) {
            if (size < heap.length) {
                heap[size] = c;
                siftUp(size++);
            } else {
                heap[0] = c;
                siftDown(0);
            }
        }

        // min-heap on score; among equal scores the later candidate counts as smaller, so it leaves first
        private static boolean less(Candidate a, Candidate b) {
            if (a.score() != b.score()) {
                return a.score() < b.score();
            }
            return a.beam() != b.beam() ? a.beam() > b.beam() : a.token() > b.token();
        }

        private void siftUp(int i) {
            while (i > 0) {
                int p = (i - 1) / 2;
                if (!less(heap[i], heap[p])) {
                    break;
                }
                swap(i, p);
                i = p;
            }
        }

        private void siftDown(int i) {
            while (true) {
                int l = 2 * i + 1;
                int r = l + 1;
                int m = i;
                if (l < size && less(heap[l], heap[m])) {
                    m = l;
                }
                if (r < size && less(heap[r], heap[m])) {
                    m = r;
                }
                if (m == i) {
                    return;
                }
                swap(i, m);
                i = m;
            }
        }

        private void swap(int a, int b) {
            Candidate t = heap[a];
            heap[a] = heap[b];
            heap[b] = t;
        }

        Candidate[] sorted() {
            Candidate[] out = Arrays.copyOf(heap, size);
            Arrays.sort(out, (a, b) -> less(a, b) ? 1 : less(b, a) ? -1 : 0);
            return out;
        }
    }
}
