package org.bayling.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bayling.SharedData;
import org.bayling.generate.GenerationConfig;
import org.junit.jupiter.api.Test;

/**
 * The planner: checks, one prompt or a cut text, batches under the budget, reassembly with the
 * source layout and spans. A scripted engine (one token per word, "translation" = upper case) makes
 * the layout checks exact; one test runs a 6,000-word row through the real tiny model.
 */
class TranslationPlannerTest {

    static final GenerationConfig GREEDY_4 = GenerationConfig.builder().maxNewTokens(4).build();

    /** One token per word plus 10 for the template; upper-cases; fails texts containing FAIL. */
    static final class ScriptedEngine implements TranslationEngine {
        final List<Integer> batchSizes = new ArrayList<>();
        final List<Integer> batchCosts = new ArrayList<>();
        final int context;

        ScriptedEngine(int context) {
            this.context = context;
        }

        @Override
        public TaskPrompt prompt(TranslationTask t) {
            return new TaskPrompt(t, "translate: " + t.text(), new int[10 + countTokens(t.text())], "", null);
        }

        @Override
        public int countTokens(String text) {
            return text.isBlank() ? 0 : text.trim().split("\\s+").length;
        }

        @Override
        public int contextTokens() {
            return context;
        }

        @Override
        public List<TranslationOutcome> translate(List<TaskPrompt> batch) {
            batchSizes.add(batch.size());
            batchCosts.add(batch.stream().mapToInt(TaskPrompt::tokens).max().orElse(0) * batch.size());
            List<TranslationOutcome> out = new ArrayList<>();
            for (TaskPrompt p : batch) {
                String text = p.task().text();
                if (text.contains("FAIL")) {
                    out.add(TranslationOutcome.failed(p.task().key(), "scripted failure"));
                    continue;
                }
                String t = text.toUpperCase(Locale.ROOT);
                out.add(new TranslationOutcome(p.task().key(), true, null, List.of(new TurnOutput(p.instruction(), t,
                        new int[] {1, 2}, new float[] {-0.5f, -0.25f}, "eos")), p.tokens(), 3));
            }
            return out;
        }

        @Override
        public void close() {
        }
    }

    static TranslationPlanner planner(TranslationEngine e, TranslationUnit unit, int chunkTokens, int maxBatchTokens) {
        return new TranslationPlanner(e, new TranslationPlanner.Settings(unit, 0, maxBatchTokens, chunkTokens, GREEDY_4));
    }

    static void assertSpans(String source, RowTranslation r) {
        int lastSource = -1;
        for (RowTranslation.TranslatedSegment s : r.segments()) {
            assertEquals(s.source(), source.substring(s.sourceStart(), s.sourceEnd()), "source span");
            assertEquals(s.translation(), r.translation().substring(s.targetStart(), s.targetEnd()), "target span");
            assertTrue(s.sourceStart() > lastSource, "segments in order");
            lastSource = s.sourceStart();
        }
    }

    @Test
    void paragraphsLineBreaksAndCrlfAreKeptExactly() {
        String text = "  Dr. Smith arrived at 5 p.m. He was late.\r\n\r\n- First item of the list.\r\n- Second item.\r\n"
                + "\r\nThe committee met on Thursday. It discussed the budget. Everyone agreed.\n\n\"Is that so?\" she asked.\n";
        ScriptedEngine e = new ScriptedEngine(4096);
        RowTranslation r = planner(e, TranslationUnit.DOCUMENT, 8, 8192)
                .translate(List.of(new TranslationTask("d", text, "en", "de", List.of(), List.of()))).get(0);
        assertEquals(RowTranslation.Status.OK, r.status(), r.error());
        // the layout is the source's, character for character: only the sentences changed (to upper case)
        String expected = "  DR. SMITH ARRIVED AT 5 P.M. HE WAS LATE.\r\n\r\n- FIRST ITEM OF THE LIST.\r\n- SECOND ITEM.\r\n"
                + "\r\nTHE COMMITTEE MET ON THURSDAY. IT DISCUSSED THE BUDGET. EVERYONE AGREED.\n\n\"IS THAT SO?\" SHE ASKED.\n";
        assertEquals(expected, r.translation());
        assertTrue(r.segments().size() >= 6, "cut into chunks under 8 tokens: " + r.segments().size());
        assertSpans(text, r);
        assertEquals(r.segments().size(), r.turns().size());
        assertEquals(3 * r.segments().size(), r.reusedPrefixTokens());
    }

    @Test
    void sentenceUnitTranslatesEachSentenceAlone() {
        String text = "One short sentence. Another one follows. And a third.\n\nA new paragraph.";
        RowTranslation r = planner(new ScriptedEngine(4096), TranslationUnit.SENTENCE, 256, 8192)
                .translate(List.of(TranslationTask.of("s", text, "en", "de"))).get(0);
        assertEquals(4, r.segments().size());
        assertEquals(text.toUpperCase(Locale.ROOT), r.translation());
        assertSpans(text, r);
    }

