package org.bayling.translate;

import java.io.Serializable;
import java.util.List;

/**
 * The result of one {@link TranslationTask}: either {@code ok} with every turn's output (the last
 * turn's response is the translation) or an error message. Never thrown, always returned.
 *
 * @param key                the task's key
 * @param ok                 whether translation succeeded
 * @param error              why not, when {@code !ok}
 * @param turns              one entry per instruction (first translation, then follow-ups)
 * @param inputTokens        prompt tokens of the last turn (the whole conversation so far)
 * @param reusedPrefixTokens prompt tokens whose KV cache was reused instead of recomputed
 */
public record TranslationOutcome(String key, boolean ok, String error, List<TurnOutput> turns,
                                 int inputTokens, int reusedPrefixTokens) implements Serializable {

    public static TranslationOutcome failed(String key, String error) {
        return new TranslationOutcome(key, false, error, List.of(), 0, 0);
    }

    /** The final translation: the last turn's response, or null when failed. */
    public String translation() {
        return ok && !turns.isEmpty() ? turns.get(turns.size() - 1).response() : null;
    }

    public TurnOutput lastTurn() {
        return turns.isEmpty() ? null : turns.get(turns.size() - 1);
    }

    public int outputTokens() {
        return turns.stream().mapToInt(t -> t.outputIds().length).sum();
    }
}
