package org.bayling.spark.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bayling.spark.ml.TranslationTransformer;
import org.bayling.spark.ml.MlTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bayling_translate} through {@code spark.sql.extensions} gives the transformer's translations. */
class BaylingSqlExtensionsTest {

    @TempDir
    Path tmp;

    @Test
    void sqlFunctionMatchesTheTransformer() {
        SparkSession spark = MlTestSupport.spark();
        List<String> texts = MlTestSupport.wmtLines(6);
        Dataset<Row> df = MlTestSupport.rows(spark, texts, 2);
        df.createOrReplaceTempView("docs");
        String cache = tmp.resolve("cache").toString();

        Map<String, Row> sql = byId(spark.sql("SELECT id, bayling_translate(text, 'en', 'zh', map('model', '"
                + MlTestSupport.tinyModel() + "', 'num_beams', '1', 'max_new_tokens', '8', 'cache_dir', '" + cache
                + "')) AS r FROM docs"));
        Map<String, Row> transformer = byId(new TranslationTransformer().setSrcLang("en").setTgtLang("zh")
                .setModel(MlTestSupport.tinyModel()).setGeneration(MlTestSupport.quickGreedy()).setCacheDir(cache)
                .setOutputCol("r").transform(df).select("id", "r"));
        assertEquals(texts.size(), sql.size());
        for (var e : transformer.entrySet()) {
            Row s = sql.get(e.getKey());
            Row t = e.getValue();
            assertEquals("ok", s.getAs("status"), e.getKey());
            assertNotNull(s.getAs("translation"));
            assertEquals(t.<String>getAs("translation"), s.getAs("translation"), e.getKey());
            assertEquals(t.<Integer>getAs("n_output_tokens"), s.<Integer>getAs("n_output_tokens"), e.getKey());
            assertNotNull(s.getAs("quality"));
        }
    }

    @Test
    void modelAndOptionsFromSessionConf() {
        SparkSession spark = MlTestSupport.spark();
        MlTestSupport.rows(spark, List.of("Hello world.", ""), 1).createOrReplaceTempView("few");
        try {
            spark.conf().set("spark.bayling.model", MlTestSupport.tinyModel());
            spark.conf().set("spark.bayling.num_beams", "1");
            spark.conf().set("spark.bayling.max_new_tokens", "3");
            spark.conf().set("spark.bayling.cache_dir", tmp.resolve("cache").toString());
            List<Row> rows = spark.sql("SELECT id, r.* FROM (SELECT id, bayling_translate(text, src_lang, tgt_lang) AS r FROM few) ORDER BY id")
                    .collectAsList();
            assertEquals("ok", rows.get(0).getAs("status"));
            assertTrue(rows.get(0).<Integer>getAs("n_output_tokens") <= 3);
            assertEquals("error", rows.get(1).getAs("status"));
            assertEquals("text is empty", rows.get(1).getAs("error"));
        } finally {
            for (String k : List.of("model", "num_beams", "max_new_tokens", "cache_dir")) {
                spark.conf().unset("spark.bayling." + k);
            }
        }
    }

    @Test
    void missingModelAndBadOptionsAreAnalysisErrors() {
        SparkSession spark = MlTestSupport.spark();
        Exception e = assertThrows(Exception.class, () -> spark.sql("SELECT bayling_translate('hi', 'en', 'zh')").collect());
        assertTrue(e.getMessage().contains("spark.bayling.model"), e.getMessage());
        e = assertThrows(Exception.class, () -> spark.sql("SELECT bayling_translate('hi', 'en', 'zh', map('beams', '1'))")
                .collect());
        assertTrue(e.getMessage().contains("unknown bayling option 'beams'"), e.getMessage());
    }

    private static Map<String, Row> byId(Dataset<Row> df) {
        Map<String, Row> m = new HashMap<>();
        df.collectAsList().forEach(r -> m.put(r.getString(0), r.getStruct(1)));
        return m;
    }
}
