package org.bayling.notebook;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;

/**
 * Executes Java Jupyter notebooks ({@code .ipynb}) without Jupyter: code cells run in order through
 * JShell (in this JVM, on this JVM's classpath), and each cell's outputs — standard output, the value
 * of a trailing expression, and {@link Display} tables/charts/Markdown — are written back into the
 * notebook in Jupyter's format. The first cell that fails to compile or throws stops the run: its
 * error is stored as an {@code error} output and the run fails.
 *
 * <p>Outputs carry no machine paths: the project root (the directory holding {@code pom.xml} and
 * {@code notebooks/} above the notebook) is written as a relative path, so a notebook executed in two
 * checkouts, or twice, gives the same bytes when its cells print the same things.
 *
 * <p>The user command is {@code jobs/bayling notebook} ({@code cli.NotebookCommand}). One JVM runs the
 * notebooks one after another, each in a fresh JShell (a SparkSession made with {@code getOrCreate} is
 * shared between them).
 */
public final class NotebookRunner {

    /** A cell failed. */
    public static final class CellFailure extends Exception {
        private final int cell;

        CellFailure(Path notebook, int cell, String message) {
            super(notebook.getFileName() + ", cell " + cell + ": " + message);
            this.cell = cell;
        }

        /** Index of the failing cell among all cells (0-based). */
        public int cell() {
            return cell;
        }
    }

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();

    private final List<String> classpath;

    public NotebookRunner(List<String> classpath) {
        this.classpath = classpath;
    }

    /** A runner on this JVM's classpath (expanding a manifest-only jar, as Surefire uses). */
    public static NotebookRunner onCurrentClasspath() {
        return new NotebookRunner(currentClasspath());
    }

    /**
     * Runs every code cell of {@code notebook} and writes the executed notebook to {@code target}
     * (also when a cell fails, with the error output in that cell).
     */
    public void run(Path notebook, Path target) throws IOException, CellFailure {
        JsonObject nb = JsonParser.parseString(Files.readString(notebook)).getAsJsonObject();
        String root = projectRoot(notebook);
        JsonArray cells = nb.getAsJsonArray("cells");
        CellFailure failure = null;
        PrintStream stdout = System.out;
        Display.startCollecting();
        try (JShell shell = JShell.builder().executionEngine("local").build()) {
            classpath.forEach(shell::addToClasspath);
            int count = 0;
            for (int i = 0; i < cells.size(); i++) {
                JsonObject cell = cells.get(i).getAsJsonObject();
                if (!"code".equals(cell.get("cell_type").getAsString())) {
                    continue;
                }
                JsonArray outputs = new JsonArray();
                cell.add("outputs", outputs);
                if (failure != null) {
                    cell.add("execution_count", com.google.gson.JsonNull.INSTANCE);
                    continue;
                }
                cell.addProperty("execution_count", ++count);
                ByteArrayOutputStream captured = new ByteArrayOutputStream();
                String error;
                String value = null;
                System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
                try {
                    CellResult r = runCell(shell, source(cell));
                    error = r.error();
                    value = r.value();
                } finally {
                    System.out.flush();
                    System.setOut(stdout);
                }
                String text = relativize(captured.toString(StandardCharsets.UTF_8), root);
                if (!text.isEmpty()) {
                    outputs.add(stream(text));
                }
                for (Map<String, String> bundle : Display.drain()) {
                    outputs.add(displayData(bundle, root));
                }
                if (error != null) {
                    outputs.add(errorOutput(relativize(error, root)));
                    failure = new CellFailure(notebook, i, error.lines().findFirst().orElse(error));
                } else if (value != null) {
                    JsonObject res = new JsonObject();
                    res.addProperty("output_type", "execute_result");
                    res.addProperty("execution_count", count);
                    JsonObject data = new JsonObject();
                    data.add("text/plain", lines(relativize(value, root)));
                    res.add("data", data);
                    res.add("metadata", new JsonObject());
                    outputs.add(res);
                }
            }
        }
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.writeString(target, GSON.toJson(nb) + "\n");
        if (failure != null) {
            throw failure;
        }
    }

    private record CellResult(String error, String value) {
    }

