package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How many translation tasks the job makes when {@code --partitions} is not given. */
class TranslateJobPartitionsTest {

    private static final int BUDGET = TranslationSettings.DEFAULT_MAX_BATCH_TOKENS;

    @Test
    void aFewHundredSentencesGoToOneTaskPerCoreSoThatEachFillsAFullBatch() {
        // 200 English sentences of ~130 characters: 26,000 characters are two batches' worth, not eight tasks of 25
        assertEquals(2, TranslateJob.partitions(200, 26_000, BUDGET, 2));
        // fewer characters than one batch still give every core a task
        assertEquals(2, TranslateJob.partitions(30, 3_000, BUDGET, 2));
    }

    @Test
    void largerInputsGetUpToFourTasksPerCoreThenAtMost256RequestsEach() {
        assertEquals(8, TranslateJob.partitions(1_000, 130_000, BUDGET, 2));
        // 14 long documents: one task per document up to four per core, longest first, so no core is left alone
        assertEquals(8, TranslateJob.partitions(14, 130_000, BUDGET, 2));
        assertEquals(40, TranslateJob.partitions(10_000, 1_300_000, BUDGET, 2));
    }

    @Test
    void aSmallerBatchBudgetAllowsMoreTasks() {
        assertEquals(4, TranslateJob.partitions(200, 26_000, 4_096, 2));
    }
}
