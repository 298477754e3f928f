package org.bayling.quality.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * chrF (Popović 2015) and chrF++ (Popović 2017) exactly as sacreBLEU 2.x ({@code sacrebleu/metrics/chrf.py}):
 * character n-grams up to {@code charOrder} over the whitespace-stripped segment, word n-grams up to
 * {@code wordOrder} after splitting one leading/trailing ASCII punctuation mark off each word, F-beta over averaged
 * precision/recall with effective-order smoothing (default) or chrF++.py-style eps smoothing, best reference by
 * F-score. Statistics per segment: {@code [hyp, ref, match]} per order, char orders first.
 */
public final class Chrf implements CorpusMetric {

    public static final int CHAR_ORDER = 6;
    public static final int WORD_ORDER = 0;
    public static final int BETA = 2;

    private static final String PUNCTS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private final int charOrder;
    private final int wordOrder;
    private final int beta;
    private final boolean lowercase;
    private final boolean whitespace;
    private final boolean epsSmoothing;

    public Chrf(int charOrder, int wordOrder, int beta, boolean lowercase, boolean whitespace, boolean epsSmoothing) {
        if (charOrder < 0 || wordOrder < 0 || charOrder + wordOrder == 0) {
            throw new IllegalArgumentException("need a positive total n-gram order");
        }
        this.charOrder = charOrder;
        this.wordOrder = wordOrder;
        this.beta = beta;
        this.lowercase = lowercase;
        this.whitespace = whitespace;
        this.epsSmoothing = epsSmoothing;
    }

    /** chrF2: char order 6, no word n-grams, beta 2, whitespace excluded. */
    public static Chrf chrf() {
        return new Chrf(CHAR_ORDER, 0, BETA, false, false, false);
    }

    /** chrF2++: chrF2 plus word uni- and bi-grams. */
    public static Chrf chrfPlusPlus() {
        return new Chrf(CHAR_ORDER, 2, BETA, false, false, false);
    }

    private int order() {
        return charOrder + wordOrder;
    }

    @Override
    public String name() {
        return "chrF" + beta + "+".repeat(wordOrder);
    }

    @Override
    public String signature(int numRefs, Integer nBootstrap, Long seed) {
        return Signature.create(numRefs, nBootstrap, seed)
                .put("case", lowercase ? "lc" : "mixed")
                .put("eff", !epsSmoothing)
                .put("nc", Integer.toString(charOrder))
                .put("nw", Integer.toString(wordOrder))
                .put("space", whitespace)
                .format();
    }

    @Override
    public ChrfScore corpusScore(List<String> hypotheses, List<List<String>> references) {
        List<double[]> stats = segmentStatistics(hypotheses, references);
        return scoreFromStatistics(CorpusMetric.sum(stats), signature(Signature.countRefs(references), null, null));
    }

    @Override
    public ChrfScore sentenceScore(String hypothesis, List<String> references) {
        return (ChrfScore) CorpusMetric.super.sentenceScore(hypothesis, references);
    }

    @Override
    public ChrfScore scoreFromStatistics(double[] aggregated, String signature) {
        return new ChrfScore(name(), fScore(aggregated), charOrder, wordOrder, beta, signature);
    }

    /** sacreBLEU's {@code CHRF._compute_f_score}. */
    double fScore(double[] statistics) {
        double eps = 1e-16;
        double score = 0.0;
        int effectiveOrder = 0;
        double factor = (double) beta * beta;
        double avgPrec = 0.0;
        double avgRec = 0.0;
        for (int i = 0; i < order(); i++) {
            double nHyp = statistics[3 * i];
            double nRef = statistics[3 * i + 1];
            double nMatch = statistics[3 * i + 2];
            double prec = nHyp > 0 ? nMatch / nHyp : eps;
            double rec = nRef > 0 ? nMatch / nRef : eps;
            double denom = factor * prec + rec;
            score += denom > 0 ? ((1 + factor) * prec * rec / denom) : eps;
            if (nHyp > 0 && nRef > 0) {
                avgPrec += prec;
                avgRec += rec;
                effectiveOrder++;
            }
        }
        if (epsSmoothing) {
            return 100 * score / order();
        }
        if (effectiveOrder == 0) {
            avgPrec = 0.0;
            avgRec = 0.0;
        } else {
            avgPrec /= effectiveOrder;
            avgRec /= effectiveOrder;
        }
        if (avgPrec + avgRec != 0) {
            double s = (1 + factor) * avgPrec * avgRec;
            s /= (factor * avgPrec) + avgRec;
            return 100 * s;
        }
        return 0.0;
    }