    @Test
    void autoCutsOnlyTextsOverThePromptBudget() {
        ScriptedEngine e = new ScriptedEngine(64); // 64 - 4 new tokens: prompts up to 60 tokens go whole
        String shortText = "A sentence that fits. And another one.";
        String longText = "This sentence is long enough to matter. ".repeat(12).trim();
        List<RowTranslation> out = planner(e, TranslationUnit.AUTO, 16, 8192).translate(List.of(
                TranslationTask.of("a", shortText, "en", "de"), TranslationTask.of("b", longText, "en", "de")));
        assertEquals(1, out.get(0).segments().size());
        assertTrue(out.get(1).segments().size() > 1);
        assertEquals(longText.toUpperCase(Locale.ROOT), out.get(1).translation());

        RowTranslation none = planner(e, TranslationUnit.NONE, 16, 8192)
                .translate(List.of(TranslationTask.of("b", longText, "en", "de"))).get(0);
        assertEquals(RowTranslation.Status.ERROR, none.status());
        assertTrue(none.error().startsWith("input too long: prompt has 94 tokens"), none.error());
        assertTrue(none.error().contains("context of 64 tokens") && none.error().contains("unit 'none'"), none.error());
    }

    @Test
    void rowsWithFollowUpsAreNeverCut() {
        String longText = "Word ".repeat(80).trim() + ".";
        RowTranslation r = planner(new ScriptedEngine(64), TranslationUnit.AUTO, 16, 8192).translate(List.of(
                new TranslationTask("t", longText, "en", "de", List.of("Make it formal."), List.of()))).get(0);
        assertEquals(RowTranslation.Status.ERROR, r.status());
        assertTrue(r.error().contains("follow-up turns are not cut"), r.error());
    }

    @Test
    void failedSegmentsMakeTheRowAnErrorNamingThem() {
        String text = "First sentence here. Second FAIL sentence. Third sentence.\n\nFourth FAIL one.";
        RowTranslation r = planner(new ScriptedEngine(4096), TranslationUnit.SENTENCE, 256, 8192)
                .translate(List.of(TranslationTask.of("f", text, "en", "de"))).get(0);
        assertEquals(RowTranslation.Status.ERROR, r.status());
        assertEquals("segments 2, 4 of 4 failed: scripted failure", r.error());
        assertNull(r.translation());
    }

    @Test
    void checksSkipsDedupAndBudgetedBatchesAcrossRows() {
        ScriptedEngine e = new ScriptedEngine(4096);
        List<TranslationTask> rows = new ArrayList<>();
        rows.add(TranslationTask.of("null", null, "en", "zh"));
        rows.add(TranslationTask.of("empty", "  ", "en", "zh"));
        rows.add(TranslationTask.of("lang", "Hello.", "en", "xx-nope"));
        rows.add(TranslationTask.of("ctrl", "Hello\u0007 there.", "en", "zh"));
        rows.add(TranslationTask.of("same", "Hello.", "en", "EN"));
        for (int i = 0; i < 20; i++) {
            rows.add(TranslationTask.of("r" + i, "Sentence number " + (i % 10) + " has words.", "en", "zh"));
        }
        List<RowTranslation> out = planner(e, TranslationUnit.AUTO, 256, 50).translate(rows);
        assertEquals("text is null", out.get(0).error());
        assertEquals("text is empty", out.get(1).error());
        assertTrue(out.get(2).error().contains("xx-nope"), out.get(2).error());
        assertTrue(out.get(3).error().contains("control character"), out.get(3).error());
        assertEquals(RowTranslation.Status.SKIPPED, out.get(4).status());
        assertEquals("Hello.", out.get(4).translation());
        for (int i = 5; i < rows.size(); i++) {
            assertEquals(rows.get(i).text().toUpperCase(Locale.ROOT), out.get(i).translation());
        }
        assertEquals(10, e.batchSizes.stream().mapToInt(Integer::intValue).sum(), "ten distinct rows, each once");
        for (int cost : e.batchCosts) {
            assertTrue(cost <= 50, "batch cost " + cost + " within the budget");
        }
    }

    @Test
    void sixThousandWordRowIsTranslatedWithTheRealModel() throws java.io.IOException {
        List<String> sentences = java.nio.file.Files.readAllLines(SharedData.wmt22("enzh.src")).subList(0, 400);
        StringBuilder doc = new StringBuilder();
        int words = 0;
        for (int i = 0; words < 6000; i++) {
            String s = sentences.get(i % sentences.size());
            doc.append(s).append(i % 7 == 6 ? "\n\n" : " ");
            words += s.split("\\s+").length;
        }
        String text = doc.toString().trim();
        try (TranslationEngine engine = BaylingTranslationEngine.open(
                EngineOptions.of(SharedData.fixture("tiny-llama2").toString(), GREEDY_4))) {
            RowTranslation r = new TranslationPlanner(engine, new TranslationPlanner.Settings(TranslationUnit.AUTO, 0,
                    8192, 256, GREEDY_4)).translate(List.of(TranslationTask.of("doc", text, "en", "zh"))).get(0);
            assertEquals(RowTranslation.Status.OK, r.status(), r.error());
            assertTrue(r.segments().size() > 20, "cut into chunks: " + r.segments().size());
            assertEquals(text.split("\n\n", -1).length, r.translation().split("\n\n", -1).length,
                    "the same paragraphs");
            assertSpans(text, r);
        }
    }
}
