package org.bayling.quality.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TerTest {

    @Test
    void identicalIsZeroAndShiftCountsOnce() {
        Ter ter = Ter.defaults();
        assertEquals(0.0, ter.sentenceScore("a b c d", List.of("a b c d")).score(), 1e-12);
        // one block shift of "a" to the front instead of an insertion plus a deletion
        assertEquals(100.0 / 3, ter.sentenceScore("b c a", List.of("a b c")).score(), 1e-9);
        // case-insensitive by default
        assertEquals(0.0, ter.sentenceScore("A B", List.of("a b")).score(), 1e-12);
        assertEquals(50.0, new Ter(false, false, false, true).sentenceScore("A b", List.of("a b")).score(), 1e-12);
        // empty reference: sacreBLEU scores 100 when the hypothesis is non-empty
        assertEquals(100.0, ter.sentenceScore("a", List.of("")).score(), 1e-12);
    }

    @Test
    void tokenizerOptions() {
        assertEquals("hello , world . it 's fine", new TercomTokenizer(true, false, false, false)
                .tokenize("Hello, world. It's fine"));
        assertEquals("hello world", new TercomTokenizer(false, true, false, false).tokenize("Hello, world!"));
        assertEquals("他 说 你 好 。", new TercomTokenizer(true, false, true, false).tokenize("他说你好。"));
        assertEquals("他说你好", new TercomTokenizer(false, true, true, false).tokenize("他说你好。"));
        assertEquals("nrefs:1|case:mixed|tok:tercom|norm:yes|punct:no|asian:yes|version:2.6.0",
                new Ter(true, true, true, true).signature(1, null, null));
    }

    @Test
    void multipleReferencesTakeMinimumEditsAndAverageLength() {
        TerScore s = Ter.defaults().corpusScore(List.of("a b c"), List.of(List.of("a b c d"), List.of("x y")));
        assertEquals(1.0, s.numEdits(), 0.0);
        assertEquals(3.0, s.refLength(), 0.0);
    }
}
