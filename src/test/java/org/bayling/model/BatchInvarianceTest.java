package org.bayling.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** The five golden prompts decoded as one left-padded batch give exactly the single-prompt golden outputs. */
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

    @ParameterizedTest
    @CsvSource({"tiny-llama2,1", "tiny-llama2,5", "tiny-llama3,1", "tiny-llama3,5"})
    void batchEqualsSingle(String fixture, int beams) throws Exception {
        Golden golden = Golden.load(fixture);
        LlamaModel model = fixture.equals("tiny-llama2") ? llama2 : llama3;
        List<Integer> eos = ModelConfig.load(SharedData.fixture(fixture)).eosTokenIds();
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(32).numBeams(beams).numReturnSequences(beams)
                .eosIds(eos).build();
        List<int[]> prompts = new ArrayList<>();
        for (JsonObject c : golden.cases) {
            prompts.add(Golden.ints(c.getAsJsonArray("input_ids")));
        }
        List<List<GeneratedSequence>> out;
        try (LlamaSession s = model.newSession(prompts.size())) {
            out = GenerationStrategy.forConfig(cfg).generate(s, prompts, cfg, StopCondition.NEVER);
        }
        for (int i = 0; i < prompts.size(); i++) {
            JsonObject c = golden.cases.get(i);
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
