package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bayling.output.OutputSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with the real engine (BaylingTranslationEngine on the tiny random-weight LLaMA-2): every
 * input format, rows in == rows out, each id once, ok rows translated, bad rows error rows with messages.
 */
class TranslateJobFormatsTest {

    @TempDir
    Path tmp;

    private TranslateOptions.Builder options(Path input, TranslateOptions.InputFormat format) {
        return TranslateOptions.builder().input(input.toString()).format(format)
                .output(tmp.resolve("out").toString()).srcLang("en").tgtLang("zh").model(SparkTestSupport.tinyModel())
                .generation(SparkTestSupport.quickGreedy()).cacheDir(tmp.resolve("cache").toString());
    }

    /** An ok row from the real engine: a translation, its turn(s), generated tokens, quality numbers. */
    private static void assertTranslated(Row r, int turns) {
        assertEquals("ok", r.getAs(OutputSchema.STATUS), r::toString);
        assertNotNull(r.getAs(OutputSchema.TRANSLATION), r::toString);
        assertNull(r.getAs(OutputSchema.ERROR));
        assertEquals(turns, r.getList(r.fieldIndex(OutputSchema.TURNS)).size());
        assertTrue((Integer) r.getAs(OutputSchema.N_OUTPUT_TOKENS) > 0, r::toString);
        assertTrue((Integer) r.getAs(OutputSchema.N_INPUT_TOKENS) > 0, r::toString);
        Row q = r.getAs(OutputSchema.QUALITY);
        double mean = q.getAs("mean_logprob");
        double min = q.getAs("min_logprob");
        double score = q.getAs("score");
        assertTrue(mean <= 0 && min <= mean, q::toString);
        assertTrue(score >= 0 && score <= 1, q::toString);
        assertEquals("tiny-llama2", ((Row) r.getAs(OutputSchema.MODEL)).getString(0));
    }

    private static Map<String, Row> byId(SparkSession spark, String output) {
        List<Row> rows = spark.read().parquet(output).collectAsList();
        Map<String, Row> m = new HashMap<>();
        for (Row r : rows) {
            assertNull(m.put(r.getAs(OutputSchema.ID), r), "duplicate id " + r.getAs(OutputSchema.ID));
        }
        return m;
    }

    @Test
    void textLinesGetFileLineIdsAndBadLinesBecomeErrors() {
        List<String> lines = new ArrayList<>(SparkTestSupport.wmtLines(20));
        lines.add("");                      // line 21: empty
        lines.add("bell \u0007 inside");    // line 22: control character
        lines.add(lines.get(0));            // line 23: duplicate of line 1 (dedup)
        Path in = SparkTestSupport.write(tmp.resolve("in/enzh.txt"), String.join("\n", lines) + "\n");
        SparkSession spark = SparkTestSupport.spark();
        TranslateSummary s = new TranslateJob(spark, options(in, TranslateOptions.InputFormat.TEXT).build(),
                SparkTestSupport.quiet()).run();

        Map<String, Row> out = byId(spark, tmp.resolve("out").toString());
        assertEquals(lines.size(), out.size());
        for (int i = 0; i < lines.size(); i++) {
            Row r = out.get("enzh.txt:" + (i + 1));
            assertNotNull(r, "line " + (i + 1));
            assertEquals(lines.get(i), r.getAs(OutputSchema.SOURCE));
            assertEquals("zh", r.getAs(OutputSchema.TGT_LANG));
            if (i == 20 || i == 21) {
                assertEquals("error", r.getAs(OutputSchema.STATUS));
                assertNotNull(r.getAs(OutputSchema.ERROR));
            } else {
                assertTranslated(r, 1);
            }
        }
        assertEquals("text is empty", out.get("enzh.txt:21").getAs(OutputSchema.ERROR));
        assertTrue(((String) out.get("enzh.txt:22").getAs(OutputSchema.ERROR)).contains("control character U+0007"));
        assertEquals(23, s.rowsWritten());
        assertEquals(21, s.ok());
        assertEquals(2, s.errors());
        assertEquals(20, s.requests());
        assertEquals(1, s.dedupSaved());
    }

