package org.bayling.quality.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.bayling.SharedData;
import org.bayling.cli.EvaluateCommand;
import org.bayling.quality.metrics.Bleu;
import org.bayling.quality.metrics.Chrf;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code evaluate --translations}: the Spark-mode command line, beside the unchanged file mode. */
class EvaluateCommandSparkTest {

    @TempDir
    static Path tmp;
    static Path out;
    static List<String> hyp;
    static List<String> ref;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cmd = new CommandLine(new EvaluateCommand());
        cmd.setOut(new PrintWriter(o, true));
        cmd.setErr(new PrintWriter(e, true));
        return new Run(cmd.execute(args), o.toString(), e.toString());
    }

    @BeforeAll
    static void output() {
        hyp = EvalTestSupport.hyp("gpt-4", "ende").subList(0, 200);
        ref = EvalTestSupport.wmt("ende.ref").subList(0, 200);
        List<String> src = EvalTestSupport.wmt("ende.src");
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < hyp.size(); i++) {
            rows.add(EvalTestSupport.row(true, true, "ende-" + i, "en", "de", src.get(i), ref.get(i), hyp.get(i), "ok",
                    0.8, i % 4 == 0 ? List.of("LOW_CONFIDENCE") : List.of()));
        }
        rows.add(EvalTestSupport.row(true, true, "bad", "en", "de", "x", "y", null, "error", null, null));
        out = tmp.resolve("job");
        EvalTestSupport.write(rows, EvalTestSupport.schema(EvalTestSupport.QUALITY_WITH_FLAGS, true), out);
        EvalTestSupport.spark(); // the command reuses the active session
    }

    @Test
    void jsonToStdoutAndFileEqualsFileModeNumbers() throws Exception {
        Path json = tmp.resolve("eval/result.json");
        Run r = run("--translations", out.toString(), "--output", json.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonObject printed = JsonParser.parseString(r.out()).getAsJsonObject();
        JsonObject written = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(printed, written);
        JsonObject pair = written.getAsJsonObject("pairs").getAsJsonObject("en-de");
        assertEquals(201, pair.get("rows").getAsLong());
        assertEquals(1, pair.get("error").getAsLong());
        assertEquals(200, pair.get("evaluated").getAsLong());
        JsonObject m = pair.getAsJsonObject("metrics");
        assertEquals(Bleu.forTarget("de").corpusScore(hyp, List.of(ref)).score(),
                m.getAsJsonObject("bleu").get("score").getAsDouble(), 1e-9);
        assertEquals("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0",
                m.getAsJsonObject("bleu").get("signature").getAsString());
        assertEquals(Chrf.chrf().corpusScore(hyp, List.of(ref)).score(),
                m.getAsJsonObject("chrf").get("score").getAsDouble(), 1e-9);
        assertEquals(50, pair.getAsJsonObject("flags").getAsJsonObject("LOW_CONFIDENCE").get("rows").getAsLong());
        assertEquals(150, pair.getAsJsonObject("unflagged").get("evaluated").getAsLong());

        // the same numbers as file mode on the same segments
        Path h = Files.write(tmp.resolve("h.txt"), hyp);
        Path rf = Files.write(tmp.resolve("r.txt"), ref);
        Run file = run("--hypotheses", h.toString(), "--references", rf.toString(), "--target-lang", "de", "--json");
        assertEquals(0, file.exit(), file.err());
        JsonObject f = JsonParser.parseString(file.out()).getAsJsonObject();
        for (String k : List.of("bleu", "chrf", "chrf++", "ter")) {
            assertEquals(f.getAsJsonObject(k).get("score").getAsDouble(),
                    m.getAsJsonObject(k).get("score").getAsDouble(), 1e-9, k);
            assertEquals(f.getAsJsonObject(k).get("signature"), m.getAsJsonObject(k).get("signature"), k);
        }
        assertEquals(f.getAsJsonObject("bleu").get("counts"), m.getAsJsonObject("bleu").get("counts"));
    }

    @Test
    void tableModeReferencesFileAndOptionErrors() throws Exception {
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < ref.size(); i++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", "ende-" + i);
            o.addProperty("reference", ref.get(i));
            jsonl.append(o).append('\n');
        }
        Path refs = Files.writeString(tmp.resolve("refs.jsonl"), jsonl.toString());
        Run t = run("--translations", out.toString(), "--references", refs.toString());
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.out().contains("en-de"), t.out());
        assertTrue(t.out().contains("LOW_CONFIDENCE"), t.out());
        assertTrue(t.out().contains("1 error"), t.out());
        String bleu = String.format(java.util.Locale.ROOT, "%.2f",
                Bleu.forTarget("de").corpusScore(hyp, List.of(ref)).score());
        assertTrue(t.out().contains(bleu), t.out());

        Run mixed = run("--translations", out.toString(), "--hypotheses", "x.txt");
        assertEquals(2, mixed.exit());
        assertTrue(mixed.err().contains("file-mode options"), mixed.err());
        Run missing = run("--hypotheses", SharedData.wmt22("ende.src").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("--references") && missing.err().contains("--target-lang"), missing.err());
        Run badFormat = run("--translations", out.toString(), "--references", refs.toString(),
                "--reference-format", "xml");
        assertEquals(2, badFormat.exit());
        assertTrue(badFormat.err().contains("unknown reference format"), badFormat.err());
        Run noSuch = run("--translations", tmp.resolve("nope").toString());
        assertEquals(1, noSuch.exit());
        assertTrue(noSuch.err().startsWith("evaluate: error:"), noSuch.err());

        Run help = run("--help");
        assertTrue(help.out().contains("Spark mode") && help.out().contains("--translations")
                && help.out().contains("flag_source"), help.out());
    }
}
