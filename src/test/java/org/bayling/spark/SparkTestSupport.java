package org.bayling.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.bayling.SharedData;

/** One lean local Spark session for the tests of this package, and test data helpers. */
final class SparkTestSupport {

    private static SparkSession spark;

    private SparkTestSupport() {
    }

    /** {@code local[2,2]}: two threads, a failed task is retried once (fault-injection tests rely on it). */
    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2,2]").appName("bayling-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.default.parallelism", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.sql.session.timeZone", "UTC")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }

    /** Stops the shared session (a test that needs another master calls this first). */
    static synchronized void stop() {
        if (spark != null) {
            spark.stop();
            spark = null;
        }
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    /** Greedy, 8 new tokens: fast on the tiny random-weight model (its text is gibberish, the numbers are real). */
    static org.bayling.generate.GenerationConfig quickGreedy() {
        return org.bayling.generate.GenerationConfig.builder().numBeams(1).maxNewTokens(8).build();
    }

    static String tinyModel() {
        return SharedData.fixture("tiny-llama2").toString();
    }

    /** The first {@code n} lines of the WMT22 en→zh source. */
    static List<String> wmtLines(int n) {
        try (var lines = Files.lines(SharedData.wmt22("enzh.src"))) {
            return lines.limit(n).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PrintStream quiet() {
        return new PrintStream(java.io.OutputStream.nullOutputStream());
    }

    static Path write(Path p, String content) {
        try {
            Files.createDirectories(p.getParent());
            return Files.writeString(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
