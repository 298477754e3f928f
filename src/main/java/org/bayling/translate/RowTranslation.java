package org.bayling.translate;

import java.io.Serializable;
import java.util.List;

/**
 * What {@link TranslationPlanner} made of one row: the translation of the whole text (reassembled
 * from its segments when it was cut), or why not.
 *
 * @param status             {@link Status#OK}, {@link Status#ERROR} or {@link Status#SKIPPED} (same language: copied)
 * @param translation        the whole translation (null unless ok or skipped)
 * @param error              why not ok (null otherwise); for a cut text it names the failed segments
 * @param turns              what the model answered: every turn of a conversation, or one turn per segment
 * @param inputTokens        prompt tokens (of the last turn; summed over segments)
 * @param outputTokens       generated tokens of all turns and segments
 * @param reusedPrefixTokens prompt tokens taken from cached KV instead of recomputed
 * @param finishReason       the last turn's; {@code length} when any segment hit max_new_tokens
 * @param segments           the translated pieces with their source and target spans (one for a whole text)
 */
public record RowTranslation(Status status, String translation, String error, List<TurnOutput> turns,
                             int inputTokens, int outputTokens, int reusedPrefixTokens, String finishReason,
                             List<TranslatedSegment> segments) implements Serializable {

    public enum Status { OK, ERROR, SKIPPED }

    /**
     * One translated piece of a row.
     *
     * @param source    its source text
     * @param lastTurn  the model's answer that became its translation
     * @param sourceStart character span of the piece in the row's source ({@code [start, end)})
     * @param targetStart character span of its translation in the row's translation
     */
    public record TranslatedSegment(String source, String translation, TurnOutput lastTurn, int sourceStart,
                                    int sourceEnd, int targetStart, int targetEnd) implements Serializable {
    }

    public RowTranslation {
        turns = turns == null ? List.of() : List.copyOf(turns);
        segments = segments == null ? List.of() : List.copyOf(segments);
    }

    public static RowTranslation error(String error) {
        return new RowTranslation(Status.ERROR, null, error, List.of(), 0, 0, 0, null, List.of());
    }

    public static RowTranslation skipped(String source) {
        return new RowTranslation(Status.SKIPPED, source, null, List.of(), 0, 0, 0, null, List.of());
    }

    public boolean ok() {
        return status == Status.OK;
    }

    /** Every generated token's log-probability, segment after segment (last turns only). */
    public float[] tokenLogprobs() {
        int n = 0;
        for (TranslatedSegment s : segments) {
            n += s.lastTurn().tokenLogprobs().length;
        }
        float[] all = new float[n];
        int at = 0;
        for (TranslatedSegment s : segments) {
            float[] lp = s.lastTurn().tokenLogprobs();
            System.arraycopy(lp, 0, all, at, lp.length);
            at += lp.length;
        }
        return all;
    }
}
