package org.bayling.quality.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.bayling.SharedData;
import org.bayling.quality.metrics.Bleu;
import org.bayling.quality.metrics.BleuScore;
import org.bayling.quality.metrics.Chrf;
import org.bayling.quality.metrics.Ter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark-mode evaluation against sacreBLEU 2.6.0's recorded numbers and file mode: a job-shaped Parquet output built
 * from WMT22 BayLing-13B en→zh and zh→en outputs with their references, plus error, skipped and reference-less rows.
 */
class JobEvaluationTest {

    @TempDir
    static Path tmp;

    static JsonObject oracle;
    static List<String> enzhSrc, enzhRef, enzhHyp, zhenSrc, zhenRef, zhenHyp;

    @BeforeAll
    static void data() throws Exception {
        oracle = JsonParser.parseString(Files.readString(SharedData.wmt22("sacrebleu-2.6.0.json"),
                StandardCharsets.UTF_8)).getAsJsonObject();
        enzhSrc = EvalTestSupport.wmt("enzh.src");
        enzhRef = EvalTestSupport.wmt("enzh.ref");
        enzhHyp = EvalTestSupport.hyp("bayling-13b", "enzh");
        zhenSrc = EvalTestSupport.wmt("zhen.src");
        zhenRef = EvalTestSupport.wmt("zhen.ref");
        zhenHyp = EvalTestSupport.hyp("bayling-13b", "zhen");
    }

    static JsonObject oracle(String pair) {
        for (JsonElement e : oracle.getAsJsonArray("scores")) {
            JsonObject o = e.getAsJsonObject();
            if (o.get("pair").getAsString().equals(pair) && o.get("system").getAsString().equals("bayling-13b")) {
                return o;
            }
        }
        throw new AssertionError(pair);
    }

    /** Synthetic flags: every 3rd row COPY, every 5th LENGTH_RATIO. */
    static List<String> flagsOf(int i) {
        List<String> f = new ArrayList<>();
        if (i % 3 == 0) {
            f.add("COPY");
        }
        if (i % 5 == 0) {
            f.add("LENGTH_RATIO");
        }
        return f;
    }

    static void assertMatchesOracle(JobEvaluation.Metrics m, String pair, String bleuKey) {
        JsonObject o = oracle(pair);
        JsonObject b = o.getAsJsonObject(bleuKey);
        BleuScore bleu = m.bleu();
        assertNotNull(bleu, m.bleuError());
        System.out.printf("[eval] %s spark-mode BLEU %.6f (sacreBLEU %.6f) chrF %.6f (%.6f) chrF++ %.6f (%.6f)"
                        + " TER %.6f (%.6f)%n", pair, bleu.score(), b.get("score").getAsDouble(),
                m.chrf().score(), o.getAsJsonObject("chrf").get("score").getAsDouble(),
                m.chrfPlusPlus().score(), o.getAsJsonObject("chrfpp").get("score").getAsDouble(),
                m.ter().score(), o.getAsJsonObject("ter").get("score").getAsDouble());
        assertEquals(b.get("score").getAsDouble(), bleu.score(), 1e-9);
        assertEquals(b.get("signature").getAsString(), bleu.signature());
        assertArrayEquals(longs(b.get("counts")), bleu.counts());
        assertArrayEquals(longs(b.get("totals")), bleu.totals());
        assertEquals(b.get("sys_len").getAsLong(), bleu.sysLen());
        assertEquals(b.get("ref_len").getAsLong(), bleu.refLen());
        for (String[] k : new String[][] {{"chrf"}, {"chrfpp"}, {"ter"}}) {
            JsonObject e = o.getAsJsonObject(k[0]);
            double got = switch (k[0]) {
                case "chrf" -> m.chrf().score();
                case "chrfpp" -> m.chrfPlusPlus().score();
                default -> m.ter().score();
            };
            String sig = switch (k[0]) {
                case "chrf" -> m.chrf().signature();
                case "chrfpp" -> m.chrfPlusPlus().signature();
                default -> m.ter().signature();
            };
            // file mode is checked to 0.01 against the oracle; the sums here are the same integers
            assertEquals(e.get("score").getAsDouble(), got, 1e-6, k[0]);
            assertEquals(e.get("signature").getAsString(), sig, k[0]);
        }
    }

