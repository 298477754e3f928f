package org.bayling.translate;

import java.util.List;

/**
 * Translates batches of tasks with one loaded BayLing model. One engine per JVM and model is the
 * intended use (executors share it across tasks); see the implementation for thread-safety.
 */
public interface TranslationEngine extends AutoCloseable {

    /** Translates the tasks as one batch; returns one outcome per task, in order, failures included. */
    List<TranslationOutcome> translate(List<TranslationTask> tasks);

    /** Number of prompt tokens the first turn of this task needs (for sorting and token-budget batching). */
    int promptTokens(TranslationTask task);

    @Override
    void close();
}
