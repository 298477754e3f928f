package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.s3a.S3AFileSystem;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bayling.output.OutputSchema;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3 for real: an S3-compatible server (S3Proxy over jclouds' in-memory blobstore) runs in
 * this JVM on 127.0.0.1, and the job reads its corpus and model from {@code s3a://} and writes its output there through
 * Hadoop's S3A connector (path-style requests, SigV4 with dummy credentials), with the S3A settings of
 * {@code conf/spark-s3.properties}: the magic committer bound into Spark SQL's Parquet writes. A plain run, a run killed
 * part-way then resumed, and incremental runs with their checkpoint on S3.
 */
class S3TranslateTest {

    private static final String BUCKET = "bayling";
    private static final String ACCESS_KEY = "bayling-test-access-key";
    private static final String SECRET_KEY = "bayling-test-secret-key";
    private static final String S3 = "s3a://" + BUCKET;

    @TempDir
    static Path base;

    static S3Proxy proxy;
    static BlobStoreContext blobs;
    static SparkSession spark;
    static FileSystem fs;

    @BeforeAll
    static void startS3AndSpark() throws Exception {
        // jclouds' in-memory blobstore: keys as S3 has them. A blobstore on a filesystem (jclouds' or S3Proxy's nio2)
        // cannot hold both an object "a/__base" and objects under "a/__base/", which S3A's directory markers and the
        // magic committer create, and lists some entries without a size
        blobs = ContextBuilder.newBuilder(new TransientApiMetadata()).credentials("local", "local")
                .buildView(BlobStoreContext.class);
        BlobStore store = blobs.getBlobStore();
        store.createContainerInLocation(null, BUCKET);
        proxy = S3Proxy.builder().blobStore(store).awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:0")).build();
        proxy.start();
        for (int i = 0; i < 200 && !"STARTED".equals(proxy.getState()); i++) {
            Thread.sleep(50);
        }
        assertEquals("STARTED", proxy.getState());

        // the test session: the lean settings of the other job tests plus conf/spark-s3.properties and the endpoint
        SparkTestSupport.stop();
        SparkSession.Builder b = SparkSession.builder().master("local[2,2]").appName("bayling-s3-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC");
        s3Properties().forEach(b::config);
        endpoint(proxy.getPort()).forEach((k, v) -> b.config("spark.hadoop." + k, v));
        spark = b.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");

        fs = FileSystem.get(URI.create(S3 + "/"), spark.sparkContext().hadoopConfiguration());
        assertTrue(fs instanceof S3AFileSystem, fs.getClass().getName());
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(SparkTestSupport.tinyModel()),
                new org.apache.hadoop.fs.Path(S3 + "/models/tiny-llama2"));
    }

    @AfterAll
    static void stop() throws Exception {
        SparkTestSupport.stop(); // the session above is the active one; the next test class gets a fresh lean one
        if (spark != null) {
            spark.stop();
        }
        if (fs != null) {
            fs.close();
        }
        if (proxy != null) {
            proxy.stop();
        }
        if (blobs != null) {
            blobs.close();
        }
    }

    /** The S3A settings the docs recommend, from {@code conf/spark-s3.properties} (what spark-submit would read). */
    static Map<String, String> s3Properties() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("conf", "spark-s3.properties"))) {
            p.load(in);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        assertEquals("magic", m.get("spark.hadoop.fs.s3a.committer.name"));
        return m;
    }

    /** The in-process server: plain HTTP on the loopback, path-style, dummy static credentials, few retries. */
    static Map<String, String> endpoint(int port) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("fs.s3a.endpoint", "http://127.0.0.1:" + port);
        m.put("fs.s3a.endpoint.region", "us-east-1");
        m.put("fs.s3a.path.style.access", "true");
        m.put("fs.s3a.connection.ssl.enabled", "false");
        m.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        m.put("fs.s3a.access.key", ACCESS_KEY);
        m.put("fs.s3a.secret.key", SECRET_KEY);
        m.put("fs.s3a.attempts.maximum", "2");
        m.put("fs.s3a.retry.limit", "2");
        // S3Proxy answers the SDK's bulk DeleteObjects request with 501 (its checksum headers): one DELETE per object
        m.put("fs.s3a.multiobjectdelete.enable", "false");
        return m;
    }

    private static void put(String key, String content) throws IOException {
        try (var out = fs.create(new org.apache.hadoop.fs.Path(S3 + "/" + key), true)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String get(String key) throws IOException {
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(S3 + "/" + key))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<String> ids(String output) {
        return spark.read().parquet(output).select(OutputSchema.ID).as(Encoders.STRING()).collectAsList();
    }

    private static void assertExactlyOnce(String output, int rows) {
        List<String> ids = ids(output);
        assertEquals(rows, ids.size(), "rows in " + output);
        assertEquals(rows, new HashSet<>(ids).size(), "no row twice in " + output);
    }

    /** The S3A committers' {@code _SUCCESS} is a JSON manifest naming the committer (the classic one is empty). */
    private static void assertCommittedByMagicCommitter(String outputKey) throws IOException {
        String success = get(outputKey + "/_SUCCESS");
        assertTrue(success.matches("(?s).*\"committer\"\\s*:\\s*\"magic\".*"),
                "_SUCCESS of " + outputKey + ": " + success.substring(0, Math.min(300, success.length())));
    }

    private static String lines(String prefix, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            sb.append(prefix).append(" sentence number ").append(i).append(" stored on S3\n");
        }
        return sb.toString();
    }

    @Test
    void corpusModelAndOutputOnS3WithTheTinyModel() throws Exception {
        put("corpus/plain/enzh.txt", String.join("\n", SparkTestSupport.wmtLines(8)) + "\n");
        String out = S3 + "/out/plain";
        CliRun run = CliRun.of("translate", "--input", S3 + "/corpus/plain/enzh.txt", "--output", out,
                "--src-lang", "en", "--tgt-lang", "zh", "--model", S3 + "/models/tiny-llama2",
                "--distribution", "filesystem", "--cache-dir", base.resolve("cache-plain").toString(),
                "--num-beams", "1", "--max-new-tokens", "4", "--progress-interval", "60");
        assertEquals(0, run.code(), run.toString());

        List<Row> rows = spark.read().parquet(out).collectAsList();
        assertEquals(8, rows.size());
        assertEquals(8, new HashSet<>(rows.stream().map(r -> (String) r.getAs(OutputSchema.ID)).toList()).size());
        assertTrue(rows.stream().allMatch(r -> "ok".equals(r.getAs(OutputSchema.STATUS))), rows.toString());
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path(out + "/tgt_lang=zh")));
        String summary = get("out/plain/" + TranslateJob.SUMMARY_FILE);
        assertTrue(summary.contains("\"rowsWritten\": 8"), summary);
        assertTrue(summary.contains("\"ok\": 8"), summary);
        assertCommittedByMagicCommitter("out/plain");
        // the model came from S3 into the executor's local cache, under its content hash
        try (var entries = Files.list(base.resolve("cache-plain"))) {
            assertTrue(entries.anyMatch(e -> Files.isRegularFile(e.resolve("model.safetensors"))));
        }
    }

    @Test
    void jobKilledPartWayThenResumedOnS3EndsWithExactlyTheFullSet() throws Exception {
        StringBuilder corpus = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            corpus.append("resume sentence ").append(i).append('\n');
        }
        put("corpus/resume/enzh.txt", corpus.toString());
        String out = S3 + "/out/resume";
        TranslateOptions.Builder options = TranslateOptions.builder().input(S3 + "/corpus/resume/enzh.txt")
                .format(TranslateOptions.InputFormat.TEXT).output(out).srcLang("en").tgtLang("zh")
                .model(S3 + "/models/tiny-llama2").distribution(TranslationSettings.Distribution.FILESYSTEM)
                .cacheDir(base.resolve("cache-resume").toString()).commitEvery(10);

        FakeEngine.CrashingFactory.SEEN.set(0);
        FakeEngine.CrashingFactory.LIMIT = 17;
        TranslateOptions crashing = options.engineFactory(FakeEngine.CrashingFactory.class.getName()).partitions(1).build();
        assertThrows(Exception.class, () -> new TranslateJob(spark, crashing, SparkTestSupport.quiet()).run());
        List<String> partial = ids(out);
        assertFalse(partial.isEmpty(), "chunks were committed to S3 before the crash");
        assertTrue(partial.size() < 30, "the crash stopped the job part-way: " + partial.size());
        assertEquals(partial.size(), new HashSet<>(partial).size());

        CliRun resumed = CliRun.of("translate", "--input", S3 + "/corpus/resume/enzh.txt", "--format", "text",
                "--output", out, "--src-lang", "en", "--tgt-lang", "zh", "--model", S3 + "/models/tiny-llama2",
                "--distribution", "filesystem", "--cache-dir", base.resolve("cache-resume").toString(),
                "--engine-factory", FakeEngine.Factory.class.getName(), "--mode", "resume", "--commit-every", "10",
                "--progress-interval", "60");
        assertEquals(0, resumed.code(), resumed.toString());
        assertExactlyOnce(out, 30);
        String summary = get("out/resume/" + TranslateJob.SUMMARY_FILE);
        assertTrue(summary.contains("\"rowsWritten\": " + (30 - partial.size())), summary);
        assertTrue(summary.contains("\"alreadyDone\": " + partial.size()), summary);
        assertCommittedByMagicCommitter("out/resume");
    }

    @Test
    void incrementalRunsWithInputOutputAndCheckpointOnS3TranslateEachRowOnce() throws Exception {
        String in = S3 + "/corpus/incremental";
        String out = S3 + "/out/incremental";
        List<String> args = new ArrayList<>(List.of("translate", "--incremental", "--checkpoint", S3 + "/checkpoints/incremental",
                "--input", in, "--format", "text", "--output", out, "--src-lang", "en", "--tgt-lang", "zh",
                "--model", S3 + "/models/tiny-llama2", "--distribution", "filesystem",
                "--cache-dir", base.resolve("cache-incremental").toString(),
                "--engine-factory", FakeEngine.Factory.class.getName(), "--progress-interval", "60"));
        put("corpus/incremental/a.txt", lines("a", 5));
        put("corpus/incremental/b.txt", lines("b", 4));
        CliRun first = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, first.code(), first.toString());
        assertExactlyOnce(out, 9);

        put("corpus/incremental/c.txt", lines("c", 3));
        CliRun second = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, second.code(), second.toString());
        assertExactlyOnce(out, 12);
        assertTrue(ids(out).containsAll(List.of("c.txt:1", "c.txt:3")), ids(out).toString());

        CliRun nothing = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, nothing.code(), nothing.toString());
        assertTrue(nothing.out().contains("no new files"), nothing.out());
        assertExactlyOnce(out, 12);

        String summary = get("out/incremental/" + TranslateJob.SUMMARY_FILE);
        assertTrue(summary.contains("\"rowsWritten\""), summary);
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path(S3 + "/checkpoints/incremental/commits")),
                "the streaming checkpoint is on S3");
        assertFalse(fs.exists(new org.apache.hadoop.fs.Path(S3 + "/checkpoints/incremental/"
                + org.bayling.spark.stream.CheckpointLock.FILE)), "lock released");
        assertCommittedByMagicCommitter("out/incremental");
    }

    @Test
    void theServerIsReallyAnS3Endpoint() throws Exception {
        // what the S3A client wrote is an object in the blobstore behind the in-process server, not a local file
        put("probe/hello.txt", "hello");
        assertTrue(blobs.getBlobStore().blobExists(BUCKET, "probe/hello.txt"));
        Configuration wrongKey = new Configuration(spark.sparkContext().hadoopConfiguration());
        wrongKey.set("fs.s3a.secret.key", "not-the-secret");
        try (FileSystem other = FileSystem.newInstance(URI.create(S3 + "/"), wrongKey)) {
            assertThrows(IOException.class, () -> other.open(new org.apache.hadoop.fs.Path(S3 + "/probe/hello.txt")).read());
        }
    }
}
