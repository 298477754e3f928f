package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real HDFS (MiniDFSCluster) holds the corpus and the model; the output is written there too. */
class HdfsTranslateTest {

    static MiniDFSCluster cluster;
    static String hdfs;

    @TempDir
    static Path base;

    @BeforeAll
    static void startHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.resolve("dfs").toString());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        hdfs = "hdfs://localhost:" + cluster.getNameNodePort();
        FileSystem fs = cluster.getFileSystem();
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(SparkTestSupport.tinyModel()),
                new org.apache.hadoop.fs.Path("/models/tiny-llama2"));
        Path corpus = SparkTestSupport.write(base.resolve("enzh.txt"),
                String.join("\n", SparkTestSupport.wmtLines(25)) + "\n");
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(corpus.toString()), new org.apache.hadoop.fs.Path("/corpus/enzh.txt"));
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    @Test
    void corpusModelAndOutputOnHdfsInBothDistributionModes() throws Exception {
        SparkSession spark = SparkTestSupport.spark();
        for (TranslationSettings.Distribution d : List.of(TranslationSettings.Distribution.FILESYSTEM,
                TranslationSettings.Distribution.BROADCAST)) {
            Path cache = base.resolve("cache-" + d);
            String out = hdfs + "/out/" + d;
            int fills = LocalModelStore.fills();
            TranslateOptions o = TranslateOptions.builder().input(hdfs + "/corpus/enzh.txt").output(out)
                    .srcLang("en").tgtLang("zh").model(hdfs + "/models/tiny-llama2").distribution(d)
                    // its own cache dir per mode, so its own engine key: the executor's engine cache would otherwise
                    // reuse an engine another run in this JVM loaded (same model hash) and never touch this cache dir
                    .cacheDir(cache.toString()).generation(SparkTestSupport.quickGreedy()).build();
            TranslateSummary s = new TranslateJob(spark, o, SparkTestSupport.quiet()).run();
            assertEquals(25, s.ok());
            List<Row> rows = spark.read().parquet(out).collectAsList();
            assertEquals(25, rows.size());
            assertEquals(25, new HashSet<>(rows.stream().map(r -> (String) r.getAs("id")).toList()).size());
            assertTrue(cluster.getFileSystem().exists(new org.apache.hadoop.fs.Path("/out/" + d + "/_summary.json")));
            assertTrue(cluster.getFileSystem().exists(new org.apache.hadoop.fs.Path("/out/" + d + "/tgt_lang=zh")));
            // the model was materialized once into the local cache, verified, under its content hash
            assertEquals(fills + 1, LocalModelStore.fills());
            File[] entries = cache.toFile().listFiles(f -> f.isDirectory());
            assertEquals(1, entries.length);
            assertEquals(s.modelHash(), entries[0].getName());
            assertTrue(Files.isRegularFile(entries[0].toPath().resolve("model.safetensors")));
            assertFalse(new File(cache.toFile(), s.modelHash() + ".tmp").exists());
        }
    }
}
