package org.bayling.quality;

import org.bayling.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QualityScorerTest {

    /**
     * Neutral log-prob for rows without generation output (the WMT22 references): -0.3 per token,
     * perplexity 1.35, well above confidence.minMeanLogprob, so LOW_CONFIDENCE cannot fire on them.
     */
    static final float NEUTRAL_LOGPROB = -0.3f;

    static QualityScorer scorer;

    @BeforeAll
    static void init() {
        scorer = QualityScorer.withDefaults();
    }

    static float[] logprobs(int n, float value) {
        float[] a = new float[n];
        Arrays.fill(a, value);
        return a;
    }

    static QualityInput row(String src, String tgt, String sl, String tl) {
        return QualityInput.of(src, tgt, sl, tl).withGeneration(logprobs(20, NEUTRAL_LOGPROB), "eos");
    }

    private static final String SRC_EN = "I've looked into it and I can see that your area is currently having a high volume of orders.";
    private static final String GOOD_ZH = "我已经查看过了，目前您所在地区的订单量很大。";

    @Test
    void cleanRowHasNoFlags() {
        RowQuality q = scorer.score(row(SRC_EN, GOOD_ZH, "en", "zh"));
        assertEquals(List.of(), q.flags(), q.toString());
        assertEquals("zh", q.detectedLang());
        assertTrue(q.combined() > 0.8, q.toString());
        assertEquals(Math.exp(0.3), q.perplexity(), 1e-5);
        assertEquals(1.58, q.expectedLengthRatio(), 1e-9);
    }

    @Test
    void wrongLanguage() {
        RowQuality q = scorer.score(row(SRC_EN,
                "Ich habe nachgesehen und sehe, dass in Ihrer Gegend derzeit sehr viele Bestellungen eingehen.", "en", "zh"));
        assertTrue(q.has(QualityFlag.WRONG_LANGUAGE), q.toString());
        assertEquals("de", q.detectedLang());
        assertEquals(0.0, q.combined());

        RowQuality q2 = scorer.score(row("Die Ware hat unter 20 Euro gekostet, und die Lieferung war schnell.",
                "Die Ware hat weniger als zwanzig Euro gekostet und kam schnell an.", "de", "en"));
        assertTrue(q2.has(QualityFlag.WRONG_LANGUAGE), q2.toString());
    }

    @Test
    void copy() {
        RowQuality q = scorer.score(row(SRC_EN, SRC_EN, "en", "zh"));
        assertTrue(q.has(QualityFlag.COPY), q.toString());
        assertTrue(q.has(QualityFlag.WRONG_LANGUAGE), q.toString());
        assertEquals(1.0, q.copySimilarity(), 1e-9);

        // near copy into a language that shares the script
        String src = "Please restart the router and check whether the connection works again.";
        RowQuality q2 = scorer.score(row(src, "Please restart the router and check whether the connection works again!", "en", "de"));
        assertTrue(q2.has(QualityFlag.COPY), q2.toString());
        assertEquals(0.0, q2.combined());

        // a URL or a name staying unchanged is not a copy problem
        assertFalse(scorer.score(row("https://www.example.com/help", "https://www.example.com/help", "en", "de"))
                .has(QualityFlag.COPY));
        assertFalse(scorer.score(row("Peak Design", "Peak Design", "en", "de")).has(QualityFlag.COPY));
    }

    @Test
    void repetitionLoop() {
        String loopZh = "我已经查看过了，目前您所在地区的订单量很大，" + "所以他们正在为您的订单安排骑手，".repeat(6);
        RowQuality q = scorer.score(row(SRC_EN, loopZh, "en", "zh"));
        assertTrue(q.has(QualityFlag.REPETITION), q.toString());
        assertTrue(q.longestRepeat() >= 6 * 14, q.toString());

        String loopEn = "Is there a way to punish him, " + "so that it does not happen again and again ".repeat(5);
        RowQuality q2 = scorer.score(row("是否有途径处罚他，以免再次发生这样的事情", loopEn, "zh", "en"));
        assertTrue(q2.has(QualityFlag.REPETITION), q2.toString());

        RowQuality q3 = scorer.score(row("Thank you so much!", "the the the the the the the the the the the the the", "en", "de"));
        assertTrue(q3.has(QualityFlag.REPETITION), q3.toString());
        assertTrue(q3.combined() < 0.5, q3.toString());
    }

    @Test
    void truncation() {
        RowQuality q = scorer.score(QualityInput.of(SRC_EN, GOOD_ZH, "en", "zh").withGeneration(logprobs(512, -0.3f), "length"));
        assertTrue(q.truncated());
        assertEquals(List.of("TRUNCATED"), q.flags());
        RowQuality ok = scorer.score(QualityInput.of(SRC_EN, GOOD_ZH, "en", "zh").withGeneration(logprobs(30, -0.3f), "eos"));
        assertTrue(q.combined() < ok.combined());
    }

    @Test
    void missingTerms() {
        RowQuality q = scorer.score(row(SRC_EN, GOOD_ZH, "en", "zh").withRequiredTerms(List.of("订单量很大", "骑手")));
        assertEquals(List.of("MISSING_TERMS"), q.flags());
        assertEquals(List.of("订单量很大"), q.termsFound());
        assertEquals(0.5, q.termCoverage(), 1e-9);
        assertFalse(scorer.score(row(SRC_EN, GOOD_ZH, "en", "zh").withRequiredTerms(List.of("订单量很大")))
                .has(QualityFlag.MISSING_TERMS));
    }

    @Test
    void lowConfidenceLengthAndEmpty() {
        RowQuality low = scorer.score(QualityInput.of(SRC_EN, GOOD_ZH, "en", "zh").withGeneration(logprobs(20, -2.0f), "eos"));
        assertEquals(List.of("LOW_CONFIDENCE"), low.flags());
        assertEquals(-2.0, low.meanLogprob(), 1e-6);

        RowQuality noLp = scorer.score(QualityInput.of(SRC_EN, GOOD_ZH, "en", "zh"));
        assertTrue(Double.isNaN(noLp.meanLogprob()));
        assertFalse(noLp.has(QualityFlag.LOW_CONFIDENCE));

        RowQuality shortOut = scorer.score(row(SRC_EN, "我查了。", "en", "zh"));
        assertTrue(shortOut.has(QualityFlag.LENGTH_RATIO), shortOut.toString());

        RowQuality empty = scorer.score(row(SRC_EN, "  ", "en", "zh"));
        assertEquals(List.of("EMPTY"), empty.flags());
        assertEquals(0.0, empty.combined());
    }

    @Test
    void referenceMetricsHook() {
        QualityInput in = row(SRC_EN, GOOD_ZH, "en", "zh").withReference("我已经问过了，目前您所在地区的订单量很大。");
        assertEquals(null, scorer.score(in).sentenceChrf());
        QualityScorer withMetrics = scorer.withReferenceMetrics((hyp, ref, lang) -> new ReferenceMetrics.Scores(40.0, 60.0));
        RowQuality q = withMetrics.score(in);
        assertEquals(60.0, q.sentenceChrf());
        assertEquals(40.0, q.sentenceBleu());
        assertTrue(q.combined() < scorer.score(in).combined());
        // precomputed values win over the hook
        assertEquals(10.0, withMetrics.score(in.withReferenceMetrics(5.0, 10.0)).sentenceChrf());
    }

    @Test
    void serializableAndThreadSafe() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(scorer);
        }
        assertTrue(bytes.size() < 20_000, "serialized size " + bytes.size());
        QualityScorer copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (QualityScorer) in.readObject();
        }
        assertTrue(copy.languageId() == scorer.languageId(), "one detector per JVM");

        List<String> lines = Files.readAllLines(SharedData.wmt22("zhen.ref"), StandardCharsets.UTF_8).subList(0, 200);
        List<String> srcs = Files.readAllLines(SharedData.wmt22("zhen.src"), StandardCharsets.UTF_8).subList(0, 200);
        List<RowQuality> serial = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            serial.add(scorer.score(row(srcs.get(i), lines.get(i), "zh", "en")));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<RowQuality>> fs = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                int k = i;
                fs.add(pool.submit(() -> copy.score(row(srcs.get(k), lines.get(k), "zh", "en"))));
            }
            for (int i = 0; i < fs.size(); i++) {
                assertEquals(serial.get(i).combined(), fs.get(i).get().combined(), 0.0);
                assertEquals(serial.get(i).flags(), fs.get(i).get().flags());
            }
        } finally {
            pool.shutdown();
        }
    }

    /** References scored as translations of their sources: few flags expected (none of them is wrong). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"enzh", "zhen", "ende", "deen"})
    void referencesRarelyFlagged(String pair) throws Exception {
        String sl = pair.substring(0, 2);
        String tl = pair.substring(2);
        List<String> src = Files.readAllLines(SharedData.wmt22(pair + ".src"), StandardCharsets.UTF_8);
        List<String> ref = Files.readAllLines(SharedData.wmt22(pair + ".ref"), StandardCharsets.UTF_8);
        assertEquals(src.size(), ref.size());
        Map<String, Integer> byFlag = new TreeMap<>();
        int flagged = 0;
        double scoreSum = 0;
        List<String> examples = new ArrayList<>();
        for (int i = 0; i < src.size(); i++) {
            RowQuality q = scorer.score(row(src.get(i), ref.get(i), sl, tl));
            assertNotNull(q);
            scoreSum += q.combined();
            if (q.flagged()) {
                flagged++;
                q.flags().forEach(f -> byFlag.merge(f, 1, Integer::sum));
                if (examples.size() < 12) {
                    examples.add(q.flags() + " " + abbreviate(src.get(i)) + " => " + abbreviate(ref.get(i)));
                }
            }
        }
        double rate = (double) flagged / src.size();
        System.out.printf(Locale.ROOT, "[flags] %s references: %.4f flagged (%d/%d), mean combined %.3f, by flag %s%n",
                pair, rate, flagged, src.size(), scoreSum / src.size(), byFlag);
        examples.forEach(e -> System.out.println("    " + e));
        assertTrue(rate < 0.05, pair + ": flagged " + rate);
    }

    private static String abbreviate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}
