package org.bayling.quality;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the evaluation report for a set of scored rows into a directory:
 * {@code report.md}, {@code report.html} and PNG charts under {@code charts/} (referenced by
 * relative paths, so the directory can be moved or served as is).
 *
 * <p>Contents: summary per language pair, combined-score distribution per pair, flag counts,
 * confidence (mean token log-prob) vs reference chrF when rows have both, and the worst N rows
 * (all text HTML-escaped). Charts are drawn with JFreeChart in headless AWT.
 */
public final class QualityReport {

    public static final int DEFAULT_WORST = 50;
    public static final String CHART_DIR = "charts";
    public static final String SCORE_CHART = CHART_DIR + "/score-distribution.png";
    public static final String FLAG_CHART = CHART_DIR + "/flag-counts.png";
    public static final String CONFIDENCE_CHART = CHART_DIR + "/confidence-vs-chrf.png";

    private static final int WIDTH = 900;
    private static final int HEIGHT = 450;
    private static final int BINS = 10;
    private static final int MD_TEXT_MAX = 300;

    private final String title;
    private final int worstN;

    /** The files written by {@link #write}. */
    public record Written(Path markdown, Path html, List<Path> charts) {
    }

    public QualityReport() {
        this("Translation quality report", DEFAULT_WORST);
    }

    public QualityReport(String title, int worstN) {
        this.title = title;
        this.worstN = worstN;
    }

    public Written write(List<ReportRow> rows, Path dir) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Files.createDirectories(dir.resolve(CHART_DIR));
        Map<String, List<ReportRow>> byPair = new TreeMap<>();
        for (ReportRow r : rows) {
            byPair.computeIfAbsent(r.pair(), k -> new ArrayList<>()).add(r);
        }

        List<Path> charts = new ArrayList<>();
        charts.add(scoreChart(byPair, dir.resolve(SCORE_CHART)));
        charts.add(flagChart(byPair, dir.resolve(FLAG_CHART)));
        Path conf = confidenceChart(byPair, dir.resolve(CONFIDENCE_CHART));
        if (conf != null) {
            charts.add(conf);
        } else {
            Files.deleteIfExists(dir.resolve(CONFIDENCE_CHART));
        }

        List<ReportRow> worst = rows.stream()
                .sorted(Comparator.comparingDouble(ReportRow::combined)
                        .thenComparing(r -> -r.flags().size())
                        .thenComparing(r -> String.valueOf(r.id())))
                .limit(worstN)
                .toList();