    @Test
    void jsonLinesWithColumnsMalformedLinesAndRowLanguages() {
        String jsonl = String.join("\n",
                "{\"id\":\"a\",\"text\":\"hello world\"}",
                "{\"id\":\"b\",\"text\":\"good morning\",\"tgt_lang\":\"de\",\"followups\":[\"shorter please\"]}",
                "{\"id\":\"c\",\"text\":null}",
                "{this is not json",
                "{\"id\":\"e\",\"text\":\"lone \\ud800 surrogate\"}",
                "{\"id\":\"f\",\"text\":\"x\",\"src_lang\":\"klingon\"}",
                "{\"id\":\"g\",\"text\":\"same language\",\"tgt_lang\":\"en\"}",
                "{\"text\":\"no id here\",\"terms\":[\"TERM\"]}",
                "") + "\n";
        Path in = SparkTestSupport.write(tmp.resolve("in/data.jsonl"), jsonl);
        SparkSession spark = SparkTestSupport.spark();
        TranslateSummary s = new TranslateJob(spark, options(in, TranslateOptions.InputFormat.JSONL).build(),
                SparkTestSupport.quiet()).run();
        Map<String, Row> out = byId(spark, tmp.resolve("out").toString());
        assertEquals(8, out.size(), out.keySet().toString());
        assertTranslated(out.get("a"), 1);
        Row b = out.get("b");
        assertEquals("de", b.getAs(OutputSchema.TGT_LANG));
        assertTranslated(b, 2);
        assertEquals("text is null", out.get("c").getAs(OutputSchema.ERROR));
        Row d = out.get("data.jsonl:4");
        assertEquals("error", d.getAs(OutputSchema.STATUS));
        assertTrue(((String) d.getAs(OutputSchema.ERROR)).startsWith("malformed JSON line"), d.toString());
        assertTrue(((String) out.get("e").getAs(OutputSchema.ERROR)).contains("lone surrogate"));
        assertTrue(((String) out.get("f").getAs(OutputSchema.ERROR)).contains("unknown source language code 'klingon'"));
        assertEquals("skipped", out.get("g").getAs(OutputSchema.STATUS));
        assertEquals("same language", out.get("g").getAs(OutputSchema.TRANSLATION));
        assertTranslated(out.get("data.jsonl:8"), 1);
        assertTrue(((Row) out.get("data.jsonl:8").getList(out.get("data.jsonl:8").fieldIndex(OutputSchema.TURNS)).get(0))
                .getString(0).contains("TERM"), "required term in the instruction");
        assertEquals(3, s.ok());
        assertEquals(4, s.errors());
        assertEquals(1, s.skipped());
    }

    @Test
    void csvAndTsvWithHeaderAndMalformedRecords() {
        for (String sep : List.of(",", "\t")) {
            String csv = String.join("\n",
                    String.join(sep, "id", "text", "reference"),
                    String.join(sep, "1", "\"hello, friend\"", "ref one"),
                    String.join(sep, "2", "plain text", "ref two"),
                    String.join(sep, "3", "too", "many", "fields", "here"),
                    String.join(sep, "4", "\"unterminated quote", "x")) + "\n";
            boolean comma = sep.equals(",");
            Path in = SparkTestSupport.write(tmp.resolve(comma ? "in/data.csv" : "in/data.tsv"), csv);
            SparkSession spark = SparkTestSupport.spark();
            TranslateSummary s = new TranslateJob(spark, options(in, comma ? TranslateOptions.InputFormat.CSV
                    : TranslateOptions.InputFormat.TSV).build(), SparkTestSupport.quiet()).run();
            Map<String, Row> out = byId(spark, tmp.resolve("out").toString());
            assertEquals(4, out.size(), out.keySet().toString());
            assertEquals("hello, friend", out.get("1").getAs(OutputSchema.SOURCE));
            assertTranslated(out.get("1"), 1);
            assertEquals("ref one", out.get("1").getAs(OutputSchema.REFERENCE));
            assertTranslated(out.get("2"), 1);
            assertEquals("error", out.get("3").getAs(OutputSchema.STATUS), out.get("3").toString());
            assertTrue(((String) out.get("3").getAs(OutputSchema.ERROR)).startsWith("malformed"));
            assertEquals(4, s.rowsWritten());
        }
    }

