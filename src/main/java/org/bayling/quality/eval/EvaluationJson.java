package org.bayling.quality.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Map;
import org.bayling.quality.metrics.BleuScore;
import org.bayling.quality.metrics.ChrfScore;
import org.bayling.quality.metrics.PairedBootstrapResult;
import org.bayling.quality.metrics.TerScore;

/**
 * JSON of a Spark-mode evaluation. Each metric block has the same shape as file-mode {@code evaluate --json}
 * ({@code bleu: {score, signature, counts, totals, sys_len, ref_len, bp, precisions}}, {@code chrf}/{@code chrf++}:
 * {@code {score, signature}}, {@code ter: {score, signature, num_edits, ref_length}}):
 *
 * <pre>{@code
 * {"translations": URI, "references": URI|null, "flag_source": "output"|"rescored",
 *  "rows": N, "ok": N, "evaluated": N,
 *  "pairs": {"en-zh": {"src_lang", "tgt_lang", "rows", "ok", "error", "skipped", "other_status",
 *                      "ok_without_reference", "evaluated", "mean_combined",
 *                      "metrics": {"segments", "bleu", "chrf", "chrf++", "ter"} | null,
 *                      "flags": {"COPY": {"rows", "evaluated", "mean_combined", "metrics": {...}|null}, ...},
 *                      "unflagged": {"rows", "evaluated", "mean_combined", "metrics"}}},
 *  "flags": {"COPY": {"rows", "evaluated"}, ...}}   // totals over pairs (counts only)
 * }</pre>
 * {@code metrics.bleu} is {@code {"error": "..."}} when BLEU cannot be computed for the target (ja/ko need MeCab).
 */
public final class EvaluationJson {

    private EvaluationJson() {
    }

    public static String toJson(JobEvaluation.Result r) {
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().disableHtmlEscaping()
                .serializeNulls().create().toJson(tree(r));
    }

    public static JsonObject tree(JobEvaluation.Result r) {
        JsonObject root = new JsonObject();
        root.addProperty("translations", r.options().translations());
        root.addProperty("references", r.options().references());
        root.addProperty("flag_source", r.flagSource().id());
        root.addProperty("rows", r.rows());
        root.addProperty("ok", r.ok());
        root.addProperty("evaluated", r.evaluated());
        JsonObject pairs = new JsonObject();
        Map<String, long[]> flagTotals = new java.util.LinkedHashMap<>();
        for (JobEvaluation.PairResult p : r.pairs().values()) {
            JsonObject o = new JsonObject();
            o.addProperty("src_lang", p.srcLang());
            o.addProperty("tgt_lang", p.tgtLang());
            o.addProperty("rows", p.rows());
            o.addProperty("ok", p.ok());
            o.addProperty("error", p.error());
            o.addProperty("skipped", p.skipped());
            o.addProperty("other_status", p.otherStatus());
            o.addProperty("ok_without_reference", p.okWithoutReference());
            o.addProperty("evaluated", p.evaluated());
            number(o, "mean_combined", p.meanCombined());
            o.add("metrics", metrics(p.metrics()));
            JsonObject flags = new JsonObject();
            p.flags().forEach((f, g) -> {
                flags.add(f, group(g));
                long[] t = flagTotals.computeIfAbsent(f, k -> new long[2]);
                t[0] += g.rows();
                t[1] += g.evaluated();
            });
            o.add("flags", flags);
            o.add("unflagged", group(p.unflagged()));
            pairs.add(p.pair(), o);
        }
        root.add("pairs", pairs);
        JsonObject totals = new JsonObject();
        flagTotals.forEach((f, t) -> {
            JsonObject o = new JsonObject();
            o.addProperty("rows", t[0]);
            o.addProperty("evaluated", t[1]);
            totals.add(f, o);
        });
        root.add("flags", totals);
        return root;
    }

