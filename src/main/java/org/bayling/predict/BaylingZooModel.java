package org.bayling.predict;

import ai.djl.Model;
import ai.djl.repository.zoo.ZooModel;
import org.bayling.generate.CacheSnapshot;
import org.bayling.model.BaylingModel;
import org.bayling.model.LlamaSession;

/**
 * The loaded BayLing model as a DJL {@link ZooModel}. Predictors from {@link #newPredictor()} are not
 * thread-safe (DJL's rule), but several predictors of one ZooModel may run at once on different
 * threads: each call decodes in its own session and the weights are only read.
 */
public final class BaylingZooModel extends ZooModel<GenerationRequest, GenerationResult> {

    private final BaylingModel bayling;

    BaylingZooModel(Model model, BaylingModel bayling) {
        super(model, new BaylingTranslator(bayling));
        this.bayling = bayling;
    }

    /**
     * The KV cache of a prompt head (for example the system prompt and instruction every prompt of a
     * corpus starts with), to pass as a {@link GenerationRequest} seed: the prompts that share it skip
     * recomputing it. Caller closes it.
     */
    public CacheSnapshot prefill(int[] head) {
        try (LlamaSession s = bayling.decoder().newSession(1)) {
            s.append(new int[][] {head});
            return s.snapshot(0, head);
        }
    }

    /** The loaded checkpoint behind this model (tokenizer, template, config, decoder). */
    public BaylingModel bayling() {
        return bayling;
    }

    @Override
    public void close() {
        bayling.close();
        super.close();
    }
}
