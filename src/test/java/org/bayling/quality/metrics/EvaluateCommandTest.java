package org.bayling.quality.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bayling.SharedData;
import org.bayling.cli.EvaluateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code evaluate} file-mode contract, checked against sacreBLEU 2.6.0's recorded numbers. */
class EvaluateCommandTest {

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new EvaluateCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static JsonObject oracle(String pair, String system) {
        return Wmt22.entries().stream()
                .filter(e -> e.get("pair").getAsString().equals(pair) && e.get("system").getAsString().equals(system))
                .findFirst().orElseThrow();
    }

    @Test
    void jsonOutputMatchesSacrebleuForChinese() {
        Run r = run("--hypotheses", Wmt22.hypPath("bayling-13b", "enzh").toString(),
                "--references", SharedData.wmt22("enzh.ref").toString(), "--target-lang", "zh", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonObject got = JsonParser.parseString(r.out().trim()).getAsJsonObject();
        JsonObject exp = oracle("enzh", "bayling-13b");

        JsonObject bleu = got.getAsJsonObject("bleu");
        JsonObject expBleu = exp.getAsJsonObject("bleu_zh");
        assertEquals(expBleu.get("score").getAsDouble(), bleu.get("score").getAsDouble(), 0.01);
        assertEquals(expBleu.get("signature").getAsString(), bleu.get("signature").getAsString());
        assertEquals(expBleu.get("counts"), bleu.get("counts"));
        assertEquals(expBleu.get("totals"), bleu.get("totals"));
        assertEquals(expBleu.get("sys_len").getAsLong(), bleu.get("sys_len").getAsLong());
        assertEquals(expBleu.get("ref_len").getAsLong(), bleu.get("ref_len").getAsLong());

        for (String[] k : new String[][] {{"chrf", "chrf"}, {"chrf++", "chrfpp"}, {"ter", "ter"}}) {
            JsonObject g = got.getAsJsonObject(k[0]);
            JsonObject e = exp.getAsJsonObject(k[1]);
            assertEquals(e.get("score").getAsDouble(), g.get("score").getAsDouble(), 0.01, k[0]);
            assertEquals(e.get("signature").getAsString(), g.get("signature").getAsString(), k[0]);
        }
    }

    @Test
    void explicitTokenizerAndMultipleReferences() {
        String ref = SharedData.wmt22("deen.ref").toString();
        Run r = run("-i", Wmt22.hypPath("bayling-13b", "deen").toString(), "-r", ref, "--references", ref,
                "-t", "en", "--tokenize", "intl", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonObject bleu = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonObject("bleu");
        // the same reference twice: identical score, nrefs:2
        assertEquals(oracle("deen", "bayling-13b").getAsJsonObject("bleu_intl").get("score").getAsDouble(),
                bleu.get("score").getAsDouble(), 0.01);
        assertTrue(bleu.get("signature").getAsString().startsWith("nrefs:2|"), bleu.toString());
        assertTrue(bleu.get("signature").getAsString().contains("tok:intl"));
    }

    @Test
    void mismatchedLineCountsFailWithMessage(@TempDir Path tmp) throws IOException {
        Path shortHyp = tmp.resolve("short.hyp");
        List<String> lines = Wmt22.hyp("gpt-4", "deen");
        Files.write(shortHyp, lines.subList(0, 10), StandardCharsets.UTF_8);
        Run r = run("--hypotheses", shortHyp.toString(), "--references", SharedData.wmt22("deen.ref").toString(),
                "--target-lang", "en", "--json");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("line count mismatch"), r.err());
        assertTrue(r.err().contains("10 lines"), r.err());
        assertEquals("", r.out());

        Run c = run("--hypotheses", Wmt22.hypPath("gpt-4", "deen").toString(), "--references",
                SharedData.wmt22("deen.ref").toString(), "--target-lang", "en", "--compare", shortHyp.toString());
        assertNotEquals(0, c.exit());
        assertTrue(c.err().contains("--compare"), c.err());
    }

    @Test
    void missingMecabIsAClearError() {
        Run r = run("--hypotheses", Wmt22.hypPath("gpt-4", "deen").toString(), "--references",
                SharedData.wmt22("deen.ref").toString(), "--target-lang", "ja", "--json");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("MeCab"), r.err());
    }

    @Test
    void compareAddsPairedBootstrapAndTableModeIsHumanReadable() {
        String[] base = {"--hypotheses", Wmt22.hypPath("bayling-13b", "zhen").toString(), "--references",
            SharedData.wmt22("zhen.ref").toString(), "--target-lang", "en",
            "--compare", Wmt22.hypPath("gpt-4", "zhen").toString(), "--paired-bs-n", "200"};
        Run r = run(concat(base, "--json"));
        assertEquals(0, r.exit(), r.err());
        JsonObject pb = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonObject("paired_bootstrap");
        assertEquals(200, pb.get("n_samples").getAsInt());
        JsonObject bleu = pb.getAsJsonObject("bleu");
        assertEquals(oracle("zhen", "bayling-13b").getAsJsonObject("bleu_13a").get("score").getAsDouble(),
                bleu.getAsJsonObject("baseline").get("score").getAsDouble(), 0.01);
        assertEquals(oracle("zhen", "gpt-4").getAsJsonObject("bleu_13a").get("score").getAsDouble(),
                bleu.getAsJsonObject("system").get("score").getAsDouble(), 0.01);
        assertTrue(bleu.getAsJsonObject("system").get("p_value").getAsDouble() < 0.05);
        assertTrue(bleu.get("signature").getAsString().contains("bs:200|seed:12345"));
        for (String k : List.of("chrf", "chrf++", "ter")) {
            assertTrue(pb.has(k), k);
        }

        Run table = run("--hypotheses", Wmt22.hypPath("bayling-13b", "zhen").toString(), "--references",
                SharedData.wmt22("zhen.ref").toString(), "--target-lang", "en");
        assertEquals(0, table.exit(), table.err());
        assertTrue(table.out().contains("BLEU"), table.out());
        assertTrue(table.out().contains("chrF2++"), table.out());
        assertTrue(table.out().contains("20.12"), table.out());
    }

    @Test
    void compareInTableMode(@TempDir Path tmp) throws IOException {
        Path a = tmp.resolve("a.hyp");
        Path b = tmp.resolve("b.hyp");
        Path ref = tmp.resolve("ref");
        Files.write(a, Wmt22.hyp("bayling-13b", "ende").subList(0, 200), StandardCharsets.UTF_8);
        Files.write(b, Wmt22.hyp("gpt-4", "ende").subList(0, 200), StandardCharsets.UTF_8);
        Files.write(ref, Wmt22.ref("ende").subList(0, 200), StandardCharsets.UTF_8);
        Run r = run("-i", a.toString(), "-r", ref.toString(), "-t", "de", "--compare", b.toString(),
                "--paired-bs-n", "100");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Paired bootstrap resampling (n=100, seed=12345)"), r.out());
        assertTrue(r.out().contains("p-value"), r.out());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
