package org.bayling.spark.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bayling.output.OutputSchema;
import org.bayling.spark.TranslateJob;
import org.bayling.spark.TranslateOptions;
import org.bayling.spark.TranslateSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transformer in a saved-and-loaded Pipeline gives the job's translations on the same rows. */
class TranslationTransformerTest {

    @TempDir
    Path tmp;

    @Test
    void savedAndLoadedPipelineMatchesTheJob() throws Exception {
        SparkSession spark = MlTestSupport.spark();
        List<String> texts = new ArrayList<>(MlTestSupport.wmtLines(12));
        texts.add(texts.get(2)); // a duplicate
        texts.add("   ");         // bad input: an error row, no model call
        Dataset<Row> df = MlTestSupport.rows(spark, texts, 3)
                .withColumn("terms", when(col("id").equalTo("r5"), array(lit("订单"))))
                .withColumn("followups", when(col("id").equalTo("r7"), array(lit("Make the translation more formal."))))
                .withColumn("reference", when(col("id").equalTo("r3"), lit("最新消息是，现在有一名骑手确认他已经到达餐厅。")));

        // the job on the same rows
        StringBuilder jsonl = new StringBuilder();
        for (Row r : df.collectAsList()) {
            Map<String, Object> line = new HashMap<>(Map.of("id", r.getString(0), "text", r.getString(1),
                    "src_lang", "en", "tgt_lang", "zh"));
            if (!r.isNullAt(4)) {
                line.put("terms", r.getList(4));
            }
            if (!r.isNullAt(5)) {
                line.put("followups", r.getList(5));
            }
            if (!r.isNullAt(6)) {
                line.put("reference", r.getString(6));
            }
            jsonl.append(new com.google.gson.Gson().toJson(line)).append('\n');
        }
        Path in = Files.writeString(tmp.resolve("in.jsonl"), jsonl);
        TranslateOptions o = TranslateOptions.builder().input(in.toString()).output(tmp.resolve("job").toString())
                .model(MlTestSupport.tinyModel()).generation(MlTestSupport.quickGreedy())
                .cacheDir(tmp.resolve("cache").toString()).maxBatchTokens(300).build();
        TranslateSummary s = new TranslateJob(spark, o, new java.io.PrintStream(java.io.OutputStream.nullOutputStream())).run();
        assertEquals(13, s.ok());
        Map<String, Row> job = new HashMap<>();
        for (Row r : spark.read().parquet(o.output()).collectAsList()) {
            job.put(r.getAs(OutputSchema.ID), r);
        }

        TranslationTransformer t = new TranslationTransformer().setInputCol("text").setSrcLangCol("src_lang").setTgtLang("zh")
                .setModel(MlTestSupport.tinyModel()).setGeneration(MlTestSupport.quickGreedy())
                .setTermsCol("terms").setFollowupsCol("followups").setReferenceCol("reference")
                .setMaxBatchTokens(300).setCacheDir(tmp.resolve("cache").toString()).setOutputCol("out");
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {t}).fit(df);
        fitted.write().overwrite().save(tmp.resolve("pipeline").toString());
        PipelineModel loaded = PipelineModel.load(tmp.resolve("pipeline").toString());
        TranslationTransformer back = (TranslationTransformer) loaded.stages()[0];
        assertEquals(t.uid(), back.uid());
        assertEquals(t.options(), back.options());

        Dataset<Row> out = loaded.transform(df);
        assertEquals(List.of("id", "text", "src_lang", "tgt_lang", "terms", "followups", "reference", "out"),
                List.of(out.columns()));
        List<Row> rows = out.collectAsList();
        assertEquals(texts.size(), rows.size());
        for (Row r : rows) {
            Row res = r.getStruct(7);
            Row j = job.get(r.getString(0));
            String id = r.getString(0);
            assertEquals(j.<String>getAs(OutputSchema.STATUS), res.getAs(OutputSchema.STATUS), id);
            assertEquals(j.<String>getAs(OutputSchema.TRANSLATION), res.getAs(OutputSchema.TRANSLATION), id);
            assertEquals(j.<String>getAs(OutputSchema.ERROR), res.getAs(OutputSchema.ERROR), id);
            assertEquals(j.<Integer>getAs(OutputSchema.N_OUTPUT_TOKENS), res.<Integer>getAs(OutputSchema.N_OUTPUT_TOKENS), id);
            assertEquals(j.<String>getAs(OutputSchema.FINISH_REASON), res.getAs(OutputSchema.FINISH_REASON), id);
            MlTestSupport.assertQualityClose(j.getAs(OutputSchema.QUALITY), res.getAs(OutputSchema.QUALITY), id);
        }
        Row twoTurns = rows.stream().filter(r -> r.getString(0).equals("r7")).findFirst().orElseThrow().getStruct(7);
        assertTrue(twoTurns.<Integer>getAs(OutputSchema.N_OUTPUT_TOKENS) > 8, "the follow-up turn ran");
        Row withRef = rows.stream().filter(r -> r.getString(0).equals("r3")).findFirst().orElseThrow().getStruct(7);
        assertNotNull(withRef.<Row>getAs(OutputSchema.QUALITY).getAs("sentence_chrf"));
        Row bad = rows.stream().filter(r -> r.getString(1).isBlank()).findFirst().orElseThrow().getStruct(7);
        assertEquals("error", bad.getAs("status"));
        assertEquals("text is empty", bad.getAs("error"));
    }

    @Test
    void helperSkipsSameLanguageAndCanTurnQualityOff() {
        SparkSession spark = MlTestSupport.spark();
        Dataset<Row> df = MlTestSupport.rows(spark, MlTestSupport.wmtLines(3), 1)
                .withColumn("tgt_lang", org.apache.spark.sql.functions.when(
                        org.apache.spark.sql.functions.col("id").equalTo("r1"), "en").otherwise("zh"));
        Dataset<Row> out = BaylingDatasets.translate(df, "text", "en", "zh", MlTestSupport.tinyModel(),
                Map.of("num_beams", "1", "max_new_tokens", "4", "quality", "false", "tgt_lang_col", "tgt_lang"));
        Map<String, Row> byId = new HashMap<>();
        out.collectAsList().forEach(r -> byId.put(r.getString(0), r.getStruct(r.fieldIndex(BaylingDatasets.RESULT_COLUMN))));
        assertEquals("skipped", byId.get("r1").getAs("status"));
        assertEquals(byId.get("r1").<String>getAs("translation"), MlTestSupport.wmtLines(1).get(0));
        for (String id : List.of("r2", "r3")) {
            assertEquals("ok", byId.get(id).getAs("status"));
            assertNotNull(byId.get(id).getAs("translation"));
            assertNull(byId.get(id).getAs("quality"));
            assertTrue(byId.get(id).<Integer>getAs("n_output_tokens") <= 4);
        }
    }

    @Test
    void badConfigurationFailsOnTheDriverWithAMessage() {
        SparkSession spark = MlTestSupport.spark();
        Dataset<Row> df = MlTestSupport.rows(spark, List.of("hello"), 1);
        var e = assertThrows(IllegalArgumentException.class, () -> new TranslationTransformer().setModel(MlTestSupport.tinyModel())
                .setTgtLang("zh").transform(df));
        assertTrue(e.getMessage().contains("srcLang"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TranslationTransformer().setOptions(Map.of("beams", "1")));
        assertTrue(e.getMessage().contains("unknown bayling option 'beams'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TranslationTransformer().setSrcLang("en").setTgtLang("zh")
                .setModel(tmp.resolve("nope").toString()).transform(df));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
