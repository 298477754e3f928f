package org.bayling.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.bayling.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tokenizer: golden prompt ids, special tokens in text, BOS once, byte-fallback decoding token by token. */
class TokenizerTest {

    static BaylingTokenizer open(String fixture) throws Exception {
        Path dir = SharedData.fixture(fixture);
        return BaylingTokenizer.load(dir, ModelConfig.load(dir));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama2", "tiny-llama3"})
    void goldenPromptsTokenizeToGoldenIds(String fixture) throws Exception {
        Golden golden = Golden.load(fixture);
        try (BaylingTokenizer tok = open(fixture)) {
            for (int i = 0; i < golden.prompts.size(); i++) {
                int[] ids = tok.encode(golden.prompts.get(i));
                assertArrayEquals(Golden.ints(golden.cases.get(i).getAsJsonArray("input_ids")), ids, "prompt " + i);
                assertEquals(1, java.util.Arrays.stream(ids).filter(t -> t == tok.bosId()).count(), "BOS exactly once");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama2", "tiny-llama3"})
    void specialTokensInTextMapToTheirIdsAndDecodeDropsThem(String fixture) throws Exception {
        try (BaylingTokenizer tok = open(fixture)) {
            String marker = fixture.equals("tiny-llama2") ? "</s>" : "<|eot_id|>";
            int id = fixture.equals("tiny-llama2") ? 2 : 128009;
            int[] ids = tok.encode("A" + marker + "B");
            assertTrue(java.util.Arrays.stream(ids).anyMatch(t -> t == id), "special token id present");
            String text = tok.decode(ids);
            assertFalse(text.contains(marker), text);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama2", "tiny-llama3"})
    void tokenByTokenDecodingNeverSplitsACharacter(String fixture) throws Exception {
        String text = "百聆 BayLing 🦙 translates: 北京时间2023年6月15日，😀 émigré\ttabs";
        try (BaylingTokenizer tok = open(fixture)) {
            int[] ids = tok.encode(text);
            int[] generated = java.util.Arrays.copyOfRange(ids, 1, ids.length); // without BOS
            IncrementalDecoder dec = new IncrementalDecoder(tok);
            StringBuilder out = new StringBuilder();
            for (int t : generated) {
                String piece = dec.push(t);
                assertFalse(piece.contains("\uFFFD"), "no replacement character in a piece");
                if (!piece.isEmpty()) {
                    assertFalse(Character.isHighSurrogate(piece.charAt(piece.length() - 1)), "no split surrogate pair");
                }
                out.append(piece);
            }
            out.append(dec.flush());
            assertEquals(tok.decode(generated), out.toString());
            assertTrue(out.toString().contains("🦙") && out.toString().contains("北京时间"), out.toString());
        }
    }
}
