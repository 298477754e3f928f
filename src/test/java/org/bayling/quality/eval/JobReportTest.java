package org.bayling.quality.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.bayling.cli.ReportCommand;
import org.bayling.generate.GenerationConfig;
import org.bayling.quality.QualityReport;
import org.bayling.output.OutputSchema;
import org.bayling.spark.TranslateJob;
import org.bayling.spark.TranslateOptions;
import org.bayling.spark.TranslateSummary;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The report from a real job's output: the translate job on the sample en-zh corpus (with references) with the
 * tiny random-weight model, then {@link JobReport} / {@code report}; the HTML is loaded in headless Chromium.
 */
class JobReportTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    static Path tmp;
    static String output;
    static TranslateSummary summary;

    @BeforeAll
    static void translate() {
        Path project = Path.of(System.getProperty("user.dir"));
        output = tmp.resolve("out").toString();
        TranslateOptions o = TranslateOptions.builder()
                .input(project.resolve("samples/enzh-sample.jsonl").toString())
                .format(TranslateOptions.InputFormat.JSONL)
                .output(output).srcLang("en").tgtLang("zh")
                .model(project.resolve("models/tiny-bayling").toString())
                .generation(GenerationConfig.builder().numBeams(1).maxNewTokens(8).build())
                .cacheDir(tmp.resolve("cache").toString())
                .build();
        summary = new TranslateJob(EvalTestSupport.spark(), o, new PrintStream(java.io.OutputStream.nullOutputStream()))
                .run();
    }

    @Test
    void reportBesideTheOutputLoadsInHeadlessChromium() throws Exception {
        SparkSession spark = EvalTestSupport.spark();
        JobReport.Written w = JobReport.write(spark, output);
        Path dir = Path.of(output, JobReport.REPORT_DIR);
        assertTrue(w.dir().startsWith("file:") && w.dir().endsWith(dir.toString()), w.dir());
        assertTrue(w.html().endsWith(dir.resolve("report.html").toString()), w.html());
        assertEquals(summary.rowsWritten(), w.rows());
        assertEquals(summary.ok(), w.ok());
        assertEquals(3, w.charts().size(), "score, flags and confidence-vs-chrF (the sample has references)");
        for (String chart : List.of(QualityReport.SCORE_CHART, QualityReport.FLAG_CHART, QualityReport.CONFIDENCE_CHART)) {
            Path png = dir.resolve(chart);
            assertTrue(ImageIO.read(png.toFile()).getWidth() > 0, chart);
        }
        String md = Files.readString(dir.resolve("report.md"));
        System.out.println("[report] report.md:\n" + String.join("\n", md.lines().limit(8).toList()) + "\n...\n"
                + String.join("\n", md.lines().filter(l -> l.startsWith("| 1 |")).toList()));
        assertTrue(md.contains("| en-zh | " + summary.ok() + " |"), md);
        assertEquals(JobRows.FlagSource.OUTPUT, w.flagSource(), "the job's quality struct has score and flags");
        assertFalse(md.contains("flags recomputed"));
        assertFalse(md.contains("| – |\n## Combined"), "mean chrF is filled (references exist)");
        // the output is still one table: Spark skips _report
        assertEquals(summary.rowsWritten(), spark.read().parquet(output).count());
        assertEquals(26, spark.read().parquet(output).select(OutputSchema.ID).distinct().count());

        String[] images = chromiumImages(dir.resolve("report.html"), tmp.resolve("chromium"));
        System.out.println("[report] chromium image check: " + String.join(", ", images));
        assertEquals(3, images.length);
        for (String img : images) {
            Matcher im = Pattern.compile("(.+)=(\\d+)x(\\d+):(true|false)").matcher(img);
            assertTrue(im.matches(), img);
            assertTrue(Integer.parseInt(im.group(2)) > 0 && Integer.parseInt(im.group(3)) > 0, "image did not load: " + img);
            assertEquals("true", im.group(4), img);
        }
    }

    /** Spark-mode evaluation of the same real output: references from the output's reference column. */
    @Test
    void evaluationOfTheRealJobOutput() {
        JobEvaluation.Result r = JobEvaluation.evaluate(EvalTestSupport.spark(), JobEvaluation.Options.of(output));
        assertEquals(JobRows.FlagSource.OUTPUT, r.flagSource());
        JobEvaluation.PairResult p = r.pair("en-zh");
        assertEquals(summary.rowsWritten(), r.rows());
        assertEquals(summary.ok(), p.ok());
        assertEquals(p.ok(), p.evaluated(), "every translatable sample row has a reference");
        assertEquals(summary.errors(), r.pairs().values().stream().mapToLong(JobEvaluation.PairResult::error).sum());
        assertTrue(p.metrics().bleu().signature().contains("tok:zh"));
        assertTrue(p.metrics().chrf().score() >= 0 && p.metrics().ter().score() > 0);
        assertTrue(Double.isFinite(p.meanCombined()));
        System.out.printf("[eval] tiny model on the sample: %d ok of %d, BLEU %.2f chrF %.2f TER %.2f, flags %s%n",
                p.ok(), p.rows(), p.metrics().bleu().score(), p.metrics().chrf().score(), p.metrics().ter().score(),
                p.flags().keySet());
    }

    @Test
    void reportCommandWritesWhereToldWithTheWorstRows() throws Exception {
        Path dir = tmp.resolve("elsewhere/report");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new ReportCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute("--translations", output, "--output", dir.toString(), "--worst", "5",
                "--title", "Sample <en-zh>");
        assertEquals(0, exit, err.toString());
        assertTrue(out.toString().contains("report written to"), out.toString());
        String md = Files.readString(dir.resolve("report.md"));
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(md.contains("## Worst 5 rows"), md);
        assertTrue(html.contains("<h1>Sample &lt;en-zh&gt;</h1>"), html);
        assertTrue(Files.size(dir.resolve(QualityReport.SCORE_CHART)) > 0);
        // worst rows carry their texts (fetched separately from the numbers)
        Matcher m = Pattern.compile("<td class=\"text\">([^<]+)</td>").matcher(html);
        assertTrue(m.find(), "worst rows have source text");
        // the spark session of the test is reused, not stopped
        assertFalse(EvalTestSupport.spark().sparkContext().isStopped());

        StringWriter err2 = new StringWriter();
        CommandLine bad = new CommandLine(new ReportCommand());
        bad.setErr(new PrintWriter(err2, true));
        assertEquals(1, bad.execute("--translations", tmp.resolve("missing").toString()));
        assertTrue(err2.toString().startsWith("report: error:"), err2.toString());

        StringWriter help = new StringWriter();
        new CommandLine(new ReportCommand()).setOut(new PrintWriter(help, true)).execute("--help");
        assertTrue(help.toString().contains("report.html") && help.toString().contains("--worst"), help.toString());
    }

    /** Loads the page in headless Chromium with a probe listing each image's natural size (as QualityReportTest). */
    static String[] chromiumImages(Path html, Path work) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
                "/usr/bin/chromium not installed: install with `apt-get update && apt-get install -y chromium`");
        String probe = "<script>window.addEventListener('load',function(){var o=[];"
                + "document.querySelectorAll('img').forEach(function(i){o.push(i.getAttribute('src')+'='"
                + "+i.naturalWidth+'x'+i.naturalHeight+':'+i.complete);});"
                + "var p=document.createElement('pre');p.id='img-check';p.textContent=o.join(';');"
                + "document.body.appendChild(p);});</script>";
        Path check = html.resolveSibling("report-check.html");
        Files.writeString(check, Files.readString(html).replace("</body>", probe + "</body>"));
        Files.createDirectories(work);
        Path profile = Files.createDirectories(work.resolve("profile"));
        Path stdout = work.resolve("dom.txt");
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                "--virtual-time-budget=10000", "--dump-dom", check.toUri().toString())
                .redirectOutput(stdout.toFile())
                .redirectError(work.resolve("chromium.err").toFile())
                .start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "chromium timed out");
        Files.delete(check);
        String dom = Files.readString(stdout);
        Matcher m = Pattern.compile("<pre id=\"img-check\">([^<]*)</pre>").matcher(dom);
        assertTrue(m.find(), "probe output missing; exit " + p.exitValue() + ", stderr: "
                + Files.readString(work.resolve("chromium.err")));
        return m.group(1).split(";");
    }
}
