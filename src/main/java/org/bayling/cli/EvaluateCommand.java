package org.bayling.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bayling.quality.eval.EvaluationJson;
import org.bayling.quality.eval.JobEvaluation;
import org.bayling.quality.eval.ReferenceFormat;
import org.bayling.quality.metrics.Bleu;
import org.bayling.quality.metrics.BleuScore;
import org.bayling.quality.metrics.Chrf;
import org.bayling.quality.metrics.ChrfScore;
import org.bayling.quality.metrics.CorpusMetric;
import org.bayling.quality.metrics.PairedBootstrap;
import org.bayling.quality.metrics.PairedBootstrapResult;
import org.bayling.quality.metrics.Ter;
import org.bayling.quality.metrics.TerScore;
import org.bayling.quality.metrics.TextFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code evaluate}: sacreBLEU 2.6.0-compatible BLEU, chrF2, chrF2++ and TER.
 *
 * <ul>
 *   <li><b>File mode</b> ({@code --hypotheses}): a hypothesis file against one or more reference files, optionally
 *       with a paired bootstrap test against a second system.</li>
 *   <li><b>Spark mode</b> ({@code --translations}): a translate job's Parquet output, per language pair and per
 *       quality flag, references from the output's {@code reference} column or joined by id
 *       ({@link JobEvaluation}).</li>
 * </ul>
 *
 * <p>Exit codes: 0 success, 1 bad input (mismatched line counts, unreadable file, unsupported tokenizer),
 * 2 bad options.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Score translations with sacreBLEU-compatible BLEU, chrF, chrF++ and TER.",
            "",
            "File mode:  evaluate --hypotheses FILE --references FILE... --target-lang L [--json]",
            "  --json prints {\"bleu\": {score, signature, counts, totals, sys_len, ref_len, bp, precisions},",
            "  \"chrf\": {score, signature}, \"chrf++\": {score, signature}, \"ter\": {score, signature, num_edits,",
            "  ref_length}[, \"paired_bootstrap\": {...}]}; without it a table.",
            "",
            "Spark mode: evaluate --translations URI [--references URI] [--output FILE.json] [--json]",
            "  Reads a translate job's Parquet output; references come from its 'reference' column or are",
            "  joined by id from --references. Scores 'ok' rows with a reference, per language pair (BLEU with",
            "  sacreBLEU's default tokenizer for the target) and per quality flag. JSON (--output / --json):",
            "  {translations, references, flag_source, rows, ok, evaluated,",
            "   pairs: {\"en-zh\": {rows, ok, error, skipped, other_status, ok_without_reference, evaluated,",
            "          mean_combined, metrics: {segments, bleu, chrf, chrf++, ter} | null,",
            "          flags: {FLAG: {rows, evaluated, mean_combined, metrics}}, unflagged: {...}}},",
            "   flags: {FLAG: {rows, evaluated}}}",
            "  Metric blocks have the file-mode shape; without --json/--output a table is printed.",
            ""},
        footer = {"", "Exit codes: 0 success, 1 bad input, 2 bad options."})