    /**
     * Issue 15: RFC 4180 CSV (quoted fields spanning lines, {@code ""} escapes) was read line by line: 4 records
     * became 7 rows, multi-line texts were translated truncated with status ok, a valid record with {@code ""}
     * escapes was rejected and fragments became rows. Now one row per record, every text whole (fake engine).
     */
    @Test
    void csvAndTsvRecordsWithQuotedLineBreaksAndDoubledQuotesAreOneRowEach() {
        Map<String, String> texts = new java.util.LinkedHashMap<>();
        texts.put("c1", "First line of c1.\nSecond line of c1, after a comma.");
        texts.put("c2", "He said \"hello\", then left.");
        texts.put("c3", "Paragraph one of c3.\n\nParagraph two of c3 with \"quotes\"\nand a third line.");
        texts.put("c4", "A plain record.");
        for (String sep : List.of(",", "\t")) {
            StringBuilder csv = new StringBuilder("id" + sep + "text" + sep + "reference\r\n");
            for (Map.Entry<String, String> e : texts.entrySet()) {
                csv.append(e.getKey()).append(sep).append('"').append(e.getValue().replace("\"", "\"\"")).append('"')
                        .append(sep).append("ref ").append(e.getKey()).append("\r\n");
            }
            boolean comma = sep.equals(",");
            Path in = SparkTestSupport.write(tmp.resolve(comma ? "rfc/data.csv" : "rfc/data.tsv"), csv.toString());
            SparkSession spark = SparkTestSupport.spark();
            TranslateSummary s = new TranslateJob(spark, options(in, comma ? TranslateOptions.InputFormat.CSV
                    : TranslateOptions.InputFormat.TSV).engineFactory(FakeEngine.Factory.class.getName()).build(),
                    SparkTestSupport.quiet()).run();
            Map<String, Row> out = byId(spark, tmp.resolve("out").toString());
            assertEquals(texts.keySet(), out.keySet(), sep + ": one row per record, no fragments");
            for (Map.Entry<String, String> e : texts.entrySet()) {
                Row r = out.get(e.getKey());
                assertEquals("ok", r.getAs(OutputSchema.STATUS), r::toString);
                assertEquals(e.getValue(), r.getAs(OutputSchema.SOURCE), "the whole record's text");
                assertEquals(e.getValue().toUpperCase(java.util.Locale.ROOT), r.getAs(OutputSchema.TRANSLATION),
                        "translated whole, not truncated");
                assertEquals("ref " + e.getKey(), r.getAs(OutputSchema.REFERENCE));
            }
            assertEquals(4, s.inputRows());
            assertEquals(4, s.ok());
        }
    }

    /** CSV ids without an id column: file name and record number (the header is 1), the same on a re-run. */
    @Test
    void csvWithoutIdColumnGetsFileRecordIds() {
        Path in = SparkTestSupport.write(tmp.resolve("rfc2/t.csv"), "text\n\"two\nlines\"\nthird record\n");
        SparkSession spark = SparkTestSupport.spark();
        new TranslateJob(spark, options(in, TranslateOptions.InputFormat.CSV)
                .engineFactory(FakeEngine.Factory.class.getName()).build(), SparkTestSupport.quiet()).run();
        Map<String, Row> out = byId(spark, tmp.resolve("out").toString());
        assertEquals(java.util.Set.of("t.csv:2", "t.csv:3"), out.keySet());
        assertEquals("two\nlines", out.get("t.csv:2").getAs(OutputSchema.SOURCE));
        assertEquals("third record", out.get("t.csv:3").getAs(OutputSchema.SOURCE));
    }

    @Test
    void parquetWithoutIdColumnGetsFileRowIds() {
        SparkSession spark = SparkTestSupport.spark();
        List<String> lines = SparkTestSupport.wmtLines(12);
        Path in = tmp.resolve("in/parquet");
        spark.createDataset(lines, org.apache.spark.sql.Encoders.STRING()).toDF("text").coalesce(1)
                .write().parquet(in.toString());
        TranslateOptions o = options(in, TranslateOptions.InputFormat.PARQUET).build();
        new TranslateJob(spark, o, SparkTestSupport.quiet()).run();
        Map<String, Row> first = byId(spark, o.output());
        assertEquals(12, first.size());
        // same ids on a re-run
        new TranslateJob(spark, o.toBuilder().build(), SparkTestSupport.quiet()).run();
        Map<String, Row> second = byId(spark, o.output());
        assertEquals(first.keySet(), second.keySet());
        for (Row r : second.values()) {
            assertTrue(((String) r.getAs(OutputSchema.ID)).matches("part-.*\\.parquet:\\d+"), r.toString());
            assertTranslated(r, 1);
            // greedy decoding: the re-run gives the same translation
            assertEquals((String) first.get((String) r.getAs(OutputSchema.ID)).getAs(OutputSchema.TRANSLATION),
                    r.getAs(OutputSchema.TRANSLATION));
        }
    }
}
