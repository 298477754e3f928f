package org.bayling.spark.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.MapPartitions;
import org.bayling.generate.GenerationConfig;
import org.bayling.output.OutputSchema;
import org.bayling.spark.TranslateJob;
import org.bayling.spark.TranslateOptions;
import org.bayling.spark.ml.MlTestSupport;
import org.bayling.spark.ml.TranslationTransformer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The job, the ML Transformer and SQL give the same result for every row of a mixed corpus — sentences,
 * multi-turn rows, rows with required terms, documents of up to 6,000 words (paragraphs, lists, CRLF),
 * bad rows and a same-language row — because they all run the one planner. SQL calls are batched: the
 * function used twice, and in a filter, still translates each row once.
 */
class ThreeFacesTest {

    static final GenerationConfig GREEDY_4 = GenerationConfig.builder().numBeams(1).maxNewTokens(4).build();

    @TempDir
    static Path tmp;

    static SparkSession spark;
    static List<Map<String, Object>> corpus;
    static Dataset<Row> df;

    @BeforeAll
    static void corpus() throws Exception {
        spark = MlTestSupport.spark();
        List<String> wmt = MlTestSupport.wmtLines(400);
        corpus = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            corpus.add(row("s" + i, wmt.get(i), "en", "zh", null, null));
        }
        corpus.add(row("dup", wmt.get(3), "en", "zh", null, null));
        corpus.add(row("turns", wmt.get(10), "en", "zh", null, List.of("Make the translation more formal.")));
        corpus.add(row("terms", wmt.get(11), "en", "zh", List.of("订单", "骑手"), null));
        corpus.add(row("doc6000", document(wmt, 6000, "\n\n"), "en", "zh", null, null));
        corpus.add(row("doc-crlf", "Steps to follow:\r\n- " + wmt.get(20) + "\r\n- " + wmt.get(21) + "\r\n\r\n"
                + document(wmt.subList(30, 400), 900, "\r\n\r\n"), "en", "zh", null, null));
        corpus.add(row("empty", "   ", "en", "zh", null, null));
        corpus.add(row("badlang", "Hello.", "en", "xx", null, null));
        corpus.add(row("control", "Bad \u0007 byte.", "en", "zh", null, null));
        corpus.add(row("same", "Schon übersetzt.", "de", "de", null, null));
        StringBuilder jsonl = new StringBuilder();
        for (Map<String, Object> r : corpus) {
            jsonl.append(new Gson().toJson(r)).append('\n');
        }
        Files.writeString(tmp.resolve("corpus.jsonl"), jsonl);
        df = spark.read().schema("id string, text string, src_lang string, tgt_lang string, terms array<string>, "
                + "followups array<string>").json(tmp.resolve("corpus.jsonl").toString()).repartition(3);
        df.createOrReplaceTempView("corpus");
    }

    static Map<String, Object> row(String id, String text, String src, String tgt, List<String> terms, List<String> followups) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("text", text);
        m.put("src_lang", src);
        m.put("tgt_lang", tgt);
        if (terms != null) {
            m.put("terms", terms);
        }
        if (followups != null) {
            m.put("followups", followups);
        }
        return m;
    }

    /** Real sentences in paragraphs of six, until {@code words} words. */
    static String document(List<String> sentences, int words, String paragraphBreak) {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (int i = 0; n < words; i++) {
            String s = sentences.get(i % sentences.size());
            sb.append(s).append(i % 6 == 5 ? paragraphBreak : " ");
            n += s.split("\\s+").length;
        }
        return sb.toString().trim();
    }

    private static String options() {
        return "map('model', '" + MlTestSupport.tinyModel() + "', 'num_beams', '1', 'max_new_tokens', '4', 'cache_dir', '"
                + tmp.resolve("cache") + "')";
    }

    @Test
    void jobTransformerAndSqlGiveTheSameRows() throws Exception {
        TranslateOptions o = TranslateOptions.builder().input(tmp.resolve("corpus.jsonl").toString())
                .output(tmp.resolve("job").toString()).model(MlTestSupport.tinyModel()).generation(GREEDY_4)
                .cacheDir(tmp.resolve("cache").toString()).build();
        new TranslateJob(spark, o, new java.io.PrintStream(java.io.OutputStream.nullOutputStream())).run();
        Map<String, Row> job = new HashMap<>();
        for (Row r : spark.read().parquet(o.output()).collectAsList()) {
            job.put(r.getAs(OutputSchema.ID), r);
        }

        Dataset<Row> transformed = new TranslationTransformer().setInputCol("text").setSrcLangCol("src_lang")
                .setTgtLangCol("tgt_lang").setTermsCol("terms").setFollowupsCol("followups")
                .setModel(MlTestSupport.tinyModel()).setGeneration(GREEDY_4)
                .setCacheDir(tmp.resolve("cache").toString()).setOutputCol("r").transform(df);
        Map<String, Row> ml = byId(transformed);
        Map<String, Row> sql = byId(spark.sql("SELECT id, bayling_translate(text, src_lang, tgt_lang, terms, followups, "
                + options() + ") AS r FROM corpus"));

        assertEquals(corpus.size(), job.size());
        assertEquals(corpus.size(), ml.size());
        assertEquals(corpus.size(), sql.size());
        for (Map<String, Object> c : corpus) {
            String id = (String) c.get("id");
            Row j = job.get(id);
            for (Map.Entry<String, Row> face : Map.of("transformer", ml.get(id), "sql", sql.get(id)).entrySet()) {
                Row r = face.getValue();
                String what = face.getKey() + " " + id;
                for (String f : OutputSchema.RESULT.fieldNames()) {
                    if (f.equals(OutputSchema.QUALITY)) {
                        MlTestSupport.assertQualityClose(j.getAs(f), r.getAs(f), what);
                    } else {
                        assertEquals(String.valueOf(j.<Object>getAs(f)), String.valueOf(r.<Object>getAs(f)), what + " " + f);
                    }
                }
            }
        }
        Row doc = job.get("doc6000");
        assertEquals("ok", doc.getAs(OutputSchema.STATUS), String.valueOf(doc.<Object>getAs(OutputSchema.ERROR)));
        assertTrue(doc.<Integer>getAs(OutputSchema.SEGMENTS) > 20, "cut into chunks");
        String src = doc.getAs(OutputSchema.SOURCE);
        assertTrue(src.split("\\s+").length >= 6000);
        assertEquals(src.split("\n\n", -1).length, doc.<String>getAs(OutputSchema.TRANSLATION).split("\n\n", -1).length);
        Row worst = doc.getAs(OutputSchema.QUALITY);
        assertTrue(worst.<Integer>getAs("worst_segment") >= 0);
        Row crlf = job.get("doc-crlf");
        assertEquals("ok", crlf.getAs(OutputSchema.STATUS));
        String t = crlf.getAs(OutputSchema.TRANSLATION);
        assertEquals(count(crlf.getAs(OutputSchema.SOURCE), "\r\n"), count(t, "\r\n"), "line breaks kept: " + t);
        assertEquals(count(crlf.getAs(OutputSchema.SOURCE), "\n"), count(t, "\n"), "no line break added or lost");
        assertEquals("error", job.get("empty").getAs(OutputSchema.STATUS));
        assertEquals("skipped", job.get("same").getAs(OutputSchema.STATUS));
        Row turns = job.get("turns");
        assertEquals(2, turns.getList(turns.fieldIndex(OutputSchema.TURNS)).size());
    }

    @Test
    void aFunctionUsedTwiceAndInAFilterTranslatesEachRowOnce() {
        String call = "bayling_translate(text, src_lang, tgt_lang, " + options() + ")";
        spark.sql("SELECT * FROM corpus WHERE id LIKE 's%'").createOrReplaceTempView("sentences");
        Dataset<Row> q = spark.sql("SELECT id, " + call + ".translation AS t, " + call + ".status AS s FROM sentences "
                + "WHERE " + call + ".status = 'ok'");
        LogicalPlan plan = q.queryExecution().optimizedPlan();
        assertEquals(1, count(plan, MapPartitions.class), "one batched translation operator: " + plan);
        assertTrue(!plan.toString().contains("bayling_translate("), "no row-at-a-time call left: " + plan);
        Map<String, Row> rows = new HashMap<>();
        q.collectAsList().forEach(r -> rows.put(r.getString(0), r));
        assertEquals(8, rows.size());
        Map<String, Row> whole = byId(spark.sql("SELECT id, " + call + " AS r FROM sentences"));
        rows.forEach((id, r) -> assertEquals(whole.get(id).<String>getAs("translation"), r.getString(1), id));
    }

    static int count(LogicalPlan plan, Class<?> type) {
        int n = type.isInstance(plan) ? 1 : 0;
        for (LogicalPlan c : CollectionConverters.asJava(plan.children())) {
            n += count(c, type);
        }
        return n;
    }

    static int count(String s, String what) {
        return s.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    static Map<String, Row> byId(Dataset<Row> d) {
        Map<String, Row> m = new HashMap<>();
        for (Row r : d.select("id", "r").collectAsList()) {
            m.put(r.getString(0), r.getStruct(1));
        }
        return m;
    }
}
