package org.bayling.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
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
 * {@code evaluate}: sacreBLEU 2.6.0-compatible BLEU, chrF2, chrF2++ and TER for a hypothesis file against one or
 * more reference files, optionally with a paired bootstrap test against a second system.
 *
 * <p>Exit codes: 0 success, 1 bad input (mismatched line counts, unreadable file, unsupported tokenizer).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Score translations with sacreBLEU-compatible BLEU, chrF, chrF++ and TER (file mode).")
public class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"--hypotheses", "-i"}, required = true, paramLabel = "FILE",
            description = "System output, one segment per line (the baseline when --compare is given).")
    Path hypotheses;

    @Option(names = {"--references", "-r"}, required = true, arity = "1..*", paramLabel = "FILE",
            description = "Reference file(s); repeat the option or list several files for multiple references.")
    List<Path> references = new ArrayList<>();

    @Option(names = {"--target-lang", "-t"}, required = true, paramLabel = "L",
            description = "Target language code; selects sacreBLEU's default tokenizer (zh, ja-mecab, ko-mecab, else 13a)"
                    + " and TER's Asian support for zh/ja/ko.")
    String targetLang;

    @Option(names = {"--tokenize", "--tok"}, paramLabel = "T",
            description = "BLEU tokenizer: 13a, intl, zh, char, none (default: by target language).")
    String tokenize;

    @Option(names = {"--lowercase", "-lc"}, description = "Case-insensitive BLEU.")
    boolean lowercase;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--compare", paramLabel = "FILE",
            description = "Second system: adds a paired bootstrap test (baseline = --hypotheses).")
    Path compare;

    @Option(names = "--paired-bs-n", paramLabel = "N", defaultValue = "1000",
            description = "Number of bootstrap resamples (default: ${DEFAULT-VALUE}).")
    int pairedBsN;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "12345",
            description = "Seed of the NumPy-compatible RNG (sacreBLEU default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            List<String> hyp = read(hypotheses);
            List<List<String>> refs = new ArrayList<>();
            for (Path r : references) {
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
        JsonObject root = new JsonObject();
        JsonObject jb = new JsonObject();
        jb.addProperty("score", b.score());
        jb.addProperty("signature", b.signature());
        jb.add("counts", array(b.counts()));
        jb.add("totals", array(b.totals()));
        jb.addProperty("sys_len", b.sysLen());
        jb.addProperty("ref_len", b.refLen());
        jb.addProperty("bp", b.bp());
        JsonArray prec = new JsonArray();
        for (double p : b.precisions()) {
            prec.add(p);
        }
        jb.add("precisions", prec);
        root.add("bleu", jb);
        root.add("chrf", simple(c.score(), c.signature()));
        root.add("chrf++", simple(cpp.score(), cpp.signature()));
        JsonObject jt = simple(t.score(), t.signature());
        jt.addProperty("num_edits", t.numEdits());
        jt.addProperty("ref_length", t.refLength());
        root.add("ter", jt);
        if (paired != null) {
            JsonObject pb = new JsonObject();
            pb.addProperty("baseline", hypotheses.toString());
            pb.addProperty("system", compare.toString());
            pb.addProperty("n_samples", pairedBsN);
            pb.addProperty("seed", seed);
            String[] keys = {"bleu", "chrf", "chrf++", "ter"};
            for (int i = 0; i < paired.size(); i++) {
                PairedBootstrapResult r = paired.get(i);
                JsonObject m = new JsonObject();
                m.addProperty("signature", r.signature());
                JsonObject base = new JsonObject();
                base.addProperty("score", r.baselineScore());
                base.addProperty("mean", r.baselineMean());
                base.addProperty("ci", r.baselineCi());
                JsonObject sys = new JsonObject();
                sys.addProperty("score", r.systemScore());
                sys.addProperty("mean", r.systemMean());
                sys.addProperty("ci", r.systemCi());
                sys.addProperty("p_value", r.pValue());
                m.add("baseline", base);
                m.add("system", sys);
                pb.add(keys[i], m);
            }
            root.add("paired_bootstrap", pb);
        }
        return new GsonBuilder().serializeSpecialFloatingPointValues().disableHtmlEscaping().create().toJson(root);
    }

    private static JsonObject simple(double score, String signature) {
        JsonObject o = new JsonObject();
        o.addProperty("score", score);
        o.addProperty("signature", signature);
        return o;
    }

    private static JsonArray array(long[] values) {
        JsonArray a = new JsonArray();
        for (long v : values) {
            a.add(v);
        }
        return a;
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
