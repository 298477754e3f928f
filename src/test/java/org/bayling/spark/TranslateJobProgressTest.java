package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: progress moved only when a task finished, so a six-hour task showed 0 until its end. Now the
 * counters are read from executor heartbeats: with one task translating for a few seconds, progress lines
 * show rows and tokens done while that task still runs.
 */
class TranslateJobProgressTest {

    private static final Pattern LINE = Pattern.compile("\\[translate\\] (\\d+)/(\\d+) requests .*\\| ([0-9.]+) tok/s");

    @TempDir
    Path tmp;

    @AfterAll
    static void stopSession() {
        SparkTestSupport.stop(); // this class's session has a short heartbeat; the next class makes the usual one
    }

    @Test
    void progressMovesWhileTheOnlyTaskIsStillRunning() {
        SparkTestSupport.stop();
        SparkSession spark = SparkSession.builder().master("local[2]").appName("bayling-progress-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.executor.heartbeatInterval", "200ms")
                .getOrCreate();
        int rows = 24;
        Path in = SparkTestSupport.write(tmp.resolve("in/enzh.txt"),
                String.join("\n", SparkTestSupport.wmtLines(rows)) + "\n");
        FakeEngine.SlowFactory.MILLIS = 250; // 24 engine calls of one row: ~6 s in one task
        TranslateOptions o = TranslateOptions.builder().input(in.toString()).format(TranslateOptions.InputFormat.TEXT)
                .output(tmp.resolve("out").toString()).srcLang("en").tgtLang("zh").model(SparkTestSupport.tinyModel())
                .engineFactory(FakeEngine.SlowFactory.class.getName()).cacheDir(tmp.resolve("cache").toString())
                .partitions(1).maxBatchTokens(1).progressIntervalMs(200).build();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        TranslateSummary s = new TranslateJob(spark, o, new PrintStream(console, true, StandardCharsets.UTF_8)).run();
        assertEquals(rows, s.ok());

        List<String> lines = console.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("[translate]")).toList();
        long inside = 0;
        for (String l : lines) {
            Matcher m = LINE.matcher(l);
            assertTrue(m.find(), l);
            long done = Long.parseLong(m.group(1));
            assertEquals(rows, Long.parseLong(m.group(2)), l);
            // one task holds every row: a count strictly between 0 and all came from inside the running task
            if (done > 0 && done < rows && Double.parseDouble(m.group(3)) > 0) {
                inside++;
            }
        }
        assertTrue(inside >= 2, "progress lines with rows and tokens moving inside the task: " + inside + "\n"
                + String.join("\n", lines));
    }
}