        Path md = dir.resolve("report.md");
        Path html = dir.resolve("report.html");
        Files.writeString(md, markdown(rows, byPair, worst, conf != null), StandardCharsets.UTF_8);
        Files.writeString(html, html(rows, byPair, worst, conf != null), StandardCharsets.UTF_8);
        return new Written(md, html, List.copyOf(charts));
    }

    // ------------------------------------------------------------------ statistics

    private record PairStats(int rows, double mean, double median, double p10, double flaggedShare,
                             double meanLogprob, double meanChrf, Map<QualityFlag, Integer> flags) {
    }

    private static PairStats stats(List<ReportRow> rows) {
        double[] s = rows.stream().mapToDouble(ReportRow::combined).sorted().toArray();
        Map<QualityFlag, Integer> flags = new EnumMap<>(QualityFlag.class);
        int flagged = 0;
        for (ReportRow r : rows) {
            if (!r.flags().isEmpty()) {
                flagged++;
            }
            for (String f : r.flags()) {
                try {
                    flags.merge(QualityFlag.valueOf(f), 1, Integer::sum);
                } catch (IllegalArgumentException ignored) {
                    // unknown flag name: counted as flagged, not charted
                }
            }
        }
        double lp = rows.stream().mapToDouble(ReportRow::meanLogprob).filter(Double::isFinite).average().orElse(Double.NaN);
        double chrf = rows.stream().map(ReportRow::sentenceChrf).filter(v -> v != null && Double.isFinite(v))
                .mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        return new PairStats(rows.size(), Arrays.stream(s).average().orElse(Double.NaN), quantile(s, 0.5),
                quantile(s, 0.1), rows.isEmpty() ? 0 : (double) flagged / rows.size(), lp, chrf, flags);
    }

    private static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    // ------------------------------------------------------------------ charts

    private static String binLabel(int b) {
        return String.format(Locale.ROOT, "%.1f–%.1f", b / (double) BINS, (b + 1) / (double) BINS);
    }

    private static Path scoreChart(Map<String, List<ReportRow>> byPair, Path out) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, List<ReportRow>> e : byPair.entrySet()) {
            int[] counts = new int[BINS];
            for (ReportRow r : e.getValue()) {
                double v = Double.isFinite(r.combined()) ? Math.max(0, Math.min(1, r.combined())) : 0;
                counts[Math.min(BINS - 1, (int) (v * BINS))]++;
            }
            for (int b = 0; b < BINS; b++) {
                data.addValue(100.0 * counts[b] / e.getValue().size(), e.getKey(), binLabel(b));
            }
        }
        if (byPair.isEmpty()) {
            for (int b = 0; b < BINS; b++) {
                data.addValue(0, "no rows", binLabel(b));
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("Combined score distribution per language pair",
                "combined score", "% of the pair's rows", data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        save(chart, out);
        return out;
    }

    private static Path flagChart(Map<String, List<ReportRow>> byPair, Path out) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, List<ReportRow>> e : byPair.entrySet()) {
            Map<QualityFlag, Integer> flags = stats(e.getValue()).flags();
            for (QualityFlag f : QualityFlag.values()) {
                data.addValue(flags.getOrDefault(f, 0), e.getKey(), f.name());
            }
        }
        if (byPair.isEmpty()) {
            for (QualityFlag f : QualityFlag.values()) {
                data.addValue(0, "no rows", f.name());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("Flag counts per language pair", "flag", "rows", data,
                PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        ((CategoryPlot) chart.getPlot()).getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        save(chart, out);
        return out;
    }

    /** Scatter of mean log-prob vs chrF, or null when no row has both. */
    private static Path confidenceChart(Map<String, List<ReportRow>> byPair, Path out) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, List<ReportRow>> e : byPair.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), false, true);
            for (ReportRow r : e.getValue()) {
                if (Double.isFinite(r.meanLogprob()) && r.sentenceChrf() != null && Double.isFinite(r.sentenceChrf())) {
                    s.add(r.meanLogprob(), r.sentenceChrf());
                }
            }
            if (s.getItemCount() > 0) {
                data.addSeries(s);
            }
        }
        if (data.getSeriesCount() == 0) {
            return null;
        }
        JFreeChart chart = ChartFactory.createScatterPlot("Confidence vs reference chrF",
                "mean token log-prob", "sentence chrF", data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        XYPlot plot = (XYPlot) chart.getPlot();
        plot.getRangeAxis().setRange(0, 100);
        save(chart, out);
        return out;
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        if (chart.getPlot() instanceof CategoryPlot p) {
            p.setBackgroundPaint(Color.WHITE);
            p.setRangeGridlinePaint(Color.LIGHT_GRAY);
            if (p.getRenderer() instanceof BarRenderer br) {
                br.setBarPainter(new StandardBarPainter());
                br.setShadowVisible(false);
                br.setItemMargin(0.05);
            }
        } else if (chart.getPlot() instanceof XYPlot p) {
            p.setBackgroundPaint(Color.WHITE);
            p.setRangeGridlinePaint(Color.LIGHT_GRAY);
            p.setDomainGridlinePaint(Color.LIGHT_GRAY);
        }
    }

    private static void save(JFreeChart chart, Path out) throws IOException {
        Files.createDirectories(out.getParent());
        ChartUtils.saveChartAsPNG(out.toFile(), chart, WIDTH, HEIGHT);
    }

    // ------------------------------------------------------------------ markdown

    private String markdown(List<ReportRow> rows, Map<String, List<ReportRow>> byPair, List<ReportRow> worst,
                            boolean hasConfidenceChart) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(mdCell(title)).append("\n\n");
        b.append(rows.size()).append(" rows, ").append(byPair.size()).append(" language pair(s).\n\n");

        b.append("## Summary per language pair\n\n");
        b.append("| pair | rows | mean score | median | p10 | flagged | mean log-prob | mean chrF |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<ReportRow>> e : byPair.entrySet()) {
            PairStats s = stats(e.getValue());
            b.append("| ").append(mdCell(e.getKey())).append(" | ").append(s.rows()).append(" | ")
                    .append(fmt(s.mean())).append(" | ").append(fmt(s.median())).append(" | ").append(fmt(s.p10()))
                    .append(" | ").append(pct(s.flaggedShare())).append(" | ").append(fmt(s.meanLogprob()))
                    .append(" | ").append(fmt1(s.meanChrf())).append(" |\n");
        }

        b.append("\n## Combined score distribution\n\n");
        b.append("![Combined score distribution per language pair](").append(SCORE_CHART).append(")\n\n");

        b.append("## Flags\n\n");
        b.append("| flag |");
        byPair.keySet().forEach(p -> b.append(' ').append(mdCell(p)).append(" |"));
        b.append("\n|---|");
        byPair.keySet().forEach(p -> b.append("---:|"));
        b.append('\n');
        Map<String, PairStats> stats = new TreeMap<>();
        byPair.forEach((p, r) -> stats.put(p, stats(r)));
        for (QualityFlag f : QualityFlag.values()) {
            b.append("| ").append(f.name()).append(" |");
            stats.values().forEach(s -> b.append(' ').append(s.flags().getOrDefault(f, 0)).append(" |"));
            b.append('\n');
        }
        b.append("\n![Flag counts per language pair](").append(FLAG_CHART).append(")\n\n");

        b.append("## Confidence vs reference chrF\n\n");
        if (hasConfidenceChart) {
            b.append("![Confidence vs reference chrF](").append(CONFIDENCE_CHART).append(")\n\n");
        } else {
            b.append("No row has both token log-probs and a reference chrF.\n\n");
        }

        b.append("## Worst ").append(worst.size()).append(" rows\n\n");
        b.append("| # | id | pair | score | flags | source | translation |\n");
        b.append("|---:|---|---|---:|---|---|---|\n");
        int i = 1;
        for (ReportRow r : worst) {
            b.append("| ").append(i++).append(" | ").append(mdCell(r.id())).append(" | ").append(mdCell(r.pair()))
                    .append(" | ").append(fmt(r.combined())).append(" | ").append(mdCell(String.join(", ", r.flags())))
                    .append(" | ").append(mdCell(abbreviate(r.source()))).append(" | ")
                    .append(mdCell(abbreviate(r.translation()))).append(" |\n");
        }
        return b.toString();
    }

    /** Table-cell safe: HTML-escaped (markdown renderers pass HTML through), pipes and newlines neutralised. */
    static String mdCell(String s) {
        if (s == null) {
            return "";
        }
        return escapeHtml(s).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
                .replace("`", "\\`").replace("*", "\\*").replace("_", "\\_").replace("[", "\\[").replace("]", "\\]");
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.codePointCount(0, s.length()) <= MD_TEXT_MAX ? s
                : s.substring(0, s.offsetByCodePoints(0, MD_TEXT_MAX)) + "…";
    }

    // ------------------------------------------------------------------ html

    private String html(List<ReportRow> rows, Map<String, List<ReportRow>> byPair, List<ReportRow> worst,
                        boolean hasConfidenceChart) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escapeHtml(title)).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em;max-width:1200px}")
                .append("table{border-collapse:collapse;margin:1em 0}")
                .append("th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top}")
                .append("td.num{text-align:right}td.text{white-space:pre-wrap;max-width:450px}")
                .append("img{display:block;margin:1em 0;max-width:100%;height:auto}")
                .append(".flag{color:#b00;font-size:90%}\n</style>\n</head>\n<body>\n");
        b.append("<h1>").append(escapeHtml(title)).append("</h1>\n");
        b.append("<p>").append(rows.size()).append(" rows, ").append(byPair.size()).append(" language pair(s).</p>\n");

        b.append("<h2>Summary per language pair</h2>\n<table>\n<tr><th>pair</th><th>rows</th><th>mean score</th>")
                .append("<th>median</th><th>p10</th><th>flagged</th><th>mean log-prob</th><th>mean chrF</th></tr>\n");
        Map<String, PairStats> stats = new TreeMap<>();
        byPair.forEach((p, r) -> stats.put(p, stats(r)));
        stats.forEach((p, s) -> b.append("<tr><td>").append(escapeHtml(p)).append("</td>")
                .append(num(String.valueOf(s.rows()))).append(num(fmt(s.mean()))).append(num(fmt(s.median())))
                .append(num(fmt(s.p10()))).append(num(pct(s.flaggedShare()))).append(num(fmt(s.meanLogprob())))
                .append(num(fmt1(s.meanChrf()))).append("</tr>\n"));
        b.append("</table>\n");

        b.append("<h2>Combined score distribution</h2>\n");
        img(b, SCORE_CHART, "Combined score distribution per language pair");

        b.append("<h2>Flags</h2>\n<table>\n<tr><th>flag</th>");
        stats.keySet().forEach(p -> b.append("<th>").append(escapeHtml(p)).append("</th>"));
        b.append("</tr>\n");
        for (QualityFlag f : QualityFlag.values()) {
            b.append("<tr><td>").append(f.name()).append("</td>");
            stats.values().forEach(s -> b.append(num(String.valueOf(s.flags().getOrDefault(f, 0)))));
            b.append("</tr>\n");
        }
        b.append("</table>\n");
        img(b, FLAG_CHART, "Flag counts per language pair");

        b.append("<h2>Confidence vs reference chrF</h2>\n");
        if (hasConfidenceChart) {
            img(b, CONFIDENCE_CHART, "Confidence vs reference chrF");
        } else {
            b.append("<p>No row has both token log-probs and a reference chrF.</p>\n");
        }

        b.append("<h2>Worst ").append(worst.size()).append(" rows</h2>\n<table>\n")
                .append("<tr><th>#</th><th>id</th><th>pair</th><th>score</th><th>flags</th><th>source</th>")
                .append("<th>translation</th></tr>\n");
        int i = 1;
        for (ReportRow r : worst) {
            b.append("<tr>").append(num(String.valueOf(i++))).append("<td>").append(escapeHtml(r.id()))
                    .append("</td><td>").append(escapeHtml(r.pair())).append("</td>").append(num(fmt(r.combined())))
                    .append("<td class=\"flag\">").append(escapeHtml(String.join(", ", r.flags()))).append("</td>")
                    .append("<td class=\"text\">").append(escapeHtml(r.source())).append("</td>")
                    .append("<td class=\"text\">").append(escapeHtml(r.translation())).append("</td></tr>\n");
        }
        b.append("</table>\n</body>\n</html>\n");
        return b.toString();
    }

    private static void img(StringBuilder b, String src, String alt) {
        b.append("<img src=\"").append(escapeHtml(src)).append("\" alt=\"").append(escapeHtml(alt))
                .append("\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT).append("\">\n");
    }

    private static String num(String v) {
        return "<td class=\"num\">" + escapeHtml(v) + "</td>";
    }

    /** Escapes {@code & < > " '}; null becomes the empty string. */
    public static String escapeHtml(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "–";
    }

    private static String fmt1(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : "–";
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