    private String preprocess(String sent) {
        return lowercase ? PyText.lower(sent) : sent;
    }

    /** Char n-gram counters 1..charOrder, then word n-gram counters 1..wordOrder. */
    private List<Map<String, int[]>> extract(String sent) {
        List<Map<String, int[]>> all = new ArrayList<>(order());
        String line = whitespace ? sent : PyText.removeSpaces(sent);
        int[] cps = line.codePoints().toArray();
        // offsets of code points in the UTF-16 string, for cheap substrings
        int[] off = new int[cps.length + 1];
        for (int i = 0, o = 0; i < cps.length; i++) {
            off[i] = o;
            o += Character.charCount(cps[i]);
            off[i + 1] = o;
        }
        for (int n = 1; n <= charOrder; n++) {
            Map<String, int[]> m = new HashMap<>(Math.max(16, cps.length * 2));
            for (int i = 0; i + n <= cps.length; i++) {
                m.computeIfAbsent(line.substring(off[i], off[i + n]), k -> new int[1])[0]++;
            }
            all.add(m);
        }
        if (wordOrder > 0) {
            List<String> words = removePunctuation(sent);
            for (int n = 1; n <= wordOrder; n++) {
                Map<String, int[]> m = new HashMap<>(Math.max(16, words.size() * 2));
                for (int i = 0; i + n <= words.size(); i++) {
                    String key = n == 1 ? words.get(i) : String.join(" ", words.subList(i, i + n));
                    m.computeIfAbsent(key, k -> new int[1])[0]++;
                }
                all.add(m);
            }
        }
        return all;
    }

    /** sacreBLEU's {@code _remove_punctuation}: splits one ASCII punctuation mark off the end, else the start. */
    static List<String> removePunctuation(String sent) {
        List<String> out = new ArrayList<>();
        for (String w : PyText.split(sent)) {
            if (PyText.length(w) == 1) {
                out.add(w);
                continue;
            }
            int last = w.codePointBefore(w.length());
            int first = w.codePointAt(0);
            if (PUNCTS.indexOf(last) >= 0) {
                out.add(w.substring(0, w.length() - 1));
                out.add(w.substring(w.length() - 1));
            } else if (PUNCTS.indexOf(first) >= 0) {
                out.add(w.substring(0, 1));
                out.add(w.substring(1));
            } else {
                out.add(w);
            }
        }
        return out;
    }

    @Override
    public List<double[]> segmentStatistics(List<String> hypotheses, List<List<String>> references) {
        CorpusMetric.checkStreams(hypotheses, references);
        List<double[]> out = new ArrayList<>(hypotheses.size());
        for (int i = 0; i < hypotheses.size(); i++) {
            List<Map<String, int[]>> hyp = extract(preprocess(hypotheses.get(i)));
            double[] best = null;
            double bestF = -1.0;
            for (String ref : CorpusMetric.refsOf(references, i)) {
                List<Map<String, int[]>> r = extract(preprocess(ref));
                double[] stats = new double[3 * order()];
                for (int k = 0; k < order(); k++) {
                    matchStatistics(hyp.get(k), r.get(k), stats, 3 * k);
                }
                double f = fScore(stats);
                if (f > bestF) {
                    bestF = f;
                    best = stats;
                }
            }
            if (best == null) {
                throw new IllegalArgumentException("segment " + (i + 1) + " has no reference");
            }
            out.add(best);
        }
        return out;
    }

    private static void matchStatistics(Map<String, int[]> hyp, Map<String, int[]> ref, double[] out, int at) {
        long match = 0;
        long hypCount = 0;
        for (Map.Entry<String, int[]> e : hyp.entrySet()) {
            int c = e.getValue()[0];
            hypCount += c;
            int[] rc = ref.get(e.getKey());
            if (rc != null) {
                match += Math.min(c, rc[0]);
            }
        }
        long refCount = 0;
        for (int[] rc : ref.values()) {
            refCount += rc[0];
        }
        out[at] = ref.isEmpty() ? 0 : hypCount;
        out[at + 1] = refCount;
        out[at + 2] = match;
    }
}
