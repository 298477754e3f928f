package org.bayling.quality.metrics;

/**
 * One metric's paired bootstrap comparison, mirroring what {@code sacrebleu --paired-bs} prints: the actual corpus
 * scores, the bootstrap mean and 95% confidence half-width of each system, and the p-value of the system against
 * the baseline.
 *
 * @param metric       metric name ({@code BLEU}, {@code chrF2}, {@code chrF2++}, {@code TER})
 * @param signature    metric signature including {@code bs:N|seed:S}
 * @param nSamples     number of bootstrap resamples
 * @param seed         seed of the NumPy-compatible generator
 * @param baselineScore actual baseline corpus score
 * @param baselineMean bootstrap mean of the baseline
 * @param baselineCi   half-width of the baseline's 95% interval ({@code 0.5 * (upper - lower)})
 * @param systemScore  actual system corpus score
 * @param systemMean   bootstrap mean of the system
 * @param systemCi     half-width of the system's 95% interval
 * @param pValue       {@code (c + 1) / (nSamples + 1)}, c = resamples whose centred |difference| exceeds the actual one
 */
public record PairedBootstrapResult(String metric, String signature, int nSamples, long seed,
                                    double baselineScore, double baselineMean, double baselineCi,
                                    double systemScore, double systemMean, double systemCi,
                                    double pValue) {

    /** Actual score difference, system minus baseline. */
    public double delta() {
        return systemScore - baselineScore;
    }
}
