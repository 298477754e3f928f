package org.bayling.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A language model written as a function from the tokens so far to next-token logits, behind the
 * {@link DecoderSession} interface: lets the strategies be tested on cases whose answers are known by hand.
 */
final class ScriptedSession implements DecoderSession {

    private final int vocab;
    private final Function<int[], float[]> model;
    private List<int[]> rows = new ArrayList<>();

    ScriptedSession(int rows, int vocab, Function<int[], float[]> model) {
        this.vocab = vocab;
        this.model = model;
        for (int i = 0; i < rows; i++) {
            this.rows.add(new int[0]);
        }
    }

    @Override
    public int rows() {
        return rows.size();
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public float[][] append(int[][] tokens) {
        float[][] out = new float[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            int[] old = rows.get(r);
            int[] all = Arrays.copyOf(old, old.length + tokens[r].length);
            System.arraycopy(tokens[r], 0, all, old.length, tokens[r].length);
            rows.set(r, all);
            out[r] = model.apply(all);
        }
        return out;
    }

    @Override
    public void select(int[] order) {
        List<int[]> next = new ArrayList<>();
        for (int i : order) {
            next.add(rows.get(i));
        }
        rows = next;
    }

    @Override
    public int length(int row) {
        return rows.get(row).length;
    }

    @Override
    public void truncate(int row, int keep) {
        rows.set(row, Arrays.copyOf(rows.get(row), keep));
    }

    @Override
    public CacheSnapshot snapshot(int row, int[] tokens) {
        return new CacheSnapshot() {
            public int[] tokens() {
                return tokens;
            }

            public void close() {
            }
        };
    }

    @Override
    public void close() {
    }
}
