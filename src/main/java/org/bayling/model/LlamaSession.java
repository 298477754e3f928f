package org.bayling.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.bayling.generate.CacheSnapshot;
import org.bayling.generate.DecoderSession;
import org.bayling.generate.Logits;

/**
 * A {@link DecoderSession} over a {@link LlamaModel}: turns ragged token lists into one left-padded
 * forward pass (ids, positions counted per row from its real tokens, an additive attention mask that
 * hides padding, truncated slots and the future) and keeps the KV cache. Not thread-safe: one session
 * belongs to one caller; the model behind it may serve many sessions at once.
 */
public final class LlamaSession implements DecoderSession {

    private final LlamaModel model;
    private final KvCache cache;

    LlamaSession(LlamaModel model, KvCache cache) {
        this.model = model;
        this.cache = cache;
    }

    @Override
    public int rows() {
        return cache.rows();
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public Logits append(int[][] tokens) {
        try (NDManager step = model.manager().newSubManager()) {
            NDArray hidden = run(tokens, step);
            NDArray[] logits = model.logitsAndLogSumExp(model.lastPosition(hidden));
            float[] lse = logits[1].toFloatArray();
            double[] logSumExp = new double[lse.length];
            for (int i = 0; i < lse.length; i++) {
                logSumExp[i] = lse[i];
            }
            return new Logits(split(logits[0].toFloatArray(), tokens.length, vocabSize()), logSumExp);
        }
    }

    /** Logits at every new position of a single row, {@code [t][vocab]} (for parity checks against the reference). */
    public float[][] appendAllLogits(int[] tokens) {
        if (rows() != 1) {
            throw new IllegalStateException("appendAllLogits needs a one-row session, this one has " + rows());
        }
        try (NDManager step = model.manager().newSubManager()) {
            NDArray hidden = run(new int[][] {tokens}, step);
            float[] flat = model.logits(hidden).toFloatArray();
            return split(flat, tokens.length, vocabSize());
        }
    }

    private NDArray run(int[][] tokens, NDManager step) {
        int rows = cache.rows();
        if (tokens.length != rows) {
            throw new IllegalArgumentException("expected tokens for " + rows + " rows, got " + tokens.length);
        }
        int t = 0;
        for (int[] row : tokens) {
            if (row.length == 0) {
                throw new IllegalArgumentException("every row needs at least one token");
            }
            t = Math.max(t, row.length);
        }
        int past = cache.length();
        int used = past + t;
        cache.reserve(used);
        long[] ids = new long[rows * t];
        int[] positions = new int[rows * t];
        boolean[][] real = new boolean[rows][t];
        for (int r = 0; r < rows; r++) {
            int pad = t - tokens[r].length;
            int pos = cache.nextPosition(r);
            for (int i = 0; i < t; i++) {
                boolean isReal = i >= pad;
                real[r][i] = isReal;
                ids[r * t + i] = isReal ? tokens[r][i - pad] : 0;
                positions[r * t + i] = isReal ? pos++ : 0;
            }
        }
        float masked = model.maskedValue(); // finite, as HF adds, so no row is ever all -inf
        float[] mask = new float[rows * t * used];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < t; i++) {
                int base = (r * t + i) * used;
                for (int s = 0; s < used; s++) {
                    boolean visible;
                    if (s < past) {
                        visible = cache.valid(r, s);
                    } else {
                        int j = s - past;
                        visible = j == i || (j < i && real[r][j]);
                    }
                    mask[base + s] = visible ? 0f : masked;
                }
            }
        }
        Shape maskShape = new Shape(rows, 1, t, used);
        NDArray[] rot = model.rotary(positions, rows, t, step);
        LlamaModel.StepInputs in = new LlamaModel.StepInputs(step.create(ids, new Shape(rows, t)), rot[0], rot[1],
                model.mask(mask, maskShape, step), rows, t);
        NDArray hidden = model.forward(in, cache, step);
        cache.commit(real, t);
        return hidden;
    }

    private static float[][] split(float[] flat, int rows, int vocab) {
        int per = flat.length / rows;
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = java.util.Arrays.copyOfRange(flat, r * per + per - vocab, r * per + per);
        }
        return out;
    }

    @Override
    public void select(int[] rows) {
        cache.select(rows);
    }

    @Override
    public int length(int row) {
        return cache.nextPosition(row);
    }

    @Override
    public void truncate(int row, int keep) {
        cache.truncate(row, keep);
    }

    @Override
    public CacheSnapshot snapshot(int row, int[] tokens) {
        return new LlamaCacheSnapshot(cache.copyRows(new int[] {row}), tokens.clone());
    }

    @Override
    public void close() {
        cache.close();
    }
}
