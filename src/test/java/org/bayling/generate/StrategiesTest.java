package org.bayling.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoding features on a scripted model whose right answers are known by hand. */
class StrategiesTest {

    static final int EOS = 3;

    /** Vocab 5: after token t the model prefers (t + 1) % 4, strongly; EOS (3) is preferred after 2. */
    static float[] chain(int[] seq) {
        int last = seq[seq.length - 1];
        float[] l = {0, 0, 0, 0, -5};
        l[(last + 1) % 4] = 4;
        l[4] = 1;
        return l;
    }

    static List<GeneratedSequence> run(GenerationConfig cfg, StopCondition stop, int[] prompt) {
        try (ScriptedSession s = new ScriptedSession(1, 5, StrategiesTest::chain)) {
            return GenerationStrategy.forConfig(cfg).generate(s, List.of(prompt), cfg, stop).get(0);
        }
    }

    @Test
    void greedyStopsOnEosAndKeepsIt() {
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(10).eosIds(List.of(EOS)).build();
        GeneratedSequence s = run(cfg, StopCondition.NEVER, new int[] {0}).get(0);
        assertArrayEquals(new int[] {1, 2, 3}, s.tokens());
        assertEquals(FinishReason.EOS, s.finishReason());
        // logits {4, 0, 0, 0 (three of the four chain tokens), 1}: log-prob of the preferred token
        double lp = 4 - Math.log(Math.exp(4) + 3 + Math.exp(1));
        assertEquals(lp, s.tokenLogprobs()[0], 1e-5);
        assertEquals(3 * lp, s.score(), 1e-4, "greedy score is the sum of log-probs");
    }

    @Test
    void minNewTokensSuppressesEosAndLengthIsReported() {
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(5).minNewTokens(5).eosIds(List.of(EOS)).build();
        GeneratedSequence s = run(cfg, StopCondition.NEVER, new int[] {0}).get(0);
        assertEquals(5, s.tokens().length);
        assertEquals(FinishReason.LENGTH, s.finishReason());
        for (int t : s.tokens()) {
            assertNotEquals(EOS, t);
        }
    }

    @Test
    void repetitionPenaltyAvoidsSeenTokens() {
        GenerationConfig plain = GenerationConfig.builder().maxNewTokens(1).eosIds(List.of(EOS)).build();
        assertEquals(1, run(plain, StopCondition.NEVER, new int[] {0}).get(0).tokens()[0]);
        GenerationConfig penalized = plain.toBuilder().repetitionPenalty(100.0).build();
        // token 1 is in the prompt: its logit 4 becomes 0.04, so token 4 (logit 1) wins
        assertEquals(4, run(penalized, StopCondition.NEVER, new int[] {1, 0}).get(0).tokens()[0]);
    }

    @Test
    void stopConditionEndsWithStop() {
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(10).minNewTokens(10).eosIds(List.of(EOS)).build();
        GeneratedSequence s = run(cfg, gen -> gen.length > 0 && gen[gen.length - 1] == 2, new int[] {0}).get(0);
        assertArrayEquals(new int[] {1, 2}, s.tokens());
        assertEquals(FinishReason.STOP, s.finishReason());
    }

    @Test
    void beamSearchFinishesOnEosWithLengthNormalisedScores() {
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(6).numBeams(3).numReturnSequences(3)
                .eosIds(List.of(EOS)).build();
        List<GeneratedSequence> out = run(cfg, StopCondition.NEVER, new int[] {0});
        assertEquals(3, out.size());
        GeneratedSequence best = out.get(0);
        assertArrayEquals(new int[] {1, 2, 3}, best.tokens(), "the chain to EOS is the most likely");
        assertEquals(FinishReason.EOS, best.finishReason());
        double sum = 0;
        for (float lp : best.tokenLogprobs()) {
            sum += lp;
        }
        assertEquals(sum / 3, best.score(), 1e-4, "score = sum of log-probs / length");
        for (int i = 1; i < out.size(); i++) {
            assertTrue(out.get(i - 1).score() >= out.get(i).score(), "best first");
        }
    }

    @Test
    void samplingIsReproducibleAndRespectsTopK() {
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(8).minNewTokens(8).doSample(true).topK(1)
                .seed(5).eosIds(List.of(EOS)).build();
        GeneratedSequence topOne = run(cfg, StopCondition.NEVER, new int[] {0}).get(0);
        // top-k 1 leaves only the argmax (EOS is suppressed by min_new_tokens, so after 2 comes 4)
        assertEquals(1, topOne.tokens()[0]);
        GenerationConfig wide = cfg.toBuilder().topK(0).temperature(5.0).build();
        assertArrayEquals(run(wide, StopCondition.NEVER, new int[] {0}).get(0).tokens(),
                run(wide, StopCondition.NEVER, new int[] {0}).get(0).tokens());
    }
}
