package org.bayling.quality;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Computes {@link RowQuality} for a {@link QualityInput}: confidence from token log-probs, length
 * ratio, target-language check, copy detection, degeneration, truncation, required terms and
 * (when given) reference metrics, a combined score in [0,1] and {@link QualityFlag}s.
 *
 * <p>Immutable and thread-safe. Serializable: on a Spark executor only the configuration travels;
 * the language detector is looked up in a per-JVM singleton ({@link LanguageId#shared}) on first
 * use, so create the scorer on the driver and use it in {@code mapPartitions}, or create one per
 * partition — both are cheap after the first.
 */
public final class QualityScorer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final QualityConfig config;
    private final ReferenceMetrics referenceMetrics;
    private transient volatile LanguageId languageId;

    public QualityScorer(QualityConfig config) {
        this(config, null);
    }

    private QualityScorer(QualityConfig config, ReferenceMetrics referenceMetrics) {
        this.config = config;
        this.referenceMetrics = referenceMetrics;
    }

    /** Scorer with the classpath defaults ({@code bayling/quality.properties}). */
    public static QualityScorer withDefaults() {
        return new QualityScorer(QualityConfig.defaults());
    }

    /**
     * A scorer that fills sentence BLEU/chrF for rows that have a reference but no precomputed
     * values, using metrics implemented elsewhere (see {@link ReferenceMetrics}).
     */
    public QualityScorer withReferenceMetrics(ReferenceMetrics metrics) {
        return new QualityScorer(config, metrics);
    }

    public QualityConfig config() {
        return config;
    }

    /** The shared language detector (built on first call in this JVM). */
    public LanguageId languageId() {
        LanguageId l = languageId;
        if (l == null) {
            l = LanguageId.shared(config);
            languageId = l;
        }
        return l;
    }

    public RowQuality score(QualityInput in) {
        QualityConfig c = config;
        EnumSet<QualityFlag> flags = EnumSet.noneOf(QualityFlag.class);
        Components comp = new Components();

        String source = in.source() == null ? "" : in.source();
        String translation = in.translation() == null ? "" : in.translation();

        // confidence
        double mean = Double.NaN;
        double min = Double.NaN;
        double ppl = Double.NaN;
        if (in.hasLogprobs()) {
            double sum = 0;
            min = Double.POSITIVE_INFINITY;
            for (float lp : in.tokenLogprobs()) {
                sum += lp;
                min = Math.min(min, lp);
            }
            mean = sum / in.tokenLogprobs().length;
            ppl = Math.exp(-mean);
            if (mean < c.minMeanLogprob) {
                flags.add(QualityFlag.LOW_CONFIDENCE);
            }
            comp.add(c.wConfidence, (mean - c.confidenceFloor) / (c.confidenceCeiling - c.confidenceFloor));
        }

        // truncation
        boolean truncated = "length".equalsIgnoreCase(in.finishReason() == null ? "" : in.finishReason().trim());
        if (truncated) {
            flags.add(QualityFlag.TRUNCATED);
        }
        comp.add(c.wTruncation, truncated ? c.truncationScore : 1.0);

        // required terms
        TermCoverage.Result terms = TermCoverage.of(translation, in.requiredTerms());
        if (terms.total() > 0) {
            if (terms.coverage() < c.termsMinCoverage) {
                flags.add(QualityFlag.MISSING_TERMS);
            }
            comp.add(c.wTerms, terms.coverage());
        }

        // reference metrics (computed elsewhere)
        Double bleu = in.sentenceBleu();
        Double chrf = in.sentenceChrf();
        if (bleu == null && chrf == null && referenceMetrics != null && in.reference() != null) {
            ReferenceMetrics.Scores s = referenceMetrics.score(translation, in.reference(), in.tgtLang());
            if (s != null) {
                bleu = s.sentenceBleu();
                chrf = s.sentenceChrf();
            }
        }
        if (chrf != null && Double.isFinite(chrf)) {
            comp.add(c.wReference, chrf / 100.0);
        } else if (bleu != null && Double.isFinite(bleu)) {
            comp.add(c.wReference, bleu / 100.0);
        }

        boolean srcChar = c.isCharScript(in.srcLang());
        boolean tgtChar = c.isCharScript(in.tgtLang());
        int srcUnits = TextUnits.countUnits(source, srcChar);
        int tgtUnits = TextUnits.countUnits(translation, tgtChar);
        double expected = c.expectedRatio(in.srcLang(), in.tgtLang());

        boolean empty = translation.isBlank() || (tgtUnits == 0 && srcUnits > 0);
        if (empty) {
            flags.add(QualityFlag.EMPTY);
            return new RowQuality(mean, min, ppl, srcUnits, tgtUnits, srcUnits == 0 ? Double.NaN : 0.0, expected,
                    LanguageId.UNDETERMINED, 0.0, Double.NaN, false, Double.NaN, 0.0, 0, truncated,
                    terms.found(), terms.missing(), terms.coverage(), bleu, chrf, 0.0, names(flags));
        }

        // length ratio
        double ratio = srcUnits == 0 ? Double.NaN : (double) tgtUnits / srcUnits;
        boolean lengthJudged = srcUnits >= (srcChar ? c.minSourceChars : c.minSourceWords);
        if (lengthJudged) {
            double dev = Math.abs(Math.log(ratio / expected));
            if (dev > Math.log(c.lengthTolerance)) {
                flags.add(QualityFlag.LENGTH_RATIO);
            }
            comp.add(c.wLength, 1.0 - 0.5 * dev / Math.log(c.lengthTolerance));
        }

        // target language
        LanguageId.Check lang = languageId().check(translation, in.tgtLang());
        if (lang.wrongLanguage()) {
            flags.add(QualityFlag.WRONG_LANGUAGE);
        }
        if (lang.decided()) {
            comp.add(c.wLanguage, lang.wrongLanguage() ? 0.0 : 1.0);
        }

        // copy of the source
        String ns = TextUnits.normalizeForCopy(source);
        String nt = TextUnits.normalizeForCopy(translation);
        double sim = TextUnits.similarity(ns, nt);
        if (ns.codePointCount(0, ns.length()) >= c.copyMinChars) {
            if (sim >= c.copyThreshold) {
                flags.add(QualityFlag.COPY);
            }
            comp.add(c.wCopy, 1.0 - (sim - c.copyScoreStart) / (c.copyThreshold - c.copyScoreStart));
        }

        // degeneration
        List<String> tokens = TextUnits.units(translation, tgtChar);
        Repetition rep = Repetition.of(tokens, tgtChar ? c.ngramChars : c.ngramWords, c.maxPeriod);
        boolean loop = rep.loopRepeats() >= c.loopMinRepeats
                && rep.longestRepeat() >= (tgtChar ? c.loopMinChars : c.loopMinWords);
        boolean ngramHeavy = rep.ngrams() >= c.minNgrams && rep.repeatedNgramRatio() >= c.maxRepeatedNgramRatio;
        if (loop || ngramHeavy) {
            flags.add(QualityFlag.REPETITION);
        }
        comp.add(c.wRepetition, loop || ngramHeavy ? c.repetitionFlaggedScore : 1.0 - 0.5 * rep.repeatedNgramRatio());

        return new RowQuality(mean, min, ppl, srcUnits, tgtUnits, ratio, expected,
                lang.lang(), lang.confidence(), lang.expectedScore(), lang.decided(),
                sim, rep.repeatedNgramRatio(), rep.longestRepeat(), truncated,
                terms.found(), terms.missing(), terms.coverage(), bleu, chrf, comp.combined(), names(flags));
    }

    private static List<String> names(EnumSet<QualityFlag> flags) {
        List<String> out = new ArrayList<>(flags.size());
        flags.forEach(f -> out.add(f.name()));
        return out;
    }

    /** Weighted geometric mean of components clamped to [0,1]; 1.0 when there are none. */
    private static final class Components {
        private double weightedLogSum;
        private double weights;
        private boolean zero;

        void add(double weight, double value) {
            if (weight <= 0 || Double.isNaN(value)) {
                return;
            }
            double v = Math.max(0.0, Math.min(1.0, value));
            if (v == 0.0) {
                zero = true;
            } else {
                weightedLogSum += weight * Math.log(v);
            }
            weights += weight;
        }

        double combined() {
            if (zero) {
                return 0.0;
            }
            return weights == 0 ? 1.0 : Math.max(0.0, Math.min(1.0, Math.exp(weightedLogSum / weights)));
        }
    }
}
