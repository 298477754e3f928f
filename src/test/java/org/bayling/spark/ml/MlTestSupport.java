package org.bayling.spark.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.bayling.SharedData;
import org.bayling.generate.GenerationConfig;
import org.bayling.spark.sql.BaylingSqlExtensions;

/**
 * The lean local session for the DataFrame/SQL tests, with the SQL extension configured. Same master
 * and settings as the job tests' session ({@code local[2,2]}), so whichever test class starts Spark
 * first, the other can reuse it.
 */
public final class MlTestSupport {

    private MlTestSupport() {
    }

    public static synchronized SparkSession spark() {
        SparkSession s = SparkSession.builder().master("local[2,2]").appName("bayling-spark-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.extensions", BaylingSqlExtensions.class.getName())
                .getOrCreate();
        if (!s.catalog().functionExists(BaylingSqlExtensions.FUNCTION)) {
            // another test class started Spark without the extension: a new session on the same context
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
            s = SparkSession.builder().withExtensions(new BaylingSqlExtensions()).getOrCreate();
        }
        s.sparkContext().setLogLevel("WARN");
        return s;
    }

    /** The project's shipped tiny model (random weights: gibberish text, real numbers). */
    public static String tinyModel() {
        return Path.of("models/tiny-bayling").toAbsolutePath().toString();
    }

    /** Greedy, 8 new tokens: fast on the tiny model. */
    public static GenerationConfig quickGreedy() {
        return GenerationConfig.builder().numBeams(1).maxNewTokens(8).build();
    }

    public static List<String> wmtLines(int n) {
        try (var lines = Files.lines(SharedData.wmt22("enzh.src"))) {
            return lines.limit(n).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static final StructType ROWS = new StructType()
            .add("id", DataTypes.StringType).add("text", DataTypes.StringType)
            .add("src_lang", DataTypes.StringType).add("tgt_lang", DataTypes.StringType);

    /** WMT22 en→zh lines as (id, text, src_lang, tgt_lang) rows, ids {@code r1..rN}. */
    public static Dataset<Row> rows(SparkSession spark, List<String> texts, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(RowFactory.create("r" + (i + 1), texts.get(i), "en", "zh"));
        }
        return spark.createDataFrame(rows, ROWS).repartition(partitions);
    }

    /** Log-probs of the same tokens may differ in the last float bits between batch compositions. */
    public static void assertQualityClose(Row expected, Row actual, String id) {
        org.junit.jupiter.api.Assertions.assertEquals(expected == null, actual == null, id);
        if (expected == null) {
            return;
        }
        org.junit.jupiter.api.Assertions.assertEquals(List.of(expected.schema().fieldNames()),
                List.of(actual.schema().fieldNames()), id);
        for (int i = 0; i < expected.size(); i++) {
            String what = id + " quality." + expected.schema().fieldNames()[i];
            if (expected.get(i) instanceof Double d && actual.get(i) != null) {
                org.junit.jupiter.api.Assertions.assertEquals(d, actual.getDouble(i), 1e-4 * Math.max(1, Math.abs(d)), what);
            } else {
                org.junit.jupiter.api.Assertions.assertEquals(expected.get(i), actual.get(i), what);
            }
        }
    }
}
