package org.bayling.quality.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Translation edit rate as sacreBLEU 2.x ({@code sacrebleu/metrics/ter.py} + {@code lib_ter.py}): Tercom
 * normalisation options, minimum edits over references divided by the average reference length, times 100.
 * Per-segment statistics: {@code [best_num_edits, avg_ref_len]}.
 */
public final class Ter implements CorpusMetric {

    private final boolean normalized;
    private final boolean noPunct;
    private final boolean asianSupport;
    private final boolean caseSensitive;
    private final TercomTokenizer tokenizer;

    public Ter(boolean normalized, boolean noPunct, boolean asianSupport, boolean caseSensitive) {
        this.normalized = normalized;
        this.noPunct = noPunct;
        this.asianSupport = asianSupport;
        this.caseSensitive = caseSensitive;
        this.tokenizer = new TercomTokenizer(normalized, noPunct, asianSupport, caseSensitive);
    }

    /** sacreBLEU's defaults: not normalized, punctuation kept, case-insensitive, no Asian support. */
    public static Ter defaults() {
        return new Ter(false, false, false, false);
    }

    /** Defaults, with Asian support switched on for Chinese, Japanese and Korean targets. */
    public static Ter forTarget(String targetLang) {
        String l = targetLang == null ? "" : targetLang.toLowerCase(Locale.ROOT);
        return new Ter(false, false, l.equals("zh") || l.equals("ja") || l.equals("ko"), false);
    }

    @Override
    public String name() {
        return "TER";
    }

    @Override
    public String signature(int numRefs, Integer nBootstrap, Long seed) {
        return Signature.create(numRefs, nBootstrap, seed)
                .put("case", caseSensitive ? "mixed" : "lc")
                .put("tok", tokenizer.signature())
                .put("norm", normalized)
                .put("punct", !noPunct)
                .put("asian", asianSupport)
                .format();
    }

    private String preprocess(String sent) {
        return tokenizer.tokenize(PyText.rstrip(sent));
    }

    @Override
    public TerScore corpusScore(List<String> hypotheses, List<List<String>> references) {
        List<double[]> stats = segmentStatistics(hypotheses, references);
        return scoreFromStatistics(CorpusMetric.sum(stats), signature(Signature.countRefs(references), null, null));
    }

    @Override
    public TerScore sentenceScore(String hypothesis, List<String> references) {
        return (TerScore) CorpusMetric.super.sentenceScore(hypothesis, references);
    }

    @Override
    public List<double[]> segmentStatistics(List<String> hypotheses, List<List<String>> references) {
        CorpusMetric.checkStreams(hypotheses, references);
        List<double[]> out = new ArrayList<>(hypotheses.size());
        for (int i = 0; i < hypotheses.size(); i++) {
            List<String> hypWords = PyText.split(preprocess(hypotheses.get(i)));
            List<String> refs = CorpusMetric.refsOf(references, i);
            if (refs.isEmpty()) {
                throw new IllegalArgumentException("segment " + (i + 1) + " has no reference");
            }
            long best = Long.MAX_VALUE;
            double refLengths = 0;
            for (String ref : refs) {
                // sacreBLEU pre-processes references twice (once when caching, once when extracting words).
                List<String> refWords = PyText.split(preprocess(preprocess(ref)));
                int[] r = TranslationEditRate.compute(hypWords, refWords);
                refLengths += r[1];
                best = Math.min(best, r[0]);
            }
            out.add(new double[] {best, refLengths / refs.size()});
        }
        return out;
    }

    @Override
    public TerScore scoreFromStatistics(double[] stats, String signature) {
        double edits = stats[0];
        double refLen = stats[1];
        double score;
        if (refLen > 0) {
            score = edits / refLen;
        } else if (edits > 0) {
            score = 1.0;
        } else {
            score = 0.0;
        }
        return new TerScore(100 * score, edits, refLen, signature);
    }
}
