package org.bayling.quality.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Corpus BLEU (every recorded tokenizer), chrF, chrF++ and TER against sacreBLEU 2.6.0's numbers. */
class CorpusParityTest {

    private static final double TOL = 0.01;

    static Stream<Arguments> entries() {
        return Wmt22.entries().stream()
                .map(e -> Arguments.of(Named.of(e.get("pair").getAsString() + "/" + e.get("system").getAsString(), e)));
    }

    @AfterAll
    static void printDeviations() {
        System.out.println(Deviations.report());
    }

    @ParameterizedTest
    @MethodSource("entries")
    void bleuMatchesSacrebleu(JsonObject e) {
        String pair = e.get("pair").getAsString();
        String system = e.get("system").getAsString();
        List<String> hyp = Wmt22.hyp(system, pair);
        List<List<String>> refs = List.of(Wmt22.ref(pair));
        assertEquals(e.get("n").getAsInt(), hyp.size());
        int checked = 0;
        for (String key : e.keySet()) {
            if (!key.startsWith("bleu_")) {
                continue;
            }
            String tok = key.substring("bleu_".length());
            JsonObject o = e.getAsJsonObject(key);
            BleuScore s = Bleu.builder().tokenize(tok).targetLang(Wmt22.target(pair)).build().corpusScore(hyp, refs);
            String where = pair + "/" + system + "/" + tok;
            Deviations.record("BLEU corpus", where, s.score(), o.get("score").getAsDouble());
            assertEquals(o.get("score").getAsDouble(), s.score(), TOL, where);
            assertArrayEquals(Wmt22.longs(o.getAsJsonArray("counts")), s.counts(), where + " counts");
            assertArrayEquals(Wmt22.longs(o.getAsJsonArray("totals")), s.totals(), where + " totals");
            assertEquals(o.get("sys_len").getAsLong(), s.sysLen(), where + " sys_len");
            assertEquals(o.get("ref_len").getAsLong(), s.refLen(), where + " ref_len");
            assertEquals(o.get("bp").getAsDouble(), s.bp(), 1e-12, where + " bp");
            assertEquals(o.get("signature").getAsString(), s.signature(), where + " signature");
            checked++;
        }
        assertFalse(checked == 0, "no BLEU entry for " + pair + "/" + system);
    }

    @ParameterizedTest
    @MethodSource("entries")
    void chrfAndChrfPlusPlusMatchSacrebleu(JsonObject e) {
        String pair = e.get("pair").getAsString();
        String system = e.get("system").getAsString();
        List<String> hyp = Wmt22.hyp(system, pair);
        List<List<String>> refs = List.of(Wmt22.ref(pair));
        ChrfScore chrf = Chrf.chrf().corpusScore(hyp, refs);
        JsonObject o = e.getAsJsonObject("chrf");
        Deviations.record("chrF corpus", pair + "/" + system, chrf.score(), o.get("score").getAsDouble());
        assertEquals(o.get("score").getAsDouble(), chrf.score(), TOL, "chrF");
        assertEquals(o.get("signature").getAsString(), chrf.signature());

        ChrfScore pp = Chrf.chrfPlusPlus().corpusScore(hyp, refs);
        o = e.getAsJsonObject("chrfpp");
        Deviations.record("chrF++ corpus", pair + "/" + system, pp.score(), o.get("score").getAsDouble());
        assertEquals(o.get("score").getAsDouble(), pp.score(), TOL, "chrF++");
        assertEquals(o.get("signature").getAsString(), pp.signature());
        assertEquals("chrF2++", pp.name());
    }

    static Stream<Arguments> terEntries() {
        return entries().filter(a -> ((JsonObject) ((Named<?>) a.get()[0]).getPayload()).has("ter"));
    }

    @ParameterizedTest
    @MethodSource("terEntries")
    void terMatchesSacrebleu(JsonObject e) {
        String pair = e.get("pair").getAsString();
        String system = e.get("system").getAsString();
        TerScore ter = Ter.forTarget(Wmt22.target(pair)).corpusScore(Wmt22.hyp(system, pair), List.of(Wmt22.ref(pair)));
        JsonObject o = e.getAsJsonObject("ter");
        Deviations.record("TER corpus", pair + "/" + system, ter.score(), o.get("score").getAsDouble());
        assertEquals(o.get("score").getAsDouble(), ter.score(), TOL, "TER");
        assertEquals(o.get("signature").getAsString(), ter.signature());
    }
}
