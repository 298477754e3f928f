package org.bayling.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bayling.quality.QualityReport;
import org.bayling.quality.eval.JobReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code report}: the quality report of a translation job's output ({@link JobReport}).
 *
 * <p>Exit codes: 0 success, 1 failure (unreadable output, unwritable report directory), 2 bad options.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Quality report of a translation job's output (Spark).",
            "",
            "Writes into DIR (replaced if it exists; any Hadoop URI):",
            "  report.md    summary per language pair, flag counts, worst rows (Markdown)",
            "  report.html  the same as HTML, text escaped, charts embedded by relative path",
            "  charts/score-distribution.png  combined-score histogram per pair",
            "  charts/flag-counts.png         quality-flag counts per pair",
            "  charts/confidence-vs-chrf.png  mean log-prob vs sentence chrF (only when rows have references)",
            "Flags and combined scores come from the output's quality struct, or are recomputed with the",
            "default quality settings when the struct has none. Only 'ok' rows are charted.",
            ""},
        footer = {"", "Exit codes: 0 written, 1 failed, 2 bad options."})
public class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--translations", required = true, paramLabel = "URI",
            description = "The translate job's output directory (Parquet).")
    String translations;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Report directory (default: <translations>/" + JobReport.REPORT_DIR + ").")
    String output;

    @Option(names = "--worst", paramLabel = "N", defaultValue = "" + QualityReport.DEFAULT_WORST,
            description = "Rows in the worst-rows table (default: ${DEFAULT-VALUE}).")
    int worst;

    @Option(names = "--title", paramLabel = "TEXT", description = "Report title (default: names the output and counts).")
    String title;

    @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    @Option(names = "--conf", paramLabel = "K=V", description = "Spark configuration (repeatable).")
    Map<String, String> conf = new LinkedHashMap<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (worst < 0) {
            err.println("report: error: --worst must be >= 0");
            err.flush();
            return 2;
        }
        CommandSession s = CommandSession.open("bayling-report", master, conf);
        try {
            String dir = output != null ? output : JobReport.defaultDir(translations);
            JobReport.Written w = JobReport.write(s.spark(), translations, dir, worst, title);
            out.println("report written to " + w.dir() + " (" + w.ok() + " ok of " + w.rows() + " rows, flags from "
                    + w.flagSource().id() + ")");
            out.println("  " + w.html());
            out.println("  " + w.markdown());
            w.charts().forEach(c -> out.println("  " + c));
            out.flush();
            return 0;
        } catch (Exception e) { // Spark's AnalysisException is checked
            err.println("report: error: " + e.getMessage());
            err.flush();
            return 1;
        } finally {
            s.close();
        }
    }
}
