package org.bayling.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bayling.SharedData;
import org.bayling.generate.GenerationConfig;
import org.bayling.prompt.AlignedSegment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Documents: paragraphs survive translation, every sentence is aligned, an over-long sentence is flagged. */
class DocumentTranslatorTest {

    static TranslationEngine engine;

    @BeforeAll
    static void open() {
        engine = BaylingTranslationEngine.open(EngineOptions.of(SharedData.fixture("tiny-llama2").toString(),
                GenerationConfig.builder().maxNewTokens(6).build()));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void paragraphsAndAlignmentSurvive() {
        String text = "Dr. Smith arrived at 5 p.m. He was late.\n\nThe committee met on Thursday. It discussed the budget. "
                + "Everyone agreed.\n\n\"Is that so?\" she asked.";
        DocumentTranslator.Result r = new DocumentTranslator(engine, 12).translate("doc1", text, "en", "zh");
        assertTrue(r.ok());
        String out = r.document().text();
        assertEquals(2, out.split("\n\n", -1).length - 1, "two paragraph breaks, as in the source: " + out);
        int sentences = org.bayling.prompt.DocumentSegmenter.forLanguage("en").segment(text).segments().size();
        assertTrue(sentences >= 6, "abbreviations did not split sentences: " + sentences);
        int next = 0;
        for (AlignedSegment s : r.document().segments()) {
            assertEquals(next, s.firstSegment(), "pieces cover the sentences in order, without gaps or overlaps");
            next = s.lastSegment() + 1;
        }
        assertEquals(sentences, next, "every source sentence is aligned to exactly one output piece");
        assertFalse(r.document().hasOversized());
    }

    @Test
    void overLongSentenceIsSplitAndFlagged() {
        String longSentence = "This sentence " + "keeps going and going ".repeat(40) + "until it ends.";
        DocumentTranslator.Result r = new DocumentTranslator(engine, 24).translate("doc2", longSentence, "en", "de");
        assertTrue(r.outcomes().size() > 1, "split into several chunks");
        assertTrue(r.document().hasOversized(), "flagged as split");
    }
}
