package org.bayling.quality.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sentence BLEU ({@code sentence_bleu} defaults: exp smoothing, effective order, target-language tokenizer) and
 * sentence chrF for the lines sacreBLEU 2.6.0 recorded.
 */
class SentenceParityTest {

    private static final double TOL = 0.01;

    static Stream<Arguments> entries() {
        return Wmt22.entries().stream()
                .filter(e -> e.has("sentence") && e.getAsJsonArray("sentence").size() > 0)
                .map(e -> Arguments.of(Named.of(e.get("pair").getAsString() + "/" + e.get("system").getAsString(), e)));
    }

    @AfterAll
    static void printDeviations() {
        System.out.println(Deviations.report());
    }

    @ParameterizedTest
    @MethodSource("entries")
    void sentenceScoresMatchSacrebleu(JsonObject e) {
        String pair = e.get("pair").getAsString();
        String system = e.get("system").getAsString();
        List<String> hyp = Wmt22.hyp(system, pair);
        List<String> ref = Wmt22.ref(pair);
        Bleu bleu = Bleu.sentenceLevel(Wmt22.target(pair));
        Chrf chrf = Chrf.chrf();
        int n = 0;
        for (JsonElement el : e.getAsJsonArray("sentence")) {
            JsonObject s = el.getAsJsonObject();
            int i = s.get("i").getAsInt();
            String where = pair + "/" + system + "#" + i;
            BleuScore b = bleu.sentenceScore(hyp.get(i), List.of(ref.get(i)));
            ChrfScore c = chrf.sentenceScore(hyp.get(i), List.of(ref.get(i)));
            Deviations.record("BLEU sentence", where, b.score(), s.get("bleu").getAsDouble());
            Deviations.record("chrF sentence", where, c.score(), s.get("chrf").getAsDouble());
            assertEquals(s.get("bleu").getAsDouble(), b.score(), TOL, where + " BLEU");
            assertEquals(s.get("chrf").getAsDouble(), c.score(), TOL, where + " chrF");
            n++;
        }
        assertTrue(n >= 25, "expected 25 recorded sentences, got " + n);
        assertTrue(bleu.signature(1, null, null).contains("eff:yes"));
    }
}
