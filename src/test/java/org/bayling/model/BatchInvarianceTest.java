package org.bayling.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.bayling.SharedData;
import org.bayling.generate.GeneratedSequence;
import org.bayling.generate.GenerationConfig;
import org.bayling.generate.GenerationStrategy;
import org.bayling.generate.StopCondition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The five golden prompts decoded as one left-padded batch give exactly the single-prompt golden outputs; repeated
 * until the prefill exceeds {@link LlamaModel#PREFILL_GROUP_TOKENS}, they are prefilled in groups of rows, each
 * writing its own rows of the cache, and still give them for every copy.
 */
class BatchInvarianceTest {

    static LlamaModel llama2;
    static LlamaModel llama3;

    @BeforeAll
    static void load() throws Exception {
        llama2 = LlamaModelGoldenTest.open("tiny-llama2");
        llama3 = LlamaModelGoldenTest.open("tiny-llama3");
    }

    @AfterAll
    static void close() {
        llama2.close();
        llama3.close();
    }

    @ParameterizedTest(name = "{0}, {1} beam(s), {2} cop(ies) of the prompts")
    @CsvSource({"tiny-llama2,1,1", "tiny-llama2,5,1", "tiny-llama3,1,1", "tiny-llama3,5,1",
                "tiny-llama2,1,40", "tiny-llama3,1,40", "tiny-llama2,5,8"})
    void batchEqualsSingle(String fixture, int beams, int copies) throws Exception {
        Golden golden = Golden.load(fixture);
        LlamaModel model = fixture.equals("tiny-llama2") ? llama2 : llama3;
        List<Integer> eos = ModelConfig.load(SharedData.fixture(fixture)).eosTokenIds();
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(32).numBeams(beams).numReturnSequences(beams)
                .eosIds(eos).build();
        List<int[]> prompts = new ArrayList<>();
        for (int copy = 0; copy < copies; copy++) {
            for (JsonObject c : golden.cases) {
                prompts.add(Golden.ints(c.getAsJsonArray("input_ids")));
            }
        }
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        // tiny-llama2's five prompts alone (up to 161 tokens) are already prefilled in groups, tiny-llama3's are not
        assertTrue(copies == 1 || (long) longest * prompts.size() > 2L * LlamaModel.PREFILL_GROUP_TOKENS,
                "prefill in several groups of rows");
        List<List<GeneratedSequence>> out;
        try (LlamaSession s = model.newSession(prompts.size())) {
            out = GenerationStrategy.forConfig(cfg).generate(s, prompts, cfg, StopCondition.NEVER);
        }
        for (int i = 0; i < prompts.size(); i++) {
            JsonObject c = golden.cases.get(i % golden.cases.size());
            if (beams == 1) {
                assertArrayEquals(Golden.ints(c.getAsJsonObject("greedy").getAsJsonArray("output_ids")),
                        out.get(i).get(0).tokens(), fixture + " prompt " + i);
            } else {
                var expected = c.getAsJsonObject("beam5").getAsJsonArray("output_ids");
                assertEquals(5, out.get(i).size());
                for (int b = 0; b < 5; b++) {
                    assertArrayEquals(Golden.ints(expected.get(b).getAsJsonArray()), out.get(i).get(b).tokens(),
                            fixture + " prompt " + i + " beam " + b);
                }
            }
        }
    }
}
