package org.bayling.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import java.util.List;
import org.bayling.SharedData;
import org.bayling.generate.BeamSearch;
import org.bayling.generate.GeneratedSequence;
import org.bayling.generate.GenerationConfig;
import org.bayling.generate.GreedySearch;
import org.bayling.generate.StopCondition;
import org.bayling.model.checkpoint.CheckpointReader;
import org.bayling.model.checkpoint.Checkpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decoder against Hugging Face's float64 reference on the tiny fixtures: logits, greedy, beam-5. */
class LlamaModelGoldenTest {

    /** float32 against float64: measured max 5.9e-6 (logits), 3.6e-6 (log-probs), 9.8e-7 (beam scores). */
    static final double TOL = 2e-5;

    static LlamaModel llama2;
    static LlamaModel llama3;

    @BeforeAll
    static void load() throws Exception {
        llama2 = open("tiny-llama2");
        llama3 = open("tiny-llama3");
    }

    static LlamaModel open(String fixture) throws Exception {
        var dir = SharedData.fixture(fixture);
        ModelConfig config = ModelConfig.load(dir);
        try (CheckpointReader reader = Checkpoints.open(dir)) {
            return LlamaModel.load(config, reader, Device.cpu(), Precision.F32);
        }
    }

    @AfterAll
    static void close() {
        llama2.close();
        llama3.close();
    }

    static LlamaModel model(String fixture) {
        return fixture.equals("tiny-llama2") ? llama2 : llama3;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama2", "tiny-llama3"})
    void logitsMatchAtEveryPosition(String fixture) throws Exception {
        Golden golden = Golden.load(fixture);
        double worst = 0;
        for (JsonObject c : golden.cases) {
            int[] ids = Golden.ints(c.getAsJsonArray("input_ids"));
            float[][] logits;
            try (LlamaSession s = model(fixture).newSession(1)) {
                logits = s.appendAllLogits(ids);
            }
            int[] argmax = Golden.ints(c.getAsJsonArray("argmax_per_position"));
            for (int p = 0; p < ids.length; p++) {
                int best = 0;
                for (int v = 1; v < logits[p].length; v++) {
                    if (logits[p][v] > logits[p][best]) {
                        best = v;
                    }
                }
                assertEquals(argmax[p], best, fixture + " argmax at position " + p);
            }
            double[] head0 = Golden.doubles(c.getAsJsonArray("pos0_logits_head64"));
            double[] headLast = Golden.doubles(c.getAsJsonArray("last_logits_head64"));
            float[] last = logits[ids.length - 1];
            for (int v = 0; v < 64; v++) {
                worst = Math.max(worst, Math.abs(head0[v] - logits[0][v]));
                worst = Math.max(worst, Math.abs(headLast[v] - last[v]));
            }
            int[] topIds = Golden.ints(c.getAsJsonArray("last_logits_top20_ids"));
            double[] topVals = Golden.doubles(c.getAsJsonArray("last_logits_top20_vals"));
            for (int i = 0; i < topIds.length; i++) {
                worst = Math.max(worst, Math.abs(topVals[i] - last[topIds[i]]));
            }
            double lse = 0;
            float max = Float.NEGATIVE_INFINITY;
            for (float v : last) {
                max = Math.max(max, v);
            }
            for (float v : last) {
                lse += Math.exp(v - max);
            }
            worst = Math.max(worst, Math.abs(c.get("last_logsumexp").getAsDouble() - (max + Math.log(lse))));
        }
        System.out.printf("%s: max |logit - golden| = %.3g%n", fixture, worst);
        assertTrue(worst < TOL, "max logit error " + worst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama2", "tiny-llama3"})
    void greedyMatchesGolden(String fixture) throws Exception {
        Golden golden = Golden.load(fixture);
        List<Integer> eos = ModelConfig.load(SharedData.fixture(fixture)).eosTokenIds();
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(32).eosIds(eos).build();
        double worst = 0;
        for (JsonObject c : golden.cases) {
            int[] ids = Golden.ints(c.getAsJsonArray("input_ids"));
            JsonObject g = c.getAsJsonObject("greedy");
            GeneratedSequence out;
            try (LlamaSession s = model(fixture).newSession(1)) {
                out = new GreedySearch().generate(s, List.of(ids), cfg, StopCondition.NEVER).get(0).get(0);
            }
            assertArrayEquals(Golden.ints(g.getAsJsonArray("output_ids")), out.tokens(), fixture + " greedy tokens");
            double[] lp = Golden.doubles(g.getAsJsonArray("token_logprobs"));
            for (int i = 0; i < lp.length; i++) {
                worst = Math.max(worst, Math.abs(lp[i] - out.tokenLogprobs()[i]));
            }
        }
        System.out.printf("%s: greedy max |logprob - golden| = %.3g%n", fixture, worst);
        assertTrue(worst < TOL, "greedy logprob error " + worst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama2", "tiny-llama3"})
    void beamFiveMatchesGolden(String fixture) throws Exception {
        Golden golden = Golden.load(fixture);
        List<Integer> eos = ModelConfig.load(SharedData.fixture(fixture)).eosTokenIds();
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(32).numBeams(5).numReturnSequences(5)
                .eosIds(eos).build();
        double worst = 0;
        for (JsonObject c : golden.cases) {
            int[] ids = Golden.ints(c.getAsJsonArray("input_ids"));
            JsonObject b = c.getAsJsonObject("beam5");
            List<GeneratedSequence> out;
            try (LlamaSession s = model(fixture).newSession(1)) {
                out = new BeamSearch().generate(s, List.of(ids), cfg, StopCondition.NEVER).get(0);
            }
            var expected = b.getAsJsonArray("output_ids");
            double[] scores = Golden.doubles(b.getAsJsonArray("sequences_scores"));
            assertEquals(5, out.size());
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(Golden.ints(expected.get(i).getAsJsonArray()), out.get(i).tokens(),
                        fixture + " beam " + i);
                worst = Math.max(worst, Math.abs(scores[i] - out.get(i).score()));
            }
        }
        System.out.printf("%s: beam-5 max |score - golden| = %.3g%n", fixture, worst);
        assertTrue(worst < TOL, "beam score error " + worst);
    }
}
