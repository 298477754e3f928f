package org.bayling.predict;

import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.util.List;
import org.bayling.generate.GenerationConfig;
import org.bayling.generate.GenerationStrategy;
import org.bayling.model.BaylingModel;
import org.bayling.model.LlamaSession;

/**
 * The DJL {@link ai.djl.translate.Translator} of the BayLing predictor. Autoregressive decoding is a
 * loop of forward passes over a KV cache, not one block call, so the whole decode runs in
 * {@code processInput} (over the model's NDArrays) and the block between the two halves is the
 * identity; {@code processOutput} hands back the result. One request is one batch.
 */
public final class BaylingTranslator implements NoBatchifyTranslator<GenerationRequest, GenerationResult> {

    private static final String RESULT = "bayling.result";

    private final BaylingModel model;

    public BaylingTranslator(BaylingModel model) {
        this.model = model;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, GenerationRequest request) {
        ctx.setAttachment(RESULT, generate(model, request));
        return new NDList();
    }

    @Override
    public GenerationResult processOutput(TranslatorContext ctx, NDList list) {
        return (GenerationResult) ctx.getAttachment(RESULT);
    }

    /** Runs one request on a model (also usable without DJL's predictor plumbing). */
    public static GenerationResult generate(BaylingModel model, GenerationRequest request) {
        GenerationConfig config = model.resolve(request.config());
        List<int[]> prompts = request.prompts();
        int[] reused = new int[prompts.size()];
        try (LlamaSession session = model.decoder().newSession(prompts, request.seeds(), reused)) {
            var sequences = GenerationStrategy.forConfig(config, request.keepCaches())
                    .generate(session, prompts, config, request.stop());
            return new GenerationResult(sequences, reused);
        }
    }
}