public class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"--hypotheses", "-i"}, paramLabel = "FILE",
            description = "File mode: system output, one segment per line (the baseline when --compare is given).")
    Path hypotheses;

    @Option(names = {"--references", "-r"}, arity = "1..*", paramLabel = "FILE|URI",
            description = "File mode: reference file(s); repeat the option or list several files for multiple"
                    + " references. Spark mode: one references file or directory joined to the output by id"
                    + " (default: the output's reference column).")
    List<String> references = new ArrayList<>();

    @Option(names = {"--target-lang", "-t"}, paramLabel = "L",
            description = "File mode: target language code; selects sacreBLEU's default tokenizer (zh, ja-mecab,"
                    + " ko-mecab, else 13a) and TER's Asian support for zh/ja/ko. (Spark mode: from tgt_lang.)")
    String targetLang;

    @Option(names = {"--tokenize", "--tok"}, paramLabel = "T",
            description = "BLEU tokenizer: 13a, intl, zh, char, none (default: by target language).")
    String tokenize;

    @Option(names = {"--lowercase", "-lc"}, description = "File mode: case-insensitive BLEU.")
    boolean lowercase;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--compare", paramLabel = "FILE",
            description = "File mode: second system; adds a paired bootstrap test (baseline = --hypotheses).")
    Path compare;

    @Option(names = "--paired-bs-n", paramLabel = "N", defaultValue = "1000",
            description = "Number of bootstrap resamples (default: ${DEFAULT-VALUE}).")
    int pairedBsN;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "12345",
            description = "Seed of the NumPy-compatible RNG (sacreBLEU default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--translations", paramLabel = "URI",
            description = "Spark mode: the translate job's output directory (Parquet, any Hadoop URI).")
    String translations;

    @Option(names = "--reference-format", paramLabel = "F",
            description = "Spark mode: jsonl|parquet|csv|text (default: from the references' name, else parquet)."
                    + " text: line N is the reference of id N or of an id ending in ':N'.")
    String referenceFormat;

    @Option(names = "--id-column", paramLabel = "C", defaultValue = "id",
            description = "Spark mode: id column of the references (default: ${DEFAULT-VALUE}).")
    String idColumn;

    @Option(names = "--reference-column", paramLabel = "C", defaultValue = "reference",
            description = "Spark mode: reference column of the references (default: ${DEFAULT-VALUE}).")
    String referenceColumn;

    @Option(names = {"--output", "-o"}, paramLabel = "FILE.json",
            description = "Spark mode: write the JSON result to this file (any Hadoop URI).")
    String output;

    @Option(names = "--master", description = "Spark mode: Spark master (default: spark-submit's, else local[*]).")
    String master;

    @Option(names = "--conf", paramLabel = "K=V", description = "Spark mode: Spark configuration (repeatable).")
    Map<String, String> conf = new LinkedHashMap<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (translations != null) {
            return sparkMode(out, err);
        }
        List<String> missing = new ArrayList<>();
        if (hypotheses == null) {
            missing.add("'--hypotheses=FILE'");
        }
        if (references.isEmpty()) {
            missing.add("'--references=FILE'");
        }
        if (targetLang == null) {
            missing.add("'--target-lang=L'");
        }
        if (!missing.isEmpty()) {
            return usageError(err, "Missing required option(s): " + String.join(", ", missing)
                    + " (or --translations URI for Spark mode)");
        }
        if (output != null || referenceFormat != null) {
            return usageError(err, "--output and --reference-format need --translations (Spark mode)");
        }
        try {
            List<String> hyp = read(hypotheses);
            List<List<String>> refs = new ArrayList<>();
            for (String rs : references) {
                Path r = Path.of(rs);
                List<String> lines = read(r);
                if (lines.size() != hyp.size()) {
                    return fail(err, "line count mismatch: hypotheses " + hypotheses + " has " + hyp.size()
                            + " lines but reference " + r + " has " + lines.size() + " lines");
                }
                refs.add(lines);
            }
            List<String> other = null;
            if (compare != null) {
                other = read(compare);
                if (other.size() != hyp.size()) {
                    return fail(err, "line count mismatch: hypotheses " + hypotheses + " has " + hyp.size()
                            + " lines but --compare " + compare + " has " + other.size() + " lines");
                }
            }
            if (hyp.isEmpty()) {
                return fail(err, "no segments in " + hypotheses);
            }

            Bleu bleu = Bleu.builder().tokenize(tokenize).targetLang(targetLang).lowercase(lowercase).build();
            Chrf chrf = Chrf.chrf();
            Chrf chrfpp = Chrf.chrfPlusPlus();
            Ter ter = Ter.forTarget(targetLang);

            BleuScore b = bleu.corpusScore(hyp, refs);
            ChrfScore c = chrf.corpusScore(hyp, refs);
            ChrfScore cpp = chrfpp.corpusScore(hyp, refs);
            TerScore t = ter.corpusScore(hyp, refs);

            List<PairedBootstrapResult> paired = null;
            if (other != null) {
                List<CorpusMetric> metrics = List.of(bleu, chrf, chrfpp, ter);
                paired = new PairedBootstrap(pairedBsN, seed).compare(metrics, hyp, other, refs);
            }

            if (json) {
                out.println(toJson(b, c, cpp, t, paired));
            } else {
                printTable(out, b, c, cpp, t, paired);
            }
            out.flush();
            return 0;
        } catch (IOException e) {
            return fail(err, "cannot read input: " + e.getMessage());
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return fail(err, e.getMessage());
        }
    }

    // ------------------------------------------------------------------ Spark mode

    private Integer sparkMode(PrintWriter out, PrintWriter err) {
        if (hypotheses != null || compare != null || targetLang != null || lowercase) {
            return usageError(err, "--hypotheses, --compare, --target-lang and --lowercase are file-mode options;"
                    + " Spark mode (--translations) takes the target language from each row's tgt_lang");
        }
        if (references.size() > 1) {
            return usageError(err, "Spark mode takes one --references URI");
        }
        JobEvaluation.Options options;
        try {
            options = new JobEvaluation.Options(translations, references.isEmpty() ? null : references.get(0),
                    referenceFormat == null ? null : ReferenceFormat.parse(referenceFormat), idColumn,
                    referenceColumn, tokenize);
            if (tokenize != null) {
                JobEvaluation.bleuFor("", tokenize); // unknown tokenizer: fail before starting Spark
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return usageError(err, e.getMessage());
        }
        try (CommandSession s = CommandSession.open("bayling-evaluate", master, conf)) {
            JobEvaluation.Result r = JobEvaluation.evaluate(s.spark(), options);
            if (output != null) {
                JobEvaluation.writeJson(s.spark(), r, output);
            }
            if (json) {
                out.println(EvaluationJson.toJson(r));
            } else {
                printSparkTable(out, r);
                if (output != null) {
                    out.println("written to " + output);
                }
            }
            out.flush();
            return 0;
        } catch (Exception e) { // Spark's AnalysisException is checked
            return fail(err, e.getMessage());
        }
    }

    private static void printSparkTable(PrintWriter out, JobEvaluation.Result r) {
        out.printf(Locale.ROOT, "%d rows, %d ok, %d evaluated (ok with a reference); flags from %s%n",
                r.rows(), r.ok(), r.evaluated(), r.flagSource().id());
        String fmt = "%-22s %7s %7s %7s %7s %7s %7s%n";
        out.printf(Locale.ROOT, fmt, "pair / flag", "rows", "scored", "BLEU", "chrF2", "chrF2++", "TER");
        for (JobEvaluation.PairResult p : r.pairs().values()) {
            printRow(out, fmt, p.pair(), p.ok(), p.evaluated(), p.metrics());
            p.flags().forEach((f, g) -> printRow(out, fmt, "  " + f, g.rows(), g.evaluated(), g.metrics()));
            printRow(out, fmt, "  (no flag)", p.unflagged().rows(), p.unflagged().evaluated(), p.unflagged().metrics());
            if (p.error() + p.skipped() + p.otherStatus() > 0) {
                out.printf(Locale.ROOT, "  not ok: %d error, %d skipped, %d other%n", p.error(), p.skipped(),
                        p.otherStatus());
            }
            if (p.metrics() != null) {
                out.println("  " + (p.metrics().bleu() != null ? p.metrics().bleu().signature()
                        : "BLEU: " + p.metrics().bleuError()));
            }
        }
    }

    private static void printRow(PrintWriter out, String fmt, String name, long rows, long scored,
                                 JobEvaluation.Metrics m) {
        out.printf(Locale.ROOT, fmt, name, rows, scored,
                m == null || m.bleu() == null ? "–" : f2(m.bleu().score()),
                m == null ? "–" : f2(m.chrf().score()), m == null ? "–" : f2(m.chrfPlusPlus().score()),
                m == null ? "–" : f2(m.ter().score()));
    }

    private int usageError(PrintWriter err, String message) {
        err.println("evaluate: error: " + message);
        err.println("Try 'evaluate --help' for more information.");
        err.flush();
        return 2;
    }

    private static List<String> read(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new IOException("no such file: " + p);
        }
        return TextFiles.readLines(p);
    }

    private static int fail(PrintWriter err, String message) {
        err.println("evaluate: error: " + message);
        err.flush();
        return 1;
    }

    private String toJson(BleuScore b, ChrfScore c, ChrfScore cpp, TerScore t, List<PairedBootstrapResult> paired) {
        return EvaluationJson.fileMode(b, c, cpp, t, paired == null ? null
                : new EvaluationJson.PairedBootstrapJson(hypotheses.toString(), compare.toString(), pairedBsN, seed, paired));
    }

    private void printTable(PrintWriter out, BleuScore b, ChrfScore c, ChrfScore cpp, TerScore t,
                            List<PairedBootstrapResult> paired) {
        String fmt = "%-8s %7s  %s%n";
        out.printf(Locale.ROOT, fmt, "Metric", "Score", "Signature");
        out.printf(Locale.ROOT, fmt, "BLEU", f2(b.score()), b.signature());
        out.printf(Locale.ROOT, "%-8s %7s  %s%n", "", "", b.verbose());
        out.printf(Locale.ROOT, fmt, c.name(), f2(c.score()), c.signature());
        out.printf(Locale.ROOT, fmt, cpp.name(), f2(cpp.score()), cpp.signature());
        out.printf(Locale.ROOT, fmt, "TER", f2(t.score()), t.signature());
        if (paired != null) {
            out.println();
            out.printf(Locale.ROOT, "Paired bootstrap resampling (n=%d, seed=%d); baseline = %s, system = %s%n",
                    pairedBsN, seed, hypotheses, compare);
            out.printf(Locale.ROOT, "%-8s %-26s %-26s %s%n", "Metric", "baseline (mean ± 95% CI)",
                    "system (mean ± 95% CI)", "p-value");
            for (PairedBootstrapResult r : paired) {
                out.printf(Locale.ROOT, "%-8s %-26s %-26s %.4f%s%n", r.metric(),
                        String.format(Locale.ROOT, "%.2f (%.2f ± %.2f)", r.baselineScore(), r.baselineMean(),
                                r.baselineCi()),
                        String.format(Locale.ROOT, "%.2f (%.2f ± %.2f)", r.systemScore(), r.systemMean(),
                                r.systemCi()),
                        r.pValue(), r.pValue() < 0.05 ? "*" : "");
            }
            out.println("(* p < 0.05; TER: lower is better)");
        }
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
