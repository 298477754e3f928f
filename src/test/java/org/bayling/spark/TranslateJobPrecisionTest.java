package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bayling.output.OutputSchema;
import org.bayling.translate.BaylingTranslationEngine;
import org.bayling.translate.EngineOptions;
import org.bayling.translate.TranslationEngine;
import org.bayling.translate.RowTranslation;
import org.bayling.translate.TranslationPlanner;
import org.bayling.translate.TranslationTask;
import org.bayling.translate.TranslationUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Spark job end to end (local mode) in float16 and with int8 weights, the precisions GPU and
 * memory-bound executors run: every row translated, and the job's translations equal the engine run
 * directly in the same precision.
 */
class TranslateJobPrecisionTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "--dtype {0} --weights {1}")
    @CsvSource({"f16, auto", "f32, int8"})
    void jobRunsInReducedPrecision(String dtype, String weights) {
        List<String> lines = SparkTestSupport.wmtLines(8);
        Path in = SparkTestSupport.write(tmp.resolve("enzh.txt"), String.join("\n", lines) + "\n");
        SparkSession spark = SparkTestSupport.spark();
        TranslateOptions o = TranslateOptions.builder().input(in.toString()).output(tmp.resolve("out").toString())
                .srcLang("en").tgtLang("zh").model(SparkTestSupport.tinyModel()).generation(SparkTestSupport.quickGreedy())
                .cacheDir(tmp.resolve("cache").toString()).partitions(2).dtype(dtype).weights(weights).build();
        TranslateSummary s = new TranslateJob(spark, o, SparkTestSupport.quiet()).run();
        assertEquals(lines.size(), s.ok());

        Map<String, Row> job = new HashMap<>();
        for (Row r : spark.read().parquet(o.output()).collectAsList()) {
            job.put(r.getAs(OutputSchema.ID), r);
        }
        List<TranslationTask> tasks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            tasks.add(TranslationTask.of("enzh.txt:" + (i + 1), lines.get(i), "en", "zh"));
        }
        List<RowTranslation> direct;
        try (TranslationEngine engine = BaylingTranslationEngine.open(new EngineOptions(SparkTestSupport.tinyModel(),
                "cpu", 1, SparkTestSupport.quickGreedy(), null, "en", dtype, weights))) {
            direct = new TranslationPlanner(engine, new TranslationPlanner.Settings(TranslationUnit.AUTO, 0, 1 << 20, 256,
                    SparkTestSupport.quickGreedy())).translate(tasks);
        }
        for (int i = 0; i < tasks.size(); i++) {
            String key = tasks.get(i).key();
            Row r = job.get(key);
            assertEquals("ok", r.getAs(OutputSchema.STATUS), key);
            assertFalse(((String) r.getAs(OutputSchema.TRANSLATION)).isEmpty(), key);
            assertEquals(direct.get(i).translation(), r.getAs(OutputSchema.TRANSLATION), key);
        }
    }
}
