package org.bayling.spark.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bayling.spark.ml.TranslationTransformer;
import org.bayling.spark.ml.MlTestSupport;
import org.junit.jupiter.api.Test;

/**
 * Rows per second of the row-at-a-time SQL function against the batched transformer on the same rows,
 * engine already loaded (tiny model, greedy, 8 new tokens, local[2]). Prints the numbers and writes them
 * to {@code target/bayling-throughput.txt}; asserts only that both give the same translations.
 */
class SqlThroughputTest {

    private static final int ROWS = 32;

    @Test
    void measureSqlFunctionAgainstTransformer() throws Exception {
        SparkSession spark = MlTestSupport.spark();
        Dataset<Row> df = MlTestSupport.rows(spark, MlTestSupport.wmtLines(ROWS), 2).cache();
        df.count();
        df.createOrReplaceTempView("bench");
        TranslationTransformer t = new TranslationTransformer().setSrcLang("en").setTgtLang("zh").setModel(MlTestSupport.tinyModel())
                .setGeneration(MlTestSupport.quickGreedy()).setOutputCol("r");
        String query = "SELECT id, bayling_translate(text, 'en', 'zh', map('model', '" + MlTestSupport.tinyModel()
                + "', 'num_beams', '1', 'max_new_tokens', '8')) AS r FROM bench";
        t.transform(df.limit(4)).count(); // load the engine (shared by both paths)

        long t0 = System.nanoTime();
        List<Row> batched = t.transform(df).select("id", "r.translation").orderBy("id").collectAsList();
        double batchedSeconds = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        List<Row> perRow = spark.sql(query).select("id", "r.translation").orderBy("id").collectAsList();
        double sqlSeconds = (System.nanoTime() - t0) / 1e9;

        assertEquals(batched, perRow);
        String report = String.format("bayling throughput on %d rows (tiny model, greedy, 8 new tokens, local[2]): "
                        + "transformer %.1f rows/s, SQL function %.1f rows/s (%.1fx)%n", ROWS, ROWS / batchedSeconds,
                ROWS / sqlSeconds, sqlSeconds / batchedSeconds);
        System.out.print(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/bayling-throughput.txt"), report);
        df.unpersist();
    }
}
