package org.bayling.quality.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * BLEU exactly as sacreBLEU 2.x ({@code sacrebleu/metrics/bleu.py}): mteval-style tokenization, clipped n-gram
 * counts against the max count over references, closest reference length (ties to the shorter), brevity penalty,
 * smoothing {@code exp} (default), {@code floor}, {@code add-k}, {@code none}, and optional effective order.
 *
 * <p>Per-segment statistics are {@code [sys_len, ref_len, correct_1..N, total_1..N]} like sacreBLEU's.
 */
public final class Bleu implements CorpusMetric {

    public static final int MAX_NGRAM_ORDER = 4;

    /** Smoothing methods of sacreBLEU (Chen &amp; Cherry 2014 naming). */
    public enum Smoothing {
        NONE("none", null), FLOOR("floor", 0.1), ADD_K("add-k", 1.0), EXP("exp", null);

        private final String id;
        private final Double defaultValue;

        Smoothing(String id, Double defaultValue) {
            this.id = id;
            this.defaultValue = defaultValue;
        }

        public String id() {
            return id;
        }

        public Double defaultValue() {
            return defaultValue;
        }

        public static Smoothing fromId(String id) {
            for (Smoothing s : values()) {
                if (s.id.equals(id)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown smoothing method '" + id + "' (none, floor, add-k, exp)");
        }
    }

    private final Tokenizer tokenizer;
    private final boolean lowercase;
    private final Smoothing smoothing;
    private final Double smoothValue;
    private final int maxOrder;
    private final boolean effectiveOrder;

    private Bleu(Builder b) {
        String tok = b.tokenize != null ? b.tokenize : Tokenizers.defaultFor(b.targetLang);
        this.tokenizer = Tokenizers.forName(tok);
        this.lowercase = b.lowercase;
        this.smoothing = b.smoothing;
        this.smoothValue = b.smoothValue;
        this.maxOrder = b.maxOrder;
        this.effectiveOrder = b.effectiveOrder;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Corpus BLEU with sacreBLEU's defaults for the given target language ({@code zh} tokenizer for Chinese, ...). */
    public static Bleu forTarget(String targetLang) {
        return builder().targetLang(targetLang).build();
    }

    /** sacreBLEU's {@code sentence_bleu()} defaults: exp smoothing with effective order. */
    public static Bleu sentenceLevel(String targetLang) {
        return builder().targetLang(targetLang).effectiveOrder(true).build();
    }

    public static final class Builder {
        private String tokenize;
        private String targetLang = "";
        private boolean lowercase;
        private Smoothing smoothing = Smoothing.EXP;
        private Double smoothValue;
        private int maxOrder = MAX_NGRAM_ORDER;
        private boolean effectiveOrder;

        /** Tokenizer name; {@code null} = default for the target language. */
        public Builder tokenize(String tokenize) {
            this.tokenize = tokenize;
            return this;
        }

        public Builder targetLang(String targetLang) {
            this.targetLang = targetLang == null ? "" : targetLang;
            return this;
        }

        public Builder lowercase(boolean lowercase) {
            this.lowercase = lowercase;
            return this;
        }

        public Builder smoothing(Smoothing smoothing) {
            this.smoothing = Objects.requireNonNull(smoothing);
            return this;
        }

        /** Value for {@code floor}/{@code add-k}; {@code null} = sacreBLEU default (0.1 / 1). */
        public Builder smoothValue(Double smoothValue) {
            this.smoothValue = smoothValue;
            return this;
        }

        public Builder maxNgramOrder(int maxOrder) {
            if (maxOrder < 1) {
                throw new IllegalArgumentException("max n-gram order must be >= 1");
            }
            this.maxOrder = maxOrder;
            return this;
        }

        public Builder effectiveOrder(boolean effectiveOrder) {
            this.effectiveOrder = effectiveOrder;
            return this;
        }

        public Bleu build() {
            return new Bleu(this);
        }
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public String name() {
        return "BLEU";
    }

    @Override
    public String signature(int numRefs, Integer nBootstrap, Long seed) {
        String smooth = smoothing.id();
        if (smoothing.defaultValue() != null) {
            double v = smoothValue != null ? smoothValue : smoothing.defaultValue();
            smooth += String.format(Locale.ROOT, "[%.2f]", v);
        }
        return Signature.create(numRefs, nBootstrap, seed)
                .put("case", lowercase ? "lc" : "mixed")
                .put("eff", effectiveOrder)
                .put("tok", tokenizer.signature())
                .put("smooth", smooth)
                .format();
    }

    /** Lower-cases (optionally) and tokenizes a segment, as {@code BLEU._preprocess_segment}. */
    public String preprocess(String sent) {
        if (lowercase) {
            sent = PyText.lower(sent);
        }
        return tokenizer.tokenize(PyText.rstrip(sent));
    }

    public BleuScore corpusScore(List<String> hypotheses, List<List<String>> references) {
        List<double[]> stats = segmentStatistics(hypotheses, references);
        return scoreFromStatistics(CorpusMetric.sum(stats), signature(Signature.countRefs(references), null, null));
    }

    public BleuScore sentenceScore(String hypothesis, List<String> references) {
        List<List<String>> streams = new ArrayList<>();
        for (String r : references) {
            streams.add(java.util.Collections.singletonList(r));
        }
        return corpusScore(List.of(hypothesis), streams);
    }

    @Override
    public List<double[]> segmentStatistics(List<String> hypotheses, List<List<String>> references) {
        CorpusMetric.checkStreams(hypotheses, references);
        List<double[]> out = new ArrayList<>(hypotheses.size());
        for (int i = 0; i < hypotheses.size(); i++) {
            List<String> refs = CorpusMetric.refsOf(references, i);
            // reference n-grams: max count over references
            Map<String, Integer> refNgrams = null;
            int[] refLens = new int[refs.size()];
            for (int k = 0; k < refs.size(); k++) {
                List<String> toks = PyText.split(preprocess(refs.get(k)));
                refLens[k] = toks.size();
                Map<String, Integer> these = ngrams(toks);
                if (refNgrams == null) {
                    refNgrams = these;
                } else {
                    for (Map.Entry<String, Integer> e : these.entrySet()) {
                        refNgrams.merge(e.getKey(), e.getValue(), Math::max);
                    }
                }
            }
            if (refNgrams == null) {
                refNgrams = Map.of();
            }
            List<String> hypToks = PyText.split(preprocess(hypotheses.get(i)));
            int hypLen = hypToks.size();
            int refLen = closestRefLen(hypLen, refLens);
            double[] st = new double[2 + 2 * maxOrder];
            st[0] = hypLen;
            st[1] = refLen;
            for (Map.Entry<String, Integer> e : ngrams(hypToks).entrySet()) {
                String ng = e.getKey();
                int n = order(ng);
                int c = e.getValue();
                st[2 + maxOrder + n - 1] += c;
                Integer rc = refNgrams.get(ng);
                if (rc != null) {
                    st[2 + n - 1] += Math.min(c, rc);
                }
            }
            out.add(st);
        }
        return out;
    }

    private static int order(String ngram) {
        int n = 1;
        for (int i = 0; i < ngram.length(); i++) {
            if (ngram.charAt(i) == ' ') {
                n++;
            }
        }
        return n;
    }

    private Map<String, Integer> ngrams(List<String> toks) {
        Map<String, Integer> m = new HashMap<>(toks.size() * maxOrder * 2);
        for (int n = 1; n <= maxOrder; n++) {
            for (int i = 0; i + n <= toks.size(); i++) {
                String key = n == 1 ? toks.get(i) : String.join(" ", toks.subList(i, i + n));
                m.merge(key, 1, Integer::sum);
            }
        }
        return m;
    }

    /** Closest reference length; ties go to the shorter reference (sacreBLEU {@code _get_closest_ref_len}). */
    static int closestRefLen(int hypLen, int[] refLens) {
        int closestDiff = -1;
        int closestLen = -1;
        for (int refLen : refLens) {
            int diff = Math.abs(hypLen - refLen);
            if (closestDiff == -1 || diff < closestDiff) {
                closestDiff = diff;
                closestLen = refLen;
            } else if (diff == closestDiff && refLen < closestLen) {
                closestLen = refLen;
            }
        }
        return closestLen;
    }

    @Override
    public BleuScore scoreFromStatistics(double[] stats, String signature) {
        double[] correct = Arrays.copyOfRange(stats, 2, 2 + maxOrder);
        double[] total = Arrays.copyOfRange(stats, 2 + maxOrder, 2 + 2 * maxOrder);
        return computeBleu(correct, total, (long) stats[0], (long) stats[1], smoothing, smoothValue,
                effectiveOrder, maxOrder, signature);
    }

    /** sacreBLEU's {@code BLEU.compute_bleu}. */
    static BleuScore computeBleu(double[] correctIn, double[] totalIn, long sysLen, long refLen,
                                 Smoothing smoothing, Double smoothValueIn, boolean effectiveOrder, int maxOrder,
                                 String signature) {
        double smoothValue = smoothValueIn != null ? smoothValueIn
                : (smoothing.defaultValue() != null ? smoothing.defaultValue() : 0.0);
        long[] counts = new long[maxOrder];
        long[] totals = new long[maxOrder];
        for (int i = 0; i < maxOrder; i++) {
            counts[i] = Math.round(correctIn[i]);
            totals[i] = Math.round(totalIn[i]);
        }
        double[] correct = correctIn.clone();
        double[] total = totalIn.clone();

        double bp;
        if (sysLen < refLen) {
            bp = sysLen > 0 ? Math.exp(1.0 - (double) refLen / sysLen) : 0.0;
        } else {
            bp = 1.0;
        }
        double[] precisions = new double[maxOrder];

        boolean anyCorrect = false;
        for (double c : correct) {
            if (c != 0) {
                anyCorrect = true;
                break;
            }
        }
        if (!anyCorrect) {
            return new BleuScore(0.0, counts, totals, precisions, bp, sysLen, refLen, signature);
        }

        double smoothMteval = 1.0;
        int effOrder = maxOrder;
        for (int n = 1; n <= maxOrder; n++) {
            if (smoothing == Smoothing.ADD_K && n > 1) {
                correct[n - 1] += smoothValue;
                total[n - 1] += smoothValue;
            }
            if (total[n - 1] == 0) {
                break;
            }
            if (effectiveOrder) {
                effOrder = n;
            }
            if (correct[n - 1] == 0) {
                if (smoothing == Smoothing.EXP) {
                    smoothMteval *= 2;
                    precisions[n - 1] = 100.0 / (smoothMteval * total[n - 1]);
                } else if (smoothing == Smoothing.FLOOR) {
                    precisions[n - 1] = 100.0 * smoothValue / total[n - 1];
                }
            } else {
                precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
            }
        }
        double logSum = 0.0;
        for (int i = 0; i < effOrder; i++) {
            logSum += myLog(precisions[i]);
        }
        double score = bp * Math.exp(logSum / effOrder);
        return new BleuScore(score, counts, totals, precisions, bp, sysLen, refLen, signature);
    }

    private static double myLog(double x) {
        return x == 0.0 ? -9999999999.0 : Math.log(x);
    }
}
