package org.bayling.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every notebook in {@code notebooks/} executes end to end through {@code jobs/bayling notebook} (in a
 * child JVM, so its SparkSession is its own) and gives exactly the committed bytes: outputs carry no
 * machine paths and nothing that changes from run to run. The broken fixtures make the runner fail.
 * {@code -Dbayling.notebooks.inPlace=true} rewrites the committed notebooks with fresh outputs.
 */
class NotebooksTest {

    @TempDir
    Path tmp;

    @Test
    void everyNotebookRuns() throws Exception {
        List<Path> notebooks = notebooks();
        assertTrue(notebooks.size() >= 3, "notebooks: " + notebooks);
        boolean inPlace = Boolean.getBoolean("bayling.notebooks.inPlace");
        Path out = inPlace ? null : Path.of("target/notebooks/executed");
        Run r = runner(out, notebooks);
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("notebooks: " + notebooks.size() + " ran, 0 failed"), r.output);
        for (Path nb : notebooks) {
            Path executedPath = out == null ? nb : out.resolve(nb.getFileName());
            JsonObject executed = read(executedPath);
            assertEquals(0, count(executed, "error"), nb.toString());
            assertTrue(count(executed, "image/png") >= 1, nb + " shows no chart");
            // a second run on the same data (the committed one was the first) gives the same bytes
            assertEquals(Files.readString(nb), Files.readString(executedPath), nb + " executed here differs from the "
                    + "committed file: outputs must not change from run to run (refresh with -Dbayling.notebooks.inPlace=true "
                    + "after changing a notebook or what it prints)");
        }
    }

    @Test
    void committedOutputsCarryNoMachinePaths() throws IOException {
        java.util.regex.Pattern absolute = java.util.regex.Pattern.compile("(?<![\\w.:/])/(?:work|tmp|home|root|Users|var|opt|mnt)/");
        String root = Path.of("").toAbsolutePath().toString();
        for (Path nb : notebooks()) {
            String text = Files.readString(nb);
            assertFalse(text.contains(root), nb + " holds this checkout's path " + root);
            java.util.regex.Matcher m = absolute.matcher(text);
            if (m.find()) {
                throw new AssertionError(nb + " holds an absolute path: "
                        + text.substring(m.start(), Math.min(text.length(), m.start() + 80)));
            }
        }
    }

    @Test
    void committedNotebooksKeepTheirOutputs() throws IOException {
        for (Path nb : notebooks()) {
            JsonObject json = read(nb);
            assertTrue(count(json, "image/png") >= 1, nb + " has no image output");
            assertEquals(0, count(json, "error"), nb + " was committed with an error");
            for (JsonElement c : json.getAsJsonArray("cells")) {
                JsonObject cell = c.getAsJsonObject();
                if (cell.get("cell_type").getAsString().equals("code")) {
                    assertFalse(cell.get("execution_count").isJsonNull(), nb + " has a code cell that did not run");
                }
            }
        }
    }

    @Test
    void brokenCellsFailTheRun() throws Exception {
        Path runtime = Path.of("src/test/resources/notebooks/broken-runtime.ipynb");
        Path compile = Path.of("src/test/resources/notebooks/broken-compile.ipynb");
        Run r = runner(tmp, List.of(runtime, compile));
        assertEquals(1, r.exit, r.output);
        assertTrue(r.output.contains("notebooks: 0 ran, 2 failed"), r.output);

        JsonArray cells = read(tmp.resolve(runtime.getFileName())).getAsJsonArray("cells");
        assertEquals("hello from cell 1\n", cells.get(1).getAsJsonObject().getAsJsonArray("outputs").get(0)
                .getAsJsonObject().getAsJsonArray("text").get(0).getAsString());
        JsonObject err = cells.get(2).getAsJsonObject().getAsJsonArray("outputs").get(0).getAsJsonObject();
        assertEquals("error", err.get("output_type").getAsString());
        assertEquals("java.lang.IllegalStateException", err.get("ename").getAsString());
        assertEquals("this cell is broken on purpose", err.get("evalue").getAsString());
        assertEquals(0, cells.get(3).getAsJsonObject().getAsJsonArray("outputs").size(), "cells after the failure do not run");
        assertTrue(cells.get(3).getAsJsonObject().get("execution_count").isJsonNull());

        JsonArray c2 = read(tmp.resolve(compile.getFileName())).getAsJsonArray("cells");
        JsonObject cerr = c2.get(1).getAsJsonObject().getAsJsonArray("outputs").get(0).getAsJsonObject();
        assertEquals("CompilationError", cerr.get("ename").getAsString());
        assertTrue(cerr.toString().contains("undefinedVariable"), cerr.toString());
    }

    static List<Path> notebooks() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("notebooks"))) {
            return s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
    }

    private record Run(int exit, String output) {
    }

    /** {@code java <this JVM's flags> -cp <test classpath> BaylingCli notebook [--out DIR] notebooks...}. */
    private static Run runner(Path out, List<Path> notebooks) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || (a.startsWith("-D") && !a.startsWith("-Dbasedir"))) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx3g");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, NotebookRunner.currentClasspath()));
        cmd.add(org.bayling.cli.BaylingCli.class.getName());
        cmd.add("notebook");
        if (out != null) {
            cmd.add("--out");
            cmd.add(out.toString());
        }
        notebooks.forEach(n -> cmd.add(n.toString()));
        Path log = Files.createTempFile("notebook-runner", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("notebook runner timed out; log " + log);
        }
        String output = Files.readString(log);
        System.out.println(output.lines().filter(l -> l.startsWith("notebook"))
                .reduce("", (a, b) -> a + b + "\n"));
        return new Run(p.exitValue(), output.length() > 20000 ? output.substring(output.length() - 20000) : output);
    }

    private static JsonObject read(Path p) throws IOException {
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }

    /** Outputs of type {@code what} ("error"), or display/execute data of MIME type {@code what}. */
    private static int count(JsonObject nb, String what) {
        int n = 0;
        for (JsonElement c : nb.getAsJsonArray("cells")) {
            JsonObject cell = c.getAsJsonObject();
            if (!cell.has("outputs")) {
                continue;
            }
            for (JsonElement o : cell.getAsJsonArray("outputs")) {
                JsonObject out = o.getAsJsonObject();
                if (out.get("output_type").getAsString().equals(what)
                        || out.has("data") && out.getAsJsonObject("data").has(what)) {
                    n++;
                }
            }
        }
        return n;
    }
}
