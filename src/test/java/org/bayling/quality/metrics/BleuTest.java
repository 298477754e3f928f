package org.bayling.quality.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Formula-level checks of sacreBLEU's compute_bleu, smoothing, effective order and multi-reference handling. */
class BleuTest {

    // correct=[3,1,0,0], total=[5,4,3,2], sys_len=5, ref_len=6 -> bp = exp(-0.2); expected values computed from
    // sacreBLEU's formulas by hand (precisions per method listed in the comments).
    private static BleuScore stats(Bleu.Smoothing m, boolean eff) {
        return Bleu.computeBleu(new double[] {3, 1, 0, 0}, new double[] {5, 4, 3, 2}, 5, 6, m, null, eff, 4, "");
    }

    @Test
    void smoothingMethods() {
        assertEquals(19.3576934939088, stats(Bleu.Smoothing.EXP, false).score(), 1e-9);   // 60/25/16.67/12.5
        assertEquals(10.29499418829739, stats(Bleu.Smoothing.FLOOR, false).score(), 1e-9); // 60/25/3.33/5
        assertEquals(30.789214024300126, stats(Bleu.Smoothing.ADD_K, false).score(), 1e-9); // 60/40/25/33.3
        assertEquals(0.0, stats(Bleu.Smoothing.NONE, false).score(), 1e-9);
        assertEquals(Math.exp(-0.2), stats(Bleu.Smoothing.EXP, false).bp(), 1e-15);
        // raw counts are reported unsmoothed
        assertArrayEquals(new long[] {3, 1, 0, 0}, stats(Bleu.Smoothing.ADD_K, false).counts());
    }

    @Test
    void signatures() {
        assertEquals("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0",
                Bleu.builder().build().signature(1, null, null));
        assertEquals("nrefs:2|case:lc|eff:yes|tok:intl|smooth:floor[0.10]|version:2.6.0",
                Bleu.builder().tokenize("intl").lowercase(true).effectiveOrder(true)
                        .smoothing(Bleu.Smoothing.FLOOR).build().signature(2, null, null));
        assertEquals("nrefs:var|case:mixed|eff:no|tok:none|smooth:add-k[1.00]|version:2.6.0",
                Bleu.builder().tokenize("none").smoothing(Bleu.Smoothing.ADD_K).build().signature(-1, null, null));
    }

    @Test
    void effectiveOrderForShortSentences() {
        Bleu eff = Bleu.builder().effectiveOrder(true).build();
        assertEquals(100.0, eff.sentenceScore("the cat", List.of("the cat")).score(), 1e-9);
        Bleu noEff = Bleu.builder().build();
        // without effective order, the missing 3/4-gram totals leave precision 0 -> my_log floor
        assertEquals(0.0, noEff.sentenceScore("the cat", List.of("the cat")).score(), 1e-9);
    }

    @Test
    void multipleReferencesClipAndPickClosestLength() {
        Bleu bleu = Bleu.builder().tokenize("none").build();
        // unigram 'a' clipped at max over refs (2); closest ref length to 3 among {3, 4} is 3
        BleuScore s = bleu.corpusScore(List.of("a a a"), List.of(List.of("a b c"), List.of("a a d e")));
        assertEquals(2, s.counts()[0]);
        assertEquals(3, s.totals()[0]);
        assertEquals(3, s.refLen());
        // tie in distance goes to the shorter reference
        assertEquals(2, Bleu.closestRefLen(3, new int[] {4, 2}));
        assertEquals("nrefs:2|case:mixed|eff:no|tok:none|smooth:exp|version:2.6.0", s.signature());
    }

    @Test
    void lowercaseOption() {
        Bleu lc = Bleu.builder().lowercase(true).effectiveOrder(true).build();
        assertEquals(100.0, lc.sentenceScore("The Cat", List.of("the cat")).score(), 1e-9);
    }

    @Test
    void mismatchedStreamsAreRejected() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Bleu.forTarget("en").corpusScore(List.of("a", "b"), List.of(Arrays.asList("a"))));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("different lengths"));
    }

    @Test
    void metricsSurviveJavaSerialization() throws Exception {
        for (CorpusMetric m : List.of(Bleu.forTarget("zh"), Chrf.chrfPlusPlus(), Ter.forTarget("zh"))) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (java.io.ObjectOutputStream o = new java.io.ObjectOutputStream(bytes)) {
                o.writeObject(m);
            }
            CorpusMetric copy;
            try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                    new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
                copy = (CorpusMetric) in.readObject();
            }
            assertEquals(m.signature(1, null, null), copy.signature(1, null, null));
            assertEquals(m.sentenceScore("他说你好", List.of("他说您好")).score(),
                    copy.sentenceScore("他说你好", List.of("他说您好")).score(), 0.0);
        }
    }
}
