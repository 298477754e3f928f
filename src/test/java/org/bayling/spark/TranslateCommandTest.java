package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bayling.cli.TranslateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The translate command: arguments to options, exit codes, summary file, generation options. */
class TranslateCommandTest {

    @TempDir
    Path tmp;

    @Test
    void runsTheJobAndWritesTheSummary() throws Exception {
        SparkTestSupport.spark(); // reuse the test session, as under spark-submit
        Path in = SparkTestSupport.write(tmp.resolve("in.txt"), "one line\n\u0001bad\nthird line\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new CommandLine(new TranslateCommand()).setOut(new java.io.PrintWriter(out)).execute(
                "--input", in.toString(), "--output", tmp.resolve("out").toString(), "--src-lang", "en",
                "--tgt-lang", "zh", "--model", SparkTestSupport.tinyModel(), "--cache-dir", tmp.resolve("cache").toString(),
                "--num-beams", "1", "--max-new-tokens", "16", "--progress-interval", "1",
                "--max-error-fraction", "0.5"); // 1 error row of 3: above the default 0.1 would exit 5
        assertEquals(0, code);
        String summary = Files.readString(tmp.resolve("out").resolve(TranslateJob.SUMMARY_FILE));
        assertTrue(summary.contains("\"ok\": 2"), summary);
        assertTrue(summary.contains("\"errors\": 1"), summary);
        assertTrue(summary.contains("\"maxNewTokens\": 16"), summary);
        // issue 16: the executor memory plan beside each executor's measured peak resident size
        var memory = com.google.gson.JsonParser.parseString(summary).getAsJsonObject().getAsJsonObject("memory");
        assertTrue(memory.get("peak_mb").getAsDouble() > 0, summary);
        var measured = memory.getAsJsonObject("measured_peak_rss_mb");
        assertEquals(1, measured.size(), "one executor (local mode: the driver)\n" + summary);
        double rss = measured.entrySet().iterator().next().getValue().getAsDouble();
        assertTrue(rss > 100 && rss < 64 * 1024, "a peak RSS in MB: " + rss);
    }

    @Test
    void badArgumentsExitWithTwo() {
        PrintStream err = System.err;
        assertEquals(2, new CommandLine(new TranslateCommand()).execute("--input", "a.txt", "--output", "o",
                "--model", "m", "--tgt-lang", "zz-not-a-language!"));
        assertEquals(2, new CommandLine(new TranslateCommand()).execute("--input", "a.txt", "--output", "o",
                "--model", "m", "--do-sample", "--num-beams", "4"));
        // (without --input the job runs on its embedded default corpus: not an error any more)
        assertEquals(2, new CommandLine(new TranslateCommand()).execute("--input", "a.txt", "--output", "a.txt",
                "--model", "m"));
        System.setErr(err);
    }
}
