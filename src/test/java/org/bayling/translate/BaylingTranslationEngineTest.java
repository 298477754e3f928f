package org.bayling.translate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.bayling.SharedData;
import org.bayling.generate.GeneratedSequence;
import org.bayling.generate.GenerationConfig;
import org.bayling.generate.GenerationStrategy;
import org.bayling.generate.StopCondition;
import org.bayling.model.BaylingModel;
import org.bayling.model.LlamaSession;
import org.bayling.prompt.ConversationTemplate;
import org.bayling.prompt.Turn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine: prompts as BayLing writes them, prefix and turn reuse equal to recomputation, per-row errors. */
class BaylingTranslationEngineTest {

    static final GenerationConfig GREEDY = GenerationConfig.builder().maxNewTokens(12).build();
    static BaylingTranslationEngine engine;

    @BeforeAll
    static void open() {
        engine = (BaylingTranslationEngine) BaylingTranslationEngine.open(
                EngineOptions.of(SharedData.fixture("tiny-llama2").toString(), GREEDY));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** Decodes a prompt from scratch in its own one-row session: the recomputation reference. */
    static GeneratedSequence fromScratch(BaylingModel model, String prompt, GenerationConfig cfg) {
        int[] ids = model.tokenizer().encode(prompt);
        try (LlamaSession s = model.decoder().newSession(1)) {
            GenerationConfig resolved = model.resolve(cfg);
            return GenerationStrategy.forConfig(resolved).generate(s, List.of(ids), resolved, StopCondition.NEVER).get(0).get(0);
        }
    }

    @Test
    void threeTurnConversationWithReuseEqualsRecomputation() {
        BaylingModel model = engine.model();
        ConversationTemplate t = model.template();
        String first = "Provide the Chinese translation for this sentence: Thank you for waiting.";
        List<String> followups = List.of("Make the translation more formal.", "Use the term \"订单\" for order.");
        TranslationTask task = new TranslationTask("c1", "Thank you for waiting.", "en", "zh", followups, List.of());
        TranslationOutcome out = engine.translate(prompts(List.of(task))).get(0);
        assertTrue(out.ok(), out.error());
        assertEquals(3, out.turns().size());
        assertTrue(out.reusedPrefixTokens() > 0, "earlier turns were reused");

        // recompute each turn from scratch with the hand-built template and compare
        List<Turn> history = new ArrayList<>();
        List<String> instructions = List.of(first, followups.get(0), followups.get(1));
        for (int k = 0; k < 3; k++) {
            String prompt = t.render(history, instructions.get(k));
            String byHand = "I am an intelligent language assistant developed by the NLP Group of ICT/CAS.\n"
                    + "Below is a dialog consisting of instructions and responses. Write a response that completes the request.\n\n";
            for (Turn h : history) {
                byHand += "### Instruction:\n" + h.instruction() + "\n### Response:\n" + h.response() + "</s>\n";
            }
            byHand += "### Instruction:\n" + instructions.get(k) + "\n### Response:\n";
            assertEquals(byHand, prompt, "turn " + k + " prompt");
            TurnOutput turn = out.turns().get(k);
            assertEquals(instructions.get(k), turn.instruction());
            GeneratedSequence expected = fromScratch(model, prompt, GREEDY);
            assertArrayEquals(expected.tokens(), turn.outputIds(), "turn " + k + " tokens with reuse == from scratch");
            for (int i = 0; i < expected.tokens().length; i++) {
                assertEquals(expected.tokenLogprobs()[i], turn.tokenLogprobs()[i], 1e-4);
            }
            history.add(new Turn(instructions.get(k), turn.response()));
        }
    }

    @Test
    void batchWithSharedPrefixEqualsSingleRowsFromScratch() {
        List<TranslationTask> tasks = List.of(
                TranslationTask.of("a", "I'm sorry that your order is running late.", "en", "zh"),
                TranslationTask.of("b", "The committee will meet again on Thursday.", "en", "de"),
                TranslationTask.of("c", "很抱歉，您点的餐可能会晚到一会。", "zh", "en"),
                TranslationTask.of("d", "Short.", "en", "zh"));
        List<TranslationOutcome> out = engine.translate(prompts(tasks));
        List<TranslationOutcome> again = engine.translate(prompts(tasks)); // second call: heads come from the prefix store
        BaylingModel model = engine.model();
        for (int i = 0; i < tasks.size(); i++) {
            TranslationOutcome o = out.get(i);
            assertTrue(o.ok(), o.error());
            assertEquals(tasks.get(i).key(), o.key());
            assertTrue(again.get(i).reusedPrefixTokens() > 30, "system prompt and instruction head reused");
            String instruction = org.bayling.prompt.TranslationInstruction.build(
                    org.bayling.prompt.InstructionLanguage.EN, tasks.get(i).tgtLang(), tasks.get(i).text());
            GeneratedSequence expected = fromScratch(model, model.template().render(List.of(), instruction), GREEDY);
            assertArrayEquals(expected.tokens(), o.lastTurn().outputIds(), "task " + i);
            assertArrayEquals(o.lastTurn().outputIds(), again.get(i).lastTurn().outputIds(), "task " + i + " on reuse");
            assertNotNull(o.translation());
        }
    }

    static List<TaskPrompt> prompts(List<TranslationTask> tasks) {
        return tasks.stream().map(engine::prompt).toList();
    }

    /** Row checks and budgets are the planner's ({@code TranslationPlannerTest}); the engine still refuses what it cannot run. */
    @Test
    void unpromptableAndOverlongPromptsBecomeErrorsNotExceptions() {
        List<TranslationTask> tasks = List.of(TranslationTask.of("lang", "Hello.", "en", "xx-nope"),
                TranslationTask.of("long", "word ".repeat(3000), "en", "zh"), TranslationTask.of("good", "Hello.", "en", "zh"));
        List<TranslationOutcome> out = engine.translate(prompts(tasks));
        assertEquals(tasks.size(), out.size());
        assertFalse(out.get(0).ok());
        assertTrue(out.get(0).error().contains("xx-nope"), out.get(0).error());
        assertFalse(out.get(1).ok());
        assertTrue(out.get(1).error().contains("context"), out.get(1).error());
        assertTrue(out.get(2).ok());
    }
}
