package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar runs the tiny-model job through {@code org.apache.spark.deploy.SparkSubmit} (what
 * {@code spark-submit} runs) in a child JVM whose working directory is a fresh temporary directory, with
 * a cluster-like classpath: a Spark distribution's jars (Spark, Hadoop client and their dependencies) plus
 * the job jar, nothing of the project's build output or other dependencies. The jar is built here when missing or older than the sources.
 */
@Tag("slow")
class JobJarSparkSubmitTest {

    @TempDir
    Path cwd;

    private static final Path PROJECT = Path.of(System.getProperty("user.dir"));

    @Test
    void jobJarTranslatesThroughSparkSubmitFromACleanDirectory() throws Exception {
        Path jar = jobJar();
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            assertTrue(zip.stream().map(java.util.zip.ZipEntry::getName).noneMatch(n -> n.startsWith("software/amazon/")
                    || n.startsWith("org/apache/hadoop/fs/s3a/") || n.startsWith("org/apache/spark/internal/io/cloud/")),
                    "S3 support (hadoop-aws, the AWS SDK, spark-hadoop-cloud) comes from the cluster, not the job jar");
        }
        List<String> sparkClasspath = sparkDistributionClasspath();
        SparkTestSupport.write(cwd.resolve("corpus/enzh.txt"), String.join("\n", SparkTestSupport.wmtLines(3)) + "\n");

        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx2g");
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Dio.netty") || a.startsWith("-Djdk.reflect"))
                .forEach(cmd::add); // what bin/spark-class adds for Java 17
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, sparkClasspath),
                "org.apache.spark.deploy.SparkSubmit",
                "--master", "local[2]", "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
                "--class", "org.bayling.cli.BaylingCli", jar.toString(),
                "translate", "--input", "corpus/enzh.txt", "--output", "out", "--src-lang", "en", "--tgt-lang", "zh",
                "--model", SparkTestSupport.tinyModel(), "--cache-dir", "model-cache",
                "--num-beams", "1", "--max-new-tokens", "4", "--progress-interval", "60"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(cwd.resolve("spark-submit.log").toFile());
        pb.environment().put("PYTORCH_PRECXX11", "false");
        pb.environment().remove("CLASSPATH");
        Process p = pb.start();
        boolean finished = p.waitFor(6, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        String log = Files.readString(cwd.resolve("spark-submit.log"));
        String tail = log.substring(Math.max(0, log.length() - 6000));
        assertTrue(finished, "spark-submit finished in time:\n" + tail);
        assertEquals(0, p.exitValue(), tail);
        Path summary = cwd.resolve("out").resolve(TranslateJob.SUMMARY_FILE);
        assertTrue(Files.isRegularFile(summary), "relative --output resolved against the working directory:\n" + tail);
        String json = Files.readString(summary);
        assertTrue(json.contains("\"rowsWritten\": 3"), json);
        assertTrue(json.contains("\"ok\": 3"), json);
        assertEquals(3, SparkTestSupport.spark().read().parquet(cwd.resolve("out").toString()).count());
    }

    /** {@code target/*-job.jar}, built with {@code mvn package} when missing or older than src/main and the POM. */
    static synchronized Path jobJar() throws IOException, InterruptedException {
        Path jar = findJobJar();
        if (jar == null || Files.getLastModifiedTime(jar).toMillis() < newestSource()) {
            mvn(PROJECT, List.of("-DskipTests", "package"));
            jar = findJobJar();
        }
        assertNotNull(jar, "mvn package made no target/*-job.jar");
        return jar;
    }

    private static Path findJobJar() throws IOException {
        try (Stream<Path> s = Files.list(PROJECT.resolve("target"))) {
            return s.filter(p -> p.getFileName().toString().endsWith("-job.jar")).findFirst().orElse(null);
        }
    }

    private static long newestSource() throws IOException {
        try (Stream<Path> s = Stream.concat(Files.walk(PROJECT.resolve("src/main")), Stream.of(PROJECT.resolve("pom.xml")))) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().lastModified()).max().orElse(0);
        }
    }

    /**
     * The jars of a Spark distribution: the dependency closure of spark-sql and spark-mllib at the POM's
     * Spark version, resolved by a throwaway POM that depends on nothing else (so slf4j, Jackson & co. are
     * there as on a cluster, and nothing of the job's own dependencies is).
     */
    static List<String> sparkDistributionClasspath() throws IOException, InterruptedException {
        Path dir = PROJECT.resolve("target/spark-distribution");
        Path file = dir.resolve("classpath.txt");
        String pom = Files.readString(PROJECT.resolve("pom.xml"));
        String spark = property(pom, "spark.version");
        String scala = property(pom, "scala.binary.version");
        if (!Files.isRegularFile(file) || !Files.readString(file).contains("spark-core_" + scala + "-" + spark + ".jar")) {
            Files.createDirectories(dir);
            StringBuilder deps = new StringBuilder();
            for (String a : List.of("spark-sql", "spark-mllib")) {
                deps.append("<dependency><groupId>org.apache.spark</groupId><artifactId>").append(a).append('_').append(scala)
                        .append("</artifactId><version>").append(spark).append("</version></dependency>");
            }
            Files.writeString(dir.resolve("pom.xml"), "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0"
                    + "</modelVersion><groupId>test</groupId><artifactId>spark-distribution</artifactId><version>1</version>"
                    + "<dependencies>" + deps + "</dependencies></project>");
            mvn(dir, List.of("dependency:build-classpath", "-Dmdep.outputFile=" + file));
        }
        List<String> cp = List.of(Files.readString(file).trim().split(File.pathSeparator));
        assertTrue(cp.stream().anyMatch(e -> e.contains("spark-core_")), "Spark is on the distribution classpath");
        assertTrue(cp.stream().noneMatch(e -> e.contains("/ai/djl/") || e.contains("picocli")),
                "the job's own dependencies come from the job jar only: " + cp);
        return cp;
    }

    private static String property(String pom, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<" + name + ">([^<]+)</" + name + ">").matcher(pom);
        assertTrue(m.find(), name + " in pom.xml");
        return m.group(1).trim();
    }

    private static void mvn(Path dir, List<String> goals) throws IOException, InterruptedException {
        for (boolean offline : new boolean[] {true, false}) {
            List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-q"));
            if (offline) {
                cmd.add("-o");
            }
            cmd.addAll(goals);
            Path log = Files.createTempFile("bayling-mvn", ".log");
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("mvn " + goals + " timed out");
            }
            if (p.exitValue() == 0) {
                return;
            }
            if (!offline) {
                throw new IllegalStateException("mvn " + goals + " failed:\n" + Files.readString(log));
            }
        }
    }
}
