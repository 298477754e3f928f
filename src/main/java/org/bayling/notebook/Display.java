package org.bayling.notebook;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;

/**
 * Rich output for notebook cells: tables, charts (PNG) and Markdown. {@link NotebookRunner} collects what
 * a cell displayed and stores it in the {@code .ipynb} as {@code display_data} (MIME bundles such as
 * {@code image/png} base64, {@code text/html}, {@code text/plain}). Outside the runner the text form is
 * printed to standard output.
 */
public final class Display {

    private static final List<Map<String, String>> PENDING = new ArrayList<>();
    private static volatile boolean collecting;

    private Display() {
    }

    /** The first {@code n} rows of a Dataset as a table. */
    public static void table(Dataset<Row> df, int n) {
        List<String> header = List.of(df.columns());
        List<List<?>> rows = new ArrayList<>();
        for (Row r : df.limit(n).collectAsList()) {
            List<Object> values = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) {
                values.add(r.get(i));
            }
            rows.add(values);
        }
        table(header, rows);
    }

    /** A table from a header and rows of values (rendered with {@link String#valueOf}). */
    public static void table(List<String> header, List<? extends List<?>> rows) {
        StringBuilder html = new StringBuilder("<table>\n<thead><tr>");
        for (String h : header) {
            html.append("<th>").append(escape(h)).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        int[] widths = new int[header.size()];
        List<List<String>> cells = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) {
            widths[c] = header.get(c).length();
        }
        for (List<?> row : rows) {
            html.append("<tr>");
            List<String> line = new ArrayList<>();
            for (int c = 0; c < header.size(); c++) {
                Object v = c < row.size() ? row.get(c) : null;
                String s = format(v);
                html.append("<td>").append(escape(clip(s, 300))).append("</td>");
                String t = clip(s.replace('\n', ' '), 40);
                line.add(t);
                widths[c] = Math.max(widths[c], t.length());
            }
            html.append("</tr>\n");
            cells.add(line);
        }
        html.append("</tbody>\n</table>");
        StringBuilder text = new StringBuilder();
        appendLine(text, header, widths);
        for (List<String> line : cells) {
            appendLine(text, line, widths);
        }
        emit(Map.of("text/html", html.toString(), "text/plain", text.toString()));
    }

    /** A chart as a PNG image of {@code width} x {@code height} pixels. */
    public static void chart(JFreeChart chart, int width, int height) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(png, chart, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String title = chart.getTitle() == null ? "chart" : chart.getTitle().getText();
        emit(Map.of("image/png", Base64.getEncoder().encodeToString(png.toByteArray()),
                "text/plain", "<chart: " + title + " (" + width + "x" + height + " PNG)>"));
    }

    /** A chart at 640 x 360. */
    public static void chart(JFreeChart chart) {
        chart(chart, 640, 360);
    }

    /** A PNG file (e.g. one of the charts {@code QualityReport} wrote). */
    public static void png(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            emit(Map.of("image/png", Base64.getEncoder().encodeToString(bytes), "text/plain", "<image: " + file.getFileName() + ">"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An in-memory image. */
    public static void image(BufferedImage image) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        emit(Map.of("image/png", Base64.getEncoder().encodeToString(png.toByteArray()), "text/plain", "<image>"));
    }

    /** Markdown text. */
    public static void markdown(String md) {
        emit(Map.of("text/markdown", md, "text/plain", md));
    }

    // ---- runner side ----

    /** Called by {@link NotebookRunner}: from now on displays are kept, not printed. */
    static synchronized void startCollecting() {
        collecting = true;
        PENDING.clear();
    }

    /** What was displayed since the last call (MIME type to data), in order. */
    static synchronized List<Map<String, String>> drain() {
        List<Map<String, String>> out = new ArrayList<>(PENDING);
        PENDING.clear();
        return out;
    }

    private static synchronized void emit(Map<String, String> bundle) {
        if (collecting) {
            PENDING.add(new LinkedHashMap<>(bundle));
        } else {
            System.out.println(bundle.get("text/plain"));
        }
    }

    private static String format(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Double d) {
            return Double.isNaN(d) ? "NaN" : String.format("%.4f", d);
        }
        if (v instanceof Float f) {
            return String.format("%.4f", f);
        }
        if (v instanceof scala.collection.Seq<?> s) {
            return scala.jdk.javaapi.CollectionConverters.asJava(s).toString();
        }
        return String.valueOf(v);
    }

    private static String clip(String s, int max) {
        return s.codePointCount(0, s.length()) <= max ? s
                : s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
    }

    private static void appendLine(StringBuilder sb, List<String> cells, int[] widths) {
        for (int c = 0; c < cells.size(); c++) {
            String s = cells.get(c);
            sb.append(c == 0 ? "" : " | ").append(s).append(" ".repeat(Math.max(0, widths[c] - s.length())));
        }
        sb.append('\n');
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