    static long[] longs(JsonElement a) {
        return java.util.stream.StreamSupport.stream(a.getAsJsonArray().spliterator(), false)
                .mapToLong(JsonElement::getAsLong).toArray();
    }

    @Test
    void perPairMetricsEqualSacrebleuAndPerFlagEqualsFileModeOnTheSubset() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < enzhHyp.size(); i++) {
            rows.add(EvalTestSupport.row(true, true, "enzh-" + i, "en", "zh", enzhSrc.get(i), enzhRef.get(i),
                    enzhHyp.get(i), "ok", (i % 10) / 10.0, flagsOf(i)));
        }
        for (int i = 0; i < zhenHyp.size(); i++) {
            rows.add(EvalTestSupport.row(true, true, "zhen-" + i, "zh", "en", zhenSrc.get(i), zhenRef.get(i),
                    zhenHyp.get(i), "ok", 0.5, flagsOf(i)));
        }
        for (int i = 0; i < 3; i++) { // errors: a reference but no translation
            rows.add(EvalTestSupport.row(true, true, "err-" + i, "en", "zh", "src", "参考", null, "error", null, null));
        }
        for (int i = 0; i < 4; i++) { // ok without reference
            rows.add(EvalTestSupport.row(true, true, "noref-" + i, "en", "zh", "src", null, "译文", "ok", 1.0,
                    i == 0 ? List.of("COPY") : List.of()));
        }
        rows.add(EvalTestSupport.row(true, true, "skip-0", "zh", "en", "same", null, "same", "skipped", null, null));
        Path out = tmp.resolve("job-out");
        EvalTestSupport.write(rows, EvalTestSupport.schema(EvalTestSupport.QUALITY_WITH_FLAGS, true), out);

        long t0 = System.nanoTime();
        JobEvaluation.Result r = JobEvaluation.evaluate(EvalTestSupport.spark(), JobEvaluation.Options.of(out.toString()));
        System.out.printf("[eval] %d rows evaluated in %.1f s%n", r.rows(), (System.nanoTime() - t0) / 1e9);
        assertEquals(JobRows.FlagSource.OUTPUT, r.flagSource());
        assertEquals(List.of("en-zh", "zh-en"), new ArrayList<>(r.pairs().keySet()));

        JobEvaluation.PairResult enzh = r.pair("en-zh");
        assertEquals(2037 + 3 + 4, enzh.rows());
        assertEquals(2037 + 4, enzh.ok());
        assertEquals(3, enzh.error());
        assertEquals(4, enzh.okWithoutReference());
        assertEquals(2037, enzh.evaluated());
        assertEquals(2037, enzh.metrics().segments());
        assertMatchesOracle(enzh.metrics(), "enzh", "bleu_zh");

        JobEvaluation.PairResult zhen = r.pair("zh-en");
        assertEquals(1876, zhen.rows());
        assertEquals(1, zhen.skipped());
        assertEquals(1875, zhen.evaluated());
        assertMatchesOracle(zhen.metrics(), "zhen", "bleu_13a");

        // per flag: exactly file mode on the rows carrying the flag
        List<String> hyp = new ArrayList<>();
        List<String> ref = new ArrayList<>();
        for (int i = 0; i < enzhHyp.size(); i += 3) {
            hyp.add(enzhHyp.get(i));
            ref.add(enzhRef.get(i));
        }
        JobEvaluation.Group copy = enzh.flags().get("COPY");
        assertEquals(679 + 1, copy.rows());
        assertEquals(679, copy.evaluated());
        BleuScore fileBleu = Bleu.forTarget("zh").corpusScore(hyp, List.of(ref));
        assertEquals(fileBleu.score(), copy.metrics().bleu().score(), 1e-9);
        assertArrayEquals(fileBleu.counts(), copy.metrics().bleu().counts());
        assertEquals(Chrf.chrf().corpusScore(hyp, List.of(ref)).score(), copy.metrics().chrf().score(), 1e-9);
        assertEquals(Chrf.chrfPlusPlus().corpusScore(hyp, List.of(ref)).score(),
                copy.metrics().chrfPlusPlus().score(), 1e-9);
        assertEquals(Ter.forTarget("zh").corpusScore(hyp, List.of(ref)).score(), copy.metrics().ter().score(), 1e-9);
        assertEquals(List.of("COPY", "LENGTH_RATIO"), new ArrayList<>(enzh.flags().keySet()));
        assertEquals(408, enzh.flags().get("LENGTH_RATIO").rows()); // ceil(2037/5)
        // unflagged: neither multiple of 3 nor 5, plus the 3 reference-less unflagged ok rows
        long unflagged = java.util.stream.IntStream.range(0, 2037).filter(i -> i % 3 != 0 && i % 5 != 0).count();
        assertEquals(unflagged + 3, enzh.unflagged().rows());
        assertEquals(unflagged, enzh.unflagged().evaluated());
        // mean combined over ok rows: (i % 10)/10 for the WMT rows, 1.0 for the 4 reference-less rows
        double sum = java.util.stream.IntStream.range(0, 2037).mapToDouble(i -> (i % 10) / 10.0).sum() + 4;
        assertEquals(sum / 2041, enzh.meanCombined(), 1e-12);

        JsonObject json = JsonParser.parseString(EvaluationJson.toJson(r)).getAsJsonObject();
        assertEquals(2044 + 1876, json.get("rows").getAsLong());
        assertEquals(2037 + 1875, json.get("evaluated").getAsLong());
        assertEquals(680 + 625, json.getAsJsonObject("flags").getAsJsonObject("COPY").get("rows").getAsLong());
        JsonObject m = json.getAsJsonObject("pairs").getAsJsonObject("en-zh").getAsJsonObject("metrics");
        assertEquals(oracle("enzh").getAsJsonObject("bleu_zh").get("counts"), m.getAsJsonObject("bleu").get("counts"));
        for (String k : List.of("chrf", "chrf++", "ter")) {
            assertTrue(m.getAsJsonObject(k).has("signature"), k);
        }
    }

    /** References joined by id from JSON lines, and from a text file by line number (ids ending in ':N'). */
    @Test
    void referencesJoinedByIdFromJsonlAndText() throws Exception {
        int n = 300;
        List<Row> rows = new ArrayList<>();
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < n; i++) {
            rows.add(EvalTestSupport.row(false, true, "enzh-" + i, "en", "zh", enzhSrc.get(i), null, enzhHyp.get(i),
                    "ok", 0.5, List.of()));
            rows.add(EvalTestSupport.row(false, true, "zhen.src:" + (i + 1), "zh", "en", zhenSrc.get(i), null,
                    zhenHyp.get(i), "ok", 0.5, List.of()));
            JsonObject o = new JsonObject();
            o.addProperty("key", "enzh-" + i);
            o.addProperty("ref", enzhRef.get(i));
            jsonl.append(o).append('\n');
        }
        jsonl.append("{\"key\":\"unused\",\"ref\":\"x\"}\n");
        Path out = tmp.resolve("job-out-noref");
        EvalTestSupport.write(rows, EvalTestSupport.schema(EvalTestSupport.QUALITY_WITH_FLAGS, false), out);
        Path refJsonl = Files.writeString(tmp.resolve("refs.jsonl"), jsonl.toString());
        Path refText = SharedData.wmt22("zhen.ref");

        JobEvaluation.Result byJson = JobEvaluation.evaluate(EvalTestSupport.spark(),
                new JobEvaluation.Options(out.toString(), refJsonl.toString(), null, "key", "ref", null));
        JobEvaluation.Metrics m = byJson.pair("en-zh").metrics();
        List<String> h = enzhHyp.subList(0, n);
        List<List<String>> rf = List.of(enzhRef.subList(0, n));
        assertEquals(Bleu.forTarget("zh").corpusScore(h, rf).score(), m.bleu().score(), 1e-9);
        assertEquals(Chrf.chrf().corpusScore(h, rf).score(), m.chrf().score(), 1e-9);
        assertEquals(Ter.forTarget("zh").corpusScore(h, rf).score(), m.ter().score(), 1e-9);
        assertNull(byJson.pair("zh-en").metrics());
        assertEquals(n, byJson.pair("zh-en").okWithoutReference());

        JobEvaluation.Result byText = JobEvaluation.evaluate(EvalTestSupport.spark(),
                JobEvaluation.Options.of(out.toString()).withReferences(refText.toString(), ReferenceFormat.TEXT));
        JobEvaluation.Metrics z = byText.pair("zh-en").metrics();
        List<String> zh = zhenHyp.subList(0, n);
        List<List<String>> zr = List.of(zhenRef.subList(0, n));
        assertEquals(Bleu.forTarget("en").corpusScore(zh, zr).score(), z.bleu().score(), 1e-9);
        assertEquals(Chrf.chrfPlusPlus().corpusScore(zh, zr).score(), z.chrfPlusPlus().score(), 1e-9);
        assertEquals(Ter.forTarget("en").corpusScore(zh, zr).score(), z.ter().score(), 1e-9);
        assertNull(byText.pair("en-zh").metrics(), "enzh-N ids have no line number");
    }

    /** An older job output has no flags in its quality struct: rows are rescored with the default scorer. */
    @Test
    void withoutFlagsInTheOutputRowsAreRescored() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            rows.add(EvalTestSupport.row(true, false, "r" + i, "en", "zh", enzhSrc.get(i), enzhRef.get(i),
                    enzhHyp.get(i), "ok", null, null));
        }
        String longSource = "The quick brown fox jumps over the lazy dog near the river bank today.";
        rows.add(EvalTestSupport.row(true, false, "copy", "en", "zh", longSource, "参考译文", longSource, "ok", null, null));
        rows.add(EvalTestSupport.row(true, false, "empty", "en", "zh", longSource, "参考译文", "", "ok", null, null));
        Path out = tmp.resolve("job-out-plain");
        EvalTestSupport.write(rows, EvalTestSupport.schema(EvalTestSupport.QUALITY_PLAIN, true), out);
        JobEvaluation.Result r = JobEvaluation.evaluate(EvalTestSupport.spark(), JobEvaluation.Options.of(out.toString()));
        assertEquals(JobRows.FlagSource.RESCORED, r.flagSource());
        JobEvaluation.PairResult p = r.pair("en-zh");
        assertEquals(32, p.evaluated());
        assertEquals(1, p.flags().get("EMPTY").rows(), p.flags().toString());
        assertTrue(p.flags().containsKey("COPY"), p.flags().toString());
        assertTrue(Double.isFinite(p.meanCombined()));
        long flaggedOrNot = p.unflagged().rows() + p.flags().values().stream().mapToLong(JobEvaluation.Group::rows).sum();
        assertTrue(flaggedOrNot >= 32, "every ok row is flagged or unflagged");
    }

    /**
     * When the output carries flags and combined scores, {@link JobRows#scored} is a column projection: it must give
     * exactly the rows the per-row scorer gives when it neither rescores nor computes chrF (ok rows with and without
     * flags, error rows, a row without a status).
     */
    @Test
    void projectionOfScoredFlagsEqualsThePerRowScorer() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String status = i % 4 == 3 ? "error" : "ok";
            rows.add(EvalTestSupport.row(true, true, "p" + i, "en", "zh", enzhSrc.get(i), i % 2 == 0 ? enzhRef.get(i) : null,
                    enzhHyp.get(i), status, 0.1 * i, i % 3 == 0 ? List.of("COPY", "LENGTH_RATIO") : List.of()));
        }
        rows.add(org.apache.spark.sql.RowFactory.create("nullflags", "en", "zh", "a", "b", "c", "ok", null,
                org.apache.spark.sql.RowFactory.create(-0.5, -2.0, 1.0, 0.7, null), "eos"));
        rows.add(org.apache.spark.sql.RowFactory.create("nostatus", "en", "zh", "a", "b", "c", null, null,
                org.apache.spark.sql.RowFactory.create(-0.5, -2.0, 1.0, 0.7, null), null));
        Path out = tmp.resolve("job-out-projection");
        EvalTestSupport.write(rows, EvalTestSupport.schema(EvalTestSupport.QUALITY_WITH_FLAGS, true), out);
        org.apache.spark.sql.Dataset<Row> output = JobRows.readOutput(EvalTestSupport.spark(), out.toString());
        assertTrue(JobRows.isProjection(output.schema(), false));
        List<Row> projected = JobRows.scored(output, false).orderBy(org.bayling.output.OutputSchema.ID).collectAsList();
        List<Row> perRow = JobRows.selected(output)
                .mapPartitions(new JobRows.RowScorer(false, false), org.apache.spark.sql.Encoders.row(JobRows.SCORED))
                .orderBy(org.bayling.output.OutputSchema.ID).collectAsList();
        assertEquals(rows.size(), projected.size());
        assertEquals(perRow.toString(), projected.toString());
        assertEquals(List.of(JobRows.SCORED.fieldNames()), List.of(JobRows.scored(output, false).columns()));
    }
}