    private static JsonObject group(JobEvaluation.Group g) {
        JsonObject o = new JsonObject();
        o.addProperty("rows", g.rows());
        o.addProperty("evaluated", g.evaluated());
        number(o, "mean_combined", g.meanCombined());
        o.add("metrics", metrics(g.metrics()));
        return o;
    }

    private static void number(JsonObject o, String key, double v) {
        if (Double.isFinite(v)) {
            o.addProperty(key, v);
        } else {
            o.add(key, JsonNull.INSTANCE);
        }
    }

    /** Same keys as file-mode {@code evaluate --json}, plus {@code segments}. */
    public static com.google.gson.JsonElement metrics(JobEvaluation.Metrics m) {
        if (m == null) {
            return JsonNull.INSTANCE;
        }
        JsonObject root = new JsonObject();
        root.addProperty("segments", m.segments());
        JsonObject bleu;
        if (m.bleu() != null) {
            bleu = bleu(m.bleu());
        } else {
            bleu = new JsonObject();
            bleu.addProperty("error", m.bleuError());
        }
        addScores(root, bleu, m.chrf(), m.chrfPlusPlus(), m.ter());
        return root;
    }

    /**
     * File-mode {@code evaluate --json}: {@code {"bleu", "chrf", "chrf++", "ter"}} blocks, plus
     * {@code paired_bootstrap} when {@code paired} is given.
     */
    public static String fileMode(BleuScore b, ChrfScore c, ChrfScore cpp, TerScore t, PairedBootstrapJson paired) {
        JsonObject root = new JsonObject();
        addScores(root, bleu(b), c, cpp, t);
        if (paired != null) {
            root.add("paired_bootstrap", paired.tree());
        }
        return new GsonBuilder().serializeSpecialFloatingPointValues().disableHtmlEscaping().create().toJson(root);
    }

    /**
     * A paired bootstrap comparison for {@link #fileMode}.
     *
     * @param results one per metric, in the order bleu, chrf, chrf++, ter
     */
    public record PairedBootstrapJson(String baseline, String system, int samples, long seed,
                                      List<PairedBootstrapResult> results) {

        JsonObject tree() {
            JsonObject pb = new JsonObject();
            pb.addProperty("baseline", baseline);
            pb.addProperty("system", system);
            pb.addProperty("n_samples", samples);
            pb.addProperty("seed", seed);
            String[] keys = {"bleu", "chrf", "chrf++", "ter"};
            for (int i = 0; i < results.size(); i++) {
                PairedBootstrapResult r = results.get(i);
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
            return pb;
        }
    }

    private static void addScores(JsonObject root, JsonObject bleu, ChrfScore c, ChrfScore cpp, TerScore ter) {
        root.add("bleu", bleu);
        root.add("chrf", simple(c.score(), c.signature()));
        root.add("chrf++", simple(cpp.score(), cpp.signature()));
        JsonObject t = simple(ter.score(), ter.signature());
        t.addProperty("num_edits", ter.numEdits());
        t.addProperty("ref_length", ter.refLength());
        root.add("ter", t);
    }

    static JsonObject bleu(BleuScore b) {
        JsonObject jb = new JsonObject();
        jb.addProperty("score", b.score());
        jb.addProperty("signature", b.signature());
        JsonArray counts = new JsonArray();
        for (long c : b.counts()) {
            counts.add(c);
        }
        JsonArray totals = new JsonArray();
        for (long c : b.totals()) {
            totals.add(c);
        }
        jb.add("counts", counts);
        jb.add("totals", totals);
        jb.addProperty("sys_len", b.sysLen());
        jb.addProperty("ref_len", b.refLen());
        jb.addProperty("bp", b.bp());
        JsonArray prec = new JsonArray();
        for (double p : b.precisions()) {
            prec.add(p);
        }
        jb.add("precisions", prec);
        return jb;
    }

    private static JsonObject simple(double score, String signature) {
        JsonObject o = new JsonObject();
        o.addProperty("score", score);
        o.addProperty("signature", signature);
        return o;
    }
}
