package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.bayling.translate.TranslationUnit;
import org.bayling.translate.TranslationTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partitioning, sorting, token-budget batching and dedup do not change results: the job's translations
 * equal the real engine run directly on the same rows as one batch.
 */
class TranslateJobMatchesEngineTest {

    @TempDir
    Path tmp;

    @Test
    void jobTranslationsEqualDirectEngineRun() {
        List<String> lines = new ArrayList<>(SparkTestSupport.wmtLines(24));
        lines.add(lines.get(3)); // a duplicate, served by dedup
        Path in = SparkTestSupport.write(tmp.resolve("enzh.txt"), String.join("\n", lines) + "\n");
        SparkSession spark = SparkTestSupport.spark();
        TranslateOptions o = TranslateOptions.builder().input(in.toString()).output(tmp.resolve("out").toString())
                .srcLang("en").tgtLang("zh").model(SparkTestSupport.tinyModel()).generation(SparkTestSupport.quickGreedy())
                .cacheDir(tmp.resolve("cache").toString()).partitions(3).maxBatchTokens(300).build();
        TranslateSummary s = new TranslateJob(spark, o, SparkTestSupport.quiet()).run();
        assertEquals(25, s.ok());
        assertEquals(1, s.dedupSaved());

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
                "cpu", 1, SparkTestSupport.quickGreedy(), null, "en", "auto", "auto"))) {
            // all rows in one batch: the budget allows it
            direct = new TranslationPlanner(engine, new TranslationPlanner.Settings(TranslationUnit.AUTO, 0, 1 << 20, 256,
                    SparkTestSupport.quickGreedy())).translate(tasks);
        }
        for (int i = 0; i < tasks.size(); i++) {
            RowTranslation d = direct.get(i);
            String key = tasks.get(i).key();
            Row r = job.get(key);
            assertEquals(d.translation(), r.getAs(OutputSchema.TRANSLATION), key);
            assertEquals(d.outputTokens(), (int) r.getAs(OutputSchema.N_OUTPUT_TOKENS), key);
            assertEquals(d.finishReason(), r.getAs(OutputSchema.FINISH_REASON), key);
        }
    }
}
