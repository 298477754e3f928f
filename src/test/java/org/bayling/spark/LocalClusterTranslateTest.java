package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real separate executor JVMs ({@code local-cluster[2,1,2560]}: an in-process standalone master and two
 * workers that fork executor processes). Each output row records the executor's pid and how many engines
 * that JVM had loaded: the model is loaded once per executor process, in both distribution modes.
 */
class LocalClusterTranslateTest {

    static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startCluster() {
        SparkTestSupport.stop();
        String jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Dio.netty") || a.startsWith("-Djdk.reflect")
                        || a.startsWith("-Dai.djl"))
                .collect(Collectors.joining(" "));
        spark = SparkSession.builder().master("local-cluster[2,1,2560]").appName("bayling-local-cluster-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.executor.memory", "2g") // the quality scorer's language models take ~0.9 GB
                // executors get the Maven test classpath; the worker's Spark home needs no jars
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .config("spark.executor.extraJavaOptions", jvmOptions)
                .config("spark.executorEnv.SPARK_TESTING", "1")
                .config("spark.executorEnv.SPARK_SCALA_VERSION", "2.13")
                .config("spark.executorEnv.PYTORCH_PRECXX11", "false")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
    }

    @AfterAll
    static void stopCluster() {
        if (spark != null) {
            spark.stop();
        }
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    @Test
    void modelLoadedOncePerExecutorProcessInBothDistributionModes() {
        Path in = SparkTestSupport.write(tmp.resolve("enzh.txt"), String.join("\n", SparkTestSupport.wmtLines(40)) + "\n");
        long driverPid = ProcessHandle.current().pid();
        int round = 0;
        for (TranslationSettings.Distribution d : List.of(TranslationSettings.Distribution.BROADCAST,
                TranslationSettings.Distribution.FILESYSTEM)) {
            round++;
            Path cache = tmp.resolve("cache-" + d);
            TranslateOptions o = TranslateOptions.builder().input(in.toString()).output(tmp.resolve("out-" + d).toString())
                    .srcLang("en").tgtLang("zh").model(SparkTestSupport.tinyModel()).distribution(d)
                    .cacheDir(cache.toString()).partitions(8).generation(SparkTestSupport.quickGreedy())
                    .maxBatchTokens(1000 + round) // a new engine key per mode
                    .build();
            TranslateSummary s = new TranslateJob(spark, o, SparkTestSupport.quiet()).run();
            assertEquals(40, s.ok());
            List<Row> rows = spark.read().parquet(o.output()).select("executor.pid", "executor.model_loads").collectAsList();
            assertEquals(40, rows.size());
            Map<Long, Integer> loadsByPid = new HashMap<>();
            for (Row r : rows) {
                loadsByPid.merge(r.getLong(0), r.getInt(1), Math::max);
            }
            assertEquals(2, loadsByPid.size(), "two executor processes did the work: " + loadsByPid);
            for (Map.Entry<Long, Integer> e : loadsByPid.entrySet()) {
                assertNotEquals(driverPid, e.getKey().longValue(), "executors are separate JVMs");
                assertEquals(round, e.getValue().intValue(), "engines loaded by executor " + e.getKey());
            }
            if (d == TranslationSettings.Distribution.BROADCAST) {
                // both executors (same host) filled one shared cache entry, safely
                File[] entries = cache.toFile().listFiles(File::isDirectory);
                assertEquals(1, entries.length, List.of(cache.toFile().list()).toString());
                assertEquals(s.modelHash(), entries[0].getName());
            } else {
                // a local model path is used in place: nothing copied
                assertTrue(!cache.toFile().exists() || cache.toFile().listFiles(File::isDirectory).length == 0);
            }
        }
    }
}
