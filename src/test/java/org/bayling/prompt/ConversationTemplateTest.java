package org.bayling.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bayling.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConversationTemplateTest {

    private static List<String> goldenPrompts(String fixture) throws IOException {
        String json = Files.readString(SharedData.fixture(fixture).resolve("golden.json"), StandardCharsets.UTF_8);
        JsonArray arr = JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("prompts");
        List<String> out = new ArrayList<>();
        arr.forEach(e -> out.add(e.getAsString()));
        return out;
    }

    /** The five golden cases, built from their turns the way the pipeline builds them. */
    private static List<String> buildGoldenCases(ConversationTemplate t) {
        InstructionLanguage en = InstructionLanguage.EN;
        return List.of(
                Conversation.start(t).prompt(
                        TranslationInstruction.build(en, "zh", "I'm sorry that your order is running late.")),
                Conversation.start(t).prompt(
                        TranslationInstruction.build(InstructionLanguage.ZH, "en", "很抱歉，您点的餐可能会晚到一会。")),
                Conversation.start(t).prompt(TranslationInstruction.build(en, "de",
                        "The committee will meet again on Thursday, 12 March, to discuss the budget.")),
                Conversation.start(t)
                        .withTurn(TranslationInstruction.build(en, "zh-CN", "Thank you for waiting."), "感谢您的等待。")
                        .prompt("Make the translation more formal, and use the term \"订单\" for order."),
                Conversation.start(t).prompt("Translate the following text into English, keeping the names unchanged: "
                        + "北京时间2023年6月15日，中国科学院计算技术研究所发布了百聆大模型。"
                        + "该模型以LLaMA为基座，通过交互式翻译任务来对齐跨语言能力和指令遵循能力。"));
    }

    @Test
    void baylingGoldenPromptsByteForByte() throws IOException {
        List<String> golden = goldenPrompts("tiny-llama2");
        List<String> built = buildGoldenCases(ConversationTemplate.BAYLING);
        assertEquals(5, golden.size());
        for (int i = 0; i < golden.size(); i++) {
            assertEquals(golden.get(i), built.get(i), "case " + (i + 1));
        }
    }

    @Test
    void bayling3GoldenPromptsByteForByte() throws IOException {
        List<String> golden = goldenPrompts("tiny-llama3");
        List<String> built = buildGoldenCases(ConversationTemplate.BAYLING3);
        assertEquals(5, golden.size());
        for (int i = 0; i < golden.size(); i++) {
            assertEquals(golden.get(i), built.get(i), "case " + (i + 1));
        }
    }

    @Test
    void threeTurnConversationMatchesHandBuiltTemplate() {
        String sys = "I am an intelligent language assistant developed by the NLP Group of ICT/CAS.\n"
                + "Below is a dialog consisting of instructions and responses. Write a response that completes the request.\n";
        String i1 = "Provide the German translation for this sentence: Good morning.";
        String r1 = "Guten Morgen.";
        String i2 = "Make it more casual.";
        String r2 = "Morgen!";
        String i3 = "Now in Chinese, please.";

        Conversation c0 = Conversation.start(ConversationTemplate.BAYLING);
        Conversation c1 = c0.withTurn(i1, r1);
        Conversation c2 = c1.withTurn(i2, r2);

        String p1 = sys + "\n### Instruction:\n" + i1 + "\n### Response:\n";
        String p2 = sys + "\n### Instruction:\n" + i1 + "\n### Response:\n" + r1 + "</s>\n"
                + "### Instruction:\n" + i2 + "\n### Response:\n";
        String p3 = sys + "\n### Instruction:\n" + i1 + "\n### Response:\n" + r1 + "</s>\n"
                + "### Instruction:\n" + i2 + "\n### Response:\n" + r2 + "</s>\n"
                + "### Instruction:\n" + i3 + "\n### Response:\n";
        assertEquals(p1, c0.prompt(i1));
        assertEquals(p2, c1.prompt(i2));
        assertEquals(p3, c2.prompt(i3));
        assertEquals(sys + "\n", c0.systemPrefix());
        assertEquals(c0.systemPrefix(), ConversationTemplate.BAYLING.renderSystem());

        // each prompt, and each prompt followed by the model's answer and stop marker, is a prefix of the next
        assertTrue(p2.startsWith(p1 + r1 + "</s>"));
        assertTrue(p3.startsWith(p2 + r2 + "</s>"));
        assertTrue(p3.startsWith(c1.prefix()) && p3.startsWith(c2.prefix()) && c2.prefix().startsWith(c1.prefix()));
        assertTrue(c1.prefix().startsWith(c0.systemPrefix()));
    }

    @Test
    void threeTurnBayling3ConversationMatchesHandBuiltTemplate() {
        String h = "<|start_header_id|>system<|end_header_id|>\n\nI am BayLing developed by the NLP Group of ICT/CAS.<|eot_id|>";
        String u = "<|start_header_id|>user<|end_header_id|>\n\n";
        String a = "<|start_header_id|>assistant<|end_header_id|>\n\n";
        String e = "<|eot_id|>";
        Conversation c0 = Conversation.start(ConversationTemplate.BAYLING3);
        // instructions and responses are stripped as Python does, NBSP included
        Conversation c1 = c0.withTurn("  Translate: Hallo\n", "\u00a0Hello \n");
        Conversation c2 = c1.withTurn("Shorter?", "Hi");
        String p3 = h + u + "Translate: Hallo" + e + a + "Hello" + e + u + "Shorter?" + e + a + "Hi" + e
                + u + "Thanks" + e + a;
        assertEquals(p3, c2.prompt(" Thanks "));
        assertEquals(h + u + "Translate: Hallo" + e + a, c0.prompt("  Translate: Hallo\n"));
        assertTrue(c2.prompt("x").startsWith(c1.prompt("Shorter?") + "Hi" + e));
        assertTrue(c1.prompt("Shorter?").startsWith(c0.prompt("Translate: Hallo") + "Hello" + e));
        assertEquals(h, c2.systemPrefix());
    }

    @Test
    void prefixPropertyHoldsForEveryTurnCount() {
        for (ConversationTemplate t : ConversationTemplate.values()) {
            Conversation c = Conversation.start(t);
            String previousPrefix = c.prefix();
            for (int k = 1; k <= 5; k++) {
                String prompt = c.prompt("instruction " + k);
                assertTrue(prompt.startsWith(previousPrefix), t + " turn " + k);
                c = c.withTurn("instruction " + k, "response " + k);
                assertTrue(c.prefix().startsWith(prompt + "response " + k + t.stopMarker()), t + " turn " + k);
                assertEquals(t.renderPrefix(c.turns()), c.prefix());
                previousPrefix = c.prefix();
            }
            assertEquals(5, c.turns().size());
        }
    }

    @Test
    void stopMarkersAndBos() {
        assertEquals("</s>", ConversationTemplate.BAYLING.stopMarker());
        assertEquals(List.of(2), ConversationTemplate.BAYLING.stopTokenIds());
        assertEquals("<|eot_id|>", ConversationTemplate.BAYLING3.stopMarker());
        assertEquals(List.of(128001, 128009), ConversationTemplate.BAYLING3.stopTokenIds());
        assertTrue(ConversationTemplate.BAYLING.tokenizerAddsBos(SharedData.fixture("tiny-llama2")));
        assertTrue(ConversationTemplate.BAYLING.tokenizerAddsBos(SharedData.fixture("tiny-llama2-bin")));
        // the fixture's Llama-3 tokenizer.json adds no BOS: golden ids are [128000] + encoding
        assertFalse(ConversationTemplate.BAYLING3.tokenizerAddsBos(SharedData.fixture("tiny-llama3")));
        assertEquals(128000, ConversationTemplate.BAYLING3.bosTokenId());
        assertEquals(1, ConversationTemplate.BAYLING.bosTokenId());
    }

    @Test
    void detectFromModelDirectory(@TempDir Path tmp) throws IOException {
        assertSame(ConversationTemplate.BAYLING, ConversationTemplate.detect(SharedData.fixture("tiny-llama2")));
        assertSame(ConversationTemplate.BAYLING, ConversationTemplate.detect(SharedData.fixture("tiny-llama2-bin")));
        assertSame(ConversationTemplate.BAYLING3, ConversationTemplate.detect(SharedData.fixture("tiny-llama3")));
        Path onlyTokenizer = Files.createDirectory(tmp.resolve("m"));
        Files.writeString(onlyTokenizer.resolve("tokenizer.json"), "{\"added_tokens\":[{\"content\":\"<|start_header_id|>\"}]}");
        assertSame(ConversationTemplate.BAYLING3, ConversationTemplate.detect(onlyTokenizer));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConversationTemplate.detect(tmp.resolve("empty")));
        assertTrue(e.getMessage().contains("tokenizer"));
    }

    @Test
    void selectableByName() {
        assertSame(ConversationTemplate.BAYLING, ConversationTemplate.byName("bayling"));
        assertSame(ConversationTemplate.BAYLING3, ConversationTemplate.byName(" BayLing3 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConversationTemplate.byName("vicuna"));
        assertTrue(e.getMessage().contains("vicuna") && e.getMessage().contains("bayling3"), e.getMessage());
    }

    @Test
    void emptyInstructionIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> ConversationTemplate.BAYLING.renderOpenTurn(" \n"));
        assertThrows(NullPointerException.class, () -> new Turn(null, "x"));
    }
}
