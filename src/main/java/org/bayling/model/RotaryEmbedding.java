package org.bayling.model;

/**
 * Rotary position embedding (HF {@code LlamaRotaryEmbedding}): inverse frequencies with optional
 * {@code linear} or {@code llama3} scaling, and cos/sin tables for given positions. Angles are computed
 * in float32 exactly as Hugging Face does ({@code inv_freq.float() @ positions.float()}), so our
 * positions rotate by the same float32 angles as the reference.
 */
public final class RotaryEmbedding {

    private final float[] invFreq;
    private final int headDim;

    public RotaryEmbedding(ModelConfig config) {
        this.headDim = config.headDim();
        this.invFreq = inverseFrequencies(config);
    }

    static float[] inverseFrequencies(ModelConfig config) {
        int dim = config.headDim();
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / dim;
            inv[i] = (float) (1.0 / (float) Math.pow(config.ropeTheta(), exponent));
        }
        ModelConfig.RopeScaling s = config.ropeScaling();
        if (s == null) {
            return inv;
        }
        if (s.type().equals("linear")) {
            for (int i = 0; i < inv.length; i++) {
                inv[i] = (float) (inv[i] / s.factor());
            }
            return inv;
        }
        // llama3: long wavelengths are slowed by `factor`, short ones kept, the band between interpolated.
        double lowFreqWavelen = s.originalMaxPositions() / s.lowFreqFactor();
        double highFreqWavelen = s.originalMaxPositions() / s.highFreqFactor();
        for (int i = 0; i < inv.length; i++) {
            double freq = inv[i];
            double wavelen = 2 * Math.PI / freq;
            double scaled = wavelen > lowFreqWavelen ? freq / s.factor() : freq;
            boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
            if (medium) {
                double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                scaled = (1 - smooth) * scaled / s.factor() + smooth * scaled;
            }
            inv[i] = (float) scaled;
        }
        return inv;
    }

    /**
     * Fills {@code cos} and {@code sin} (each {@code positions.length * headDim}) for the given positions,
     * laid out as HF's {@code cat(freqs, freqs)}.
     */
    public void table(int[] positions, float[] cos, float[] sin) {
        int half = headDim / 2;
        for (int p = 0; p < positions.length; p++) {
            float pos = positions[p];
            int base = p * headDim;
            for (int i = 0; i < half; i++) {
                float angle = invFreq[i] * pos;
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[base + i] = c;
                cos[base + half + i] = c;
                sin[base + i] = s;
                sin[base + half + i] = s;
            }
        }
    }

    /**
     * The matrix R with {@code x @ R == rotate_half(x) == cat(-x2, x1)}: entries are 0 and ±1, so the
     * product is exact and one matmul replaces two slices, a negation and a concatenation.
     */
    public float[] rotateHalfMatrix() {
        int half = headDim / 2;
        float[] r = new float[headDim * headDim];
        for (int i = 0; i < half; i++) {
            r[(half + i) * headDim + i] = -1f; // out[i] = -x[half + i]
            r[i * headDim + half + i] = 1f;    // out[half + i] = x[i]
        }
        return r;
    }

    public int headDim() {
        return headDim;
    }
}
