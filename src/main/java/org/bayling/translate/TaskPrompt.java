package org.bayling.translate;

/**
 * A task's first prompt, rendered and tokenized once by {@link TranslationEngine#prompt}: the planner
 * measures and batches it, the engine decodes it.
 *
 * @param task        the task
 * @param instruction the first instruction (translation request with the source text)
 * @param ids         the prompt's token ids, BOS included
 * @param sharedHead  the part of the prompt before the source text, which every task of the same
 *                    template and language pair starts with (its KV cache is reused), or empty
 * @param error       why the task cannot be prompted (unknown language...), else null; ids then empty
 */
public record TaskPrompt(TranslationTask task, String instruction, int[] ids, String sharedHead, String error) {

    public static TaskPrompt failed(TranslationTask task, String error) {
        return new TaskPrompt(task, null, new int[0], "", error);
    }

    public int tokens() {
        return ids.length;
    }
}
