package org.bayling.translate;

import java.util.List;

/**
 * Translates batches of prompts with one loaded BayLing model. One engine per JVM and model is the
 * intended use (executors share it across tasks); implementations must be thread-safe. What goes into
 * a batch, and how long a prompt may be, is decided by {@link TranslationPlanner}.
 */
public interface TranslationEngine extends AutoCloseable {

    /** Renders and tokenizes a task's first prompt; a task that cannot be prompted gets {@link TaskPrompt#error()}. */
    TaskPrompt prompt(TranslationTask task);

    /** Tokens of a piece of source text as the model's tokenizer counts them (without BOS). */
    int countTokens(String text);

    /** The model's context: prompt plus generated tokens must fit in it. */
    int contextTokens();

    /**
     * Translates the prompts as one batch (every turn of the batch is one predictor call); one outcome
     * per prompt, in order, failures included.
     */
    List<TranslationOutcome> translate(List<TaskPrompt> batch);

    @Override
    void close();
}
