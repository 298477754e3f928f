package org.bayling.quality.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairedBootstrapTest {

    private static final List<CorpusMetric> METRICS = List.of(Bleu.forTarget("en"), Chrf.chrf(), Ter.defaults());
    private static final List<CorpusMetric> FAST_METRICS = List.of(Bleu.forTarget("en"), Chrf.chrf());

    @Test
    void systemComparedWithItselfHasIdenticalEstimates() {
        List<String> hyp = Wmt22.hyp("bayling-13b", "deen");
        List<List<String>> refs = List.of(Wmt22.ref("deen"));
        for (PairedBootstrapResult r : new PairedBootstrap().compare(FAST_METRICS, hyp, new ArrayList<>(hyp), refs)) {
            System.out.println("self " + r);
            assertEquals(r.baselineScore(), r.systemScore(), 0.0);
            assertEquals(r.baselineMean(), r.systemMean(), 0.0);
            assertEquals(r.baselineCi(), r.systemCi(), 0.0);
            assertEquals(0.0, r.delta(), 0.0);
            assertTrue(r.baselineCi() > 0);
            assertEquals(r.baselineScore(), r.baselineMean(), 0.5, "bootstrap mean close to the actual score");
            // sacreBLEU's statistic for identical systems is degenerate: every centred difference is 0, none is
            // strictly greater than the actual difference 0, hence p = (0 + 1) / (n + 1).
            assertEquals(1.0 / 1001, r.pValue(), 1e-15);
        }
    }

    @Test
    void clearlyDifferentSystemsAreSignificant() {
        List<List<String>> refs = List.of(Wmt22.ref("ende"));
        List<PairedBootstrapResult> rs = new PairedBootstrap().compare(METRICS, Wmt22.hyp("bayling-13b", "ende"),
                Wmt22.hyp("gpt-4", "ende"), refs);
        for (PairedBootstrapResult r : rs) {
            System.out.println("bayling vs gpt-4 " + r);
            assertTrue(r.pValue() < 0.01, r.toString());
            assertTrue(r.signature().startsWith("nrefs:1|bs:1000|seed:12345|"), r.signature());
        }
        assertEquals(25.624713877670118, rs.get(0).baselineScore(), 0.01); // sacreBLEU 2.6.0 corpus BLEU
        assertEquals(35.39395727881933, rs.get(0).systemScore(), 0.01);
    }

    @Test
    void nearlyIdenticalSystemsAreNotSignificant() {
        // baseline vs. the same output with a handful of lines replaced by another system's lines
        List<String> base = Wmt22.hyp("bayling-13b", "zhen");
        List<String> other = Wmt22.hyp("gpt-4", "zhen");
        List<String> mixed = new ArrayList<>(base);
        for (int i = 0; i < mixed.size(); i += 1000) {
            mixed.set(i, other.get(i));
        }
        List<List<String>> refs = List.of(Wmt22.ref("zhen"));
        for (PairedBootstrapResult r : new PairedBootstrap().compare(FAST_METRICS, base, mixed, refs)) {
            System.out.println("nearly identical " + r);
            assertTrue(r.pValue() > 0.05, r.toString());
        }
    }

    @Test
    void resultsAreDeterministicForAFixedSeed() {
        List<List<String>> refs = List.of(Wmt22.ref("deen"));
        List<String> base = Wmt22.hyp("bayling-13b", "deen").subList(0, 300);
        List<String> sys = Wmt22.hyp("google-translate", "deen").subList(0, 300);
        refs = List.of(refs.get(0).subList(0, 300));
        PairedBootstrapResult a = new PairedBootstrap(200, 7).compare(Chrf.chrf(), base, sys, refs);
        PairedBootstrapResult b = new PairedBootstrap(200, 7).compare(Chrf.chrf(), base, sys, refs);
        assertEquals(a, b);
    }

    @Test
    void ciAndPValueFollowSacrebleuFormulas() {
        double[] scores = new double[40];
        for (int i = 0; i < 40; i++) {
            scores[i] = 39 - i; // 0..39 reversed
        }
        double[] mci = PairedBootstrap.estimateCi(scores);
        assertEquals(19.5, mci[0], 1e-12);
        assertEquals(0.5 * (38 - 1), mci[1], 1e-12); // lower_idx = 40 // 40 = 1, upper_idx = 38
        // diffs 0,1,2,3 -> mean 1.5 -> centred -1.5,-0.5,0.5,1.5; real diff 0.4 -> c = 2 -> p = 3/5
        assertEquals(0.6, PairedBootstrap.pValue(new double[] {0, 1, 2, 3}, 0.4), 1e-12);
    }
}
