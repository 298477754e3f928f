package org.bayling.generate;

/**
 * A batch of token sequences being decoded by one model, with the KV cache that belongs to them.
 * Rows are independent: each has its own tokens, positions and attention mask, so a row's logits do
 * not depend on what else is in the batch (batch invariance). Generation strategies drive a session
 * and never touch tensors.
 */
public interface DecoderSession extends AutoCloseable {

    /** Number of rows. */
    int rows();

    int vocabSize();

    /**
     * Appends tokens to every row (row {@code r} gets {@code tokens[r]}, at least one each; lengths may
     * differ) and returns the logits after each row's last token, {@code [rows][vocab]}.
     */
    Logits append(int[][] tokens);

    /**
     * Keeps, duplicates or reorders rows: the new row {@code i} is the old row {@code rows[i]}
     * (beam search reordering, dropping finished rows, expanding a prompt into beams).
     */
    void select(int[] rows);

    /** Cached tokens of one row (the prompt and everything appended since). */
    int length(int row);

    /**
     * Forgets everything after the first {@code keep} tokens of a row, so a longer prompt sharing that
     * prefix can be appended without recomputing it.
     */
    void truncate(int row, int keep);

    /**
     * Copies one row's cache, labelled with the tokens it holds (the caller knows them: the row's
     * prompt and what was generated). The copy outlives this session.
     */
    CacheSnapshot snapshot(int row, int[] tokens);

    @Override
    void close();
}
