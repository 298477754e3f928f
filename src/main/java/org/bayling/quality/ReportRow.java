package org.bayling.quality;

import java.io.Serializable;
import java.util.List;

/**
 * One row of the evaluation report ({@link QualityReport}).
 *
 * @param id           row identifier shown in the worst-rows table
 * @param srcLang      source language
 * @param tgtLang      target language
 * @param source       source text
 * @param translation  translation
 * @param combined     combined quality score in [0,1]
 * @param flags        raised {@link QualityFlag} names
 * @param meanLogprob  mean token log-prob (NaN when unknown)
 * @param sentenceChrf sentence chrF (0–100) against a reference, or null
 */
public record ReportRow(String id, String srcLang, String tgtLang, String source, String translation,
                        double combined, List<String> flags, double meanLogprob, Double sentenceChrf)
        implements Serializable {

    public ReportRow {
        flags = flags == null ? List.of() : List.copyOf(flags);
    }

    public static ReportRow of(String id, QualityInput in, RowQuality q) {
        return new ReportRow(id, in.srcLang(), in.tgtLang(), in.source(), in.translation(), q.combined(), q.flags(),
                q.meanLogprob(), q.sentenceChrf());
    }

    /** {@code src-tgt}, e.g. {@code en-zh}. */
    public String pair() {
        return LanguageId.normalize(srcLang) + "-" + LanguageId.normalize(tgtLang);
    }
}
