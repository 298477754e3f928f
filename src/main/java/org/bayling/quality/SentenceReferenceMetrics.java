package org.bayling.quality;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bayling.quality.metrics.Bleu;
import org.bayling.quality.metrics.Chrf;

/**
 * Sentence BLEU (effective order, sacreBLEU's default tokenizer for the target) and sentence chrF of
 * a translation against its reference — the sacreBLEU-compatible metrics, one row at a time.
 */
public final class SentenceReferenceMetrics implements ReferenceMetrics {

    private static final Map<String, Bleu> BLEU = new ConcurrentHashMap<>();
    private static final Chrf CHRF = Chrf.chrf();

    @Override
    public Scores score(String hypothesis, String reference, String tgtLang) {
        return new Scores(bleu(hypothesis, reference, tgtLang), chrf(hypothesis, reference));
    }

    public static Double bleu(String hypothesis, String reference, String tgtLang) {
        if (hypothesis == null || reference == null || reference.isBlank()) {
            return null;
        }
        String lang = tgtLang == null ? "" : tgtLang;
        try {
            return BLEU.computeIfAbsent(lang, Bleu::sentenceLevel).sentenceScore(hypothesis, List.of(reference)).score();
        } catch (RuntimeException e) {
            return null; // e.g. a target whose tokenizer sacreBLEU needs MeCab for
        }
    }

    public static Double chrf(String hypothesis, String reference) {
        if (hypothesis == null || reference == null || reference.isBlank()) {
            return null;
        }
        return CHRF.sentenceScore(hypothesis, List.of(reference)).score();
    }
}
