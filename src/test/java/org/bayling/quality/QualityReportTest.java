package org.bayling.quality;

import org.bayling.SharedData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QualityReportTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static List<ReportRow> rows;

    /**
     * Rows: BayLing-13B's WMT22 outputs (first 150 lines per direction) scored by the real scorer,
     * plus an adversarial row. Log-probs and chrF are SYNTHETIC here (deterministic pseudo-random):
     * the test is about rendering; real chrF comes from org.bayling.quality.metrics.
     */
    @BeforeAll
    static void rows() throws Exception {
        QualityScorer scorer = QualityScorer.withDefaults();
        Random rnd = new Random(7);
        rows = new ArrayList<>();
        for (String pair : List.of("enzh", "zhen", "ende", "deen")) {
            List<String> src = Files.readAllLines(SharedData.wmt22(pair + ".src"), StandardCharsets.UTF_8);
            List<String> hyp = Files.readAllLines(SharedData.root().resolve("wmt22/systems/bayling-13b/" + pair + ".hyp"),
                    StandardCharsets.UTF_8);
            for (int i = 0; i < 150; i++) {
                float lp = (float) (-0.2 - rnd.nextDouble() * 1.5);
                float[] lps = new float[30];
                java.util.Arrays.fill(lps, lp);
                double chrf = Math.max(0, Math.min(100, 70 + 25 * lp + rnd.nextGaussian() * 10));
                QualityInput in = QualityInput.of(src.get(i), hyp.get(i), pair.substring(0, 2), pair.substring(2))
                        .withGeneration(lps, i % 50 == 0 ? "length" : "eos")
                        .withReferenceMetrics(null, chrf);
                rows.add(ReportRow.of(pair + "-" + i, in, scorer.score(in)));
            }
        }
        QualityInput evil = QualityInput.of("<script>alert('x')</script> & \"quotes\" | pipe",
                "<img src=x onerror=alert(1)> & | pipe", "en", "de")
                .withGeneration(new float[] {-5f, -6f}, "length"); // scores 0: first in the worst rows
        rows.add(ReportRow.of("<b>evil</b>", evil, scorer.score(evil)));
    }

    @Test
    void writesMarkdownHtmlAndCharts(@TempDir Path dir) throws Exception {
        QualityReport.Written w = new QualityReport("WMT22 BayLing-13B (sample)", 20).write(rows, dir);
        assertEquals(3, w.charts().size());
        for (Path png : w.charts()) {
            BufferedImage img = ImageIO.read(png.toFile());
            assertNotNull(img, png.toString());
            assertEquals(900, img.getWidth());
            assertEquals(450, img.getHeight());
        }
        String html = Files.readString(w.html());
        String md = Files.readString(w.markdown());
        for (String chart : List.of(QualityReport.SCORE_CHART, QualityReport.FLAG_CHART, QualityReport.CONFIDENCE_CHART)) {
            assertTrue(html.contains("src=\"" + chart + "\""), chart);
            assertTrue(md.contains("](" + chart + ")"), chart);
        }
        assertFalse(html.contains("<script>alert"), "source must be escaped");
        assertFalse(html.contains("<img src=x"), "translation must be escaped");
        assertFalse(html.contains("<b>evil"), "id must be escaped");
        assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt; &amp; | pipe"));
        assertFalse(md.contains("<script>"));
        assertTrue(md.contains("\\| pipe"));
        for (String pair : List.of("en-zh", "zh-en", "de-en")) {
            assertTrue(md.contains("| " + pair + " | 150 |"), pair);
        }
        assertTrue(md.contains("| en-de | 151 |"), "en-de has the extra row");
        assertTrue(md.contains("## Worst 20 rows"));

        String keep = System.getProperty("quality.report.out");
        if (keep != null) {
            System.out.println("[report] sample written to " + new QualityReport("WMT22 BayLing-13B (sample)", 20)
                    .write(rows, Path.of(keep)).html());
        }
    }

    @Test
    void withoutChrfTheConfidenceChartIsLeftOut(@TempDir Path dir) throws Exception {
        List<ReportRow> noChrf = rows.stream().map(r -> new ReportRow(r.id(), r.srcLang(), r.tgtLang(), r.source(),
                r.translation(), r.combined(), r.flags(), r.meanLogprob(), null)).toList();
        QualityReport.Written w = new QualityReport().write(noChrf, dir);
        assertEquals(2, w.charts().size());
        assertFalse(Files.exists(dir.resolve(QualityReport.CONFIDENCE_CHART)));
        assertTrue(Files.readString(w.html()).contains("No row has both"));
        // empty input still renders
        assertEquals(2, new QualityReport().write(List.of(), dir.resolve("empty")).charts().size());
    }

    /** Loads report.html in headless Chromium and checks every chart image decodes with a non-zero size. */
    @Test
    void chartsLoadInHeadlessChromium(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
                "/usr/bin/chromium not installed: install with `apt-get update && apt-get install -y chromium` to run this test");
        QualityReport.Written w = new QualityReport("WMT22 BayLing-13B (sample)", 20).write(rows, dir);

        // Same directory as report.html, so the relative chart paths resolve exactly as in the report.
        String probe = "<script>window.addEventListener('load',function(){var o=[];"
                + "document.querySelectorAll('img').forEach(function(i){o.push(i.getAttribute('src')+'='"
                + "+i.naturalWidth+'x'+i.naturalHeight+':'+i.complete);});"
                + "var p=document.createElement('pre');p.id='img-check';p.textContent=o.join(';');"
                + "document.body.appendChild(p);});</script>";
        Path check = dir.resolve("report-check.html");
        Files.writeString(check, Files.readString(w.html()).replace("</body>", probe + "</body>"));

        Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
        Path stdout = dir.resolve("dom.txt");
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                "--virtual-time-budget=10000", "--dump-dom", check.toUri().toString())
                .redirectOutput(stdout.toFile())
                .redirectError(dir.resolve("chromium.err").toFile())
                .start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "chromium timed out");
        String dom = Files.readString(stdout);
        Matcher m = Pattern.compile("<pre id=\"img-check\">([^<]*)</pre>").matcher(dom);
        assertTrue(m.find(), "probe output missing; exit " + p.exitValue() + ", stderr: "
                + Files.readString(dir.resolve("chromium.err")));
        String[] images = m.group(1).split(";");
        System.out.println("[report] chromium image check: " + String.join(", ", images));
        assertEquals(3, images.length);
        for (String img : images) {
            Matcher im = Pattern.compile("(.+)=(\\d+)x(\\d+):(true|false)").matcher(img);
            assertTrue(im.matches(), img);
            assertTrue(Integer.parseInt(im.group(2)) > 0 && Integer.parseInt(im.group(3)) > 0, "image did not load: " + img);
            assertEquals("true", im.group(4), img);
        }
    }
}