    /** Runs the snippets of one cell; the first error stops it. The value is the last expression's. */
    private static CellResult runCell(JShell shell, String code) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = code;
        String value = null;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE
                    || info.completeness() == SourceCodeAnalysis.Completeness.CONSIDERED_INCOMPLETE) {
                return new CellResult("incomplete code: " + remaining.strip(), null);
            }
            String snippet = info.source();
            remaining = info.remaining();
            if (snippet == null || snippet.isBlank()) {
                continue;
            }
            value = null;
            for (SnippetEvent e : shell.eval(snippet)) {
                if (e.causeSnippet() != null) {
                    String broken = sideEffect(e);
                    if (broken != null) {
                        return new CellResult(broken, null);
                    }
                    continue;
                }
                String error = problem(shell, e);
                if (error != null) {
                    return new CellResult(error, null);
                }
                Snippet s = e.snippet();
                boolean expression = s.kind() == Snippet.Kind.EXPRESSION
                        || s.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
                boolean printStream = s instanceof jdk.jshell.VarSnippet v && v.typeName().endsWith("PrintStream");
                if (expression && !printStream && e.value() != null && !e.value().isEmpty()) {
                    value = e.value();
                }
            }
        }
        return new CellResult(null, value);
    }

    /**
     * A snippet that changed an earlier declaration (JShell re-declares it: a variable loses its value, or
     * becomes unusable when an on-demand import makes its type ambiguous).
     */
    private static String sideEffect(SnippetEvent e) {
        Snippet s = e.snippet();
        if (s.kind() == Snippet.Kind.IMPORT || !e.previousStatus().isActive()) {
            return null;
        }
        String name = s instanceof jdk.jshell.PersistentSnippet p ? p.name() : s.source().strip();
        return "RedeclarationError: " + e.causeSnippet().source().strip() + " changed the earlier declaration of '"
                + name + "' (" + e.previousStatus() + " -> " + e.status() + "); a variable would lose its value. "
                + "Put imports in the first cell and prefer single-type imports.";
    }

    private static String problem(JShell shell, SnippetEvent e) {
        Snippet s = e.snippet();
        if (e.exception() != null) {
            return describe(e.exception(), s);
        }
        switch (e.status()) {
            case REJECTED -> {
                String diags = shell.diagnostics(s).filter(Diag::isError)
                        .map(d -> "error: " + d.getMessage(Locale.ROOT) + "\n    at: " + excerpt(s.source(), d))
                        .collect(Collectors.joining("\n"));
                return "CompilationError\n" + (diags.isEmpty() ? "snippet rejected: " + s.source().strip() : diags);
            }
            case RECOVERABLE_DEFINED, RECOVERABLE_NOT_DEFINED -> {
                return "CompilationError\nunresolved references in: " + s.source().strip();
            }
            default -> {
                return null;
            }
        }
    }

    private static String excerpt(String source, Diag d) {
        int start = (int) Math.max(0, d.getStartPosition());
        int end = (int) Math.min(source.length(), Math.max(start, d.getEndPosition()));
        int lineStart = source.lastIndexOf('\n', Math.max(0, start - 1)) + 1;
        int lineEnd = source.indexOf('\n', end);
        return source.substring(lineStart, lineEnd < 0 ? source.length() : lineEnd).strip();
    }

    private static String describe(Exception ex, Snippet s) {
        String cls = ex instanceof EvalException ee ? ee.getExceptionClassName()
                : ex instanceof UnresolvedReferenceException ? "UnresolvedReference" : ex.getClass().getName();
        StringWriter trace = new StringWriter();
        ex.printStackTrace(new PrintWriter(trace));
        return cls + ": " + ex.getMessage() + "\nin: " + s.source().strip() + "\n" + trace;
    }

    // ---- notebook JSON ----

    private static String source(JsonObject cell) {
        JsonElement src = cell.get("source");
        if (src == null || src.isJsonNull()) {
            return "";
        }
        if (src.isJsonArray()) {
            StringBuilder sb = new StringBuilder();
            src.getAsJsonArray().forEach(e -> sb.append(e.getAsString()));
            return sb.toString();
        }
        return src.getAsString();
    }

    /** Jupyter stores multi-line strings as arrays of lines, each but the last ending in a newline. */
    private static JsonArray lines(String text) {
        JsonArray a = new JsonArray();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl + 1;
            a.add(new JsonPrimitive(text.substring(start, end)));
            start = end;
        }
        return a;
    }

    private static JsonObject stream(String text) {
        JsonObject o = new JsonObject();
        o.addProperty("output_type", "stream");
        o.addProperty("name", "stdout");
        o.add("text", lines(text));
        return o;
    }

    /** The project directory above the notebook (with pom.xml and notebooks/), or null. */
    private static String projectRoot(Path notebook) {
        for (Path q = notebook.toAbsolutePath().normalize().getParent(); q != null; q = q.getParent()) {
            if (Files.isRegularFile(q.resolve("pom.xml")) && Files.isDirectory(q.resolve("notebooks"))) {
                return q.toString();
            }
        }
        return null;
    }

    /** Paths under the project root as relative paths (the root itself as {@code .}). */
    static String relativize(String text, String root) {
        if (root == null || text == null) {
            return text;
        }
        return text.replace(root + File.separator, "").replace(root, ".");
    }

    private static JsonObject displayData(Map<String, String> bundle, String root) {
        JsonObject o = new JsonObject();
        o.addProperty("output_type", "display_data");
        JsonObject data = new JsonObject();
        // MIME types in sorted order: the bundle's own order is not stable across runs
        new java.util.TreeMap<>(bundle).forEach((mime, v) -> {
            if (mime.startsWith("image/")) {
                data.addProperty(mime, v);
            } else {
                data.add(mime, lines(relativize(v, root)));
            }
        });
        o.add("data", data);
        o.add("metadata", new JsonObject());
        return o;
    }

    private static JsonObject errorOutput(String error) {
        String first = error.lines().findFirst().orElse("Error");
        int colon = first.indexOf(": ");
        JsonObject o = new JsonObject();
        o.addProperty("output_type", "error");
        o.addProperty("ename", colon < 0 ? first : first.substring(0, colon));
        o.addProperty("evalue", colon < 0 ? "" : first.substring(colon + 2));
        JsonArray tb = new JsonArray();
        error.lines().forEach(tb::add);
        o.add("traceback", tb);
        return o;
    }

    // ---- classpath ----

    public static List<String> currentClasspath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        List<String> out = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            out.add(entry);
            out.addAll(manifestClasspath(Path.of(entry)));
        }
        return out;
    }

    /** Entries of a jar's manifest {@code Class-Path} (a manifest-only jar holds the whole classpath there). */
    private static List<String> manifestClasspath(Path jar) {
        if (!jar.toString().endsWith(".jar") || !Files.isRegularFile(jar)) {
            return List.of();
        }
        try (var j = new java.util.jar.JarFile(jar.toFile())) {
            Manifest m = j.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (cp == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (String u : cp.trim().split("\\s+")) {
                try {
                    java.net.URI uri = jar.toUri().resolve(u);
                    out.add(Path.of(uri).toString());
                } catch (RuntimeException e) {
                    // not a file URL: skip
                }
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }
}
