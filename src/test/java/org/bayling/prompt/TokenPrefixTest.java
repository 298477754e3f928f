package org.bayling.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.bayling.SharedData;
import org.junit.jupiter.api.Test;

/**
 * The rendered prompts tokenize to the golden input ids, and the string-prefix guarantee holds at
 * token level too: the ids of turn 1's prompt plus its response and stop marker are a prefix of
 * the ids of turn 2's prompt (what KV-cache reuse relies on).
 */
class TokenPrefixTest {

    private static long[] ids(HuggingFaceTokenizer tok, ConversationTemplate t, Path dir, String prompt) {
        long[] enc = tok.encode(prompt, false, false).getIds();
        if (!t.tokenizerAddsBos(dir)) {
            long[] withBos = new long[enc.length + 1];
            withBos[0] = t.bosTokenId();
            System.arraycopy(enc, 0, withBos, 1, enc.length);
            return withBos;
        }
        return tok.encode(prompt, true, false).getIds();
    }

    private static void check(String fixture) throws IOException {
        Path dir = SharedData.fixture(fixture);
        ConversationTemplate t = ConversationTemplate.detect(dir);
        JsonObject golden = JsonParser.parseString(Files.readString(dir.resolve("golden.json"), StandardCharsets.UTF_8))
                .getAsJsonObject();
        JsonArray cases = golden.getAsJsonArray("cases");
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"), Map.of())) {
            String first = TranslationInstruction.build(InstructionLanguage.EN, "zh", "Thank you for waiting.");
            Conversation c0 = Conversation.start(t);
            Conversation c1 = c0.withTurn(first, "感谢您的等待。");
            String p2 = c1.prompt("Make the translation more formal, and use the term \"订单\" for order.");
            long[] expected = toLongs(cases.get(3).getAsJsonObject().getAsJsonArray("input_ids"));
            assertArrayEquals(expected, ids(tok, t, dir, p2), fixture + " case 4 ids");

            long[] turn1 = ids(tok, t, dir, c0.prompt(first) + "感谢您的等待。" + t.stopMarker());
            long[] turn2 = ids(tok, t, dir, p2);
            assertArrayEquals(turn1, Arrays.copyOf(turn2, turn1.length), fixture + " token prefix");
            long[] system = ids(tok, t, dir, c0.systemPrefix());
            assertArrayEquals(system, Arrays.copyOf(turn2, system.length), fixture + " system prefix");
            assertEquals(5, cases.size());
        }
    }

    private static long[] toLongs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    @Test
    void bayling() throws IOException {
        check("tiny-llama2");
    }

    @Test
    void bayling3() throws IOException {
        check("tiny-llama3");
    }
}
