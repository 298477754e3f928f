package org.bayling.spark;

import org.bayling.translate.BaylingTranslationEngine;
import org.bayling.translate.EngineOptions;
import org.bayling.translate.TranslationEngine;

/** The BayLing engine (DJL PyTorch on CPU or GPU). */
public final class DefaultEngineFactory implements EngineFactory {

    @Override
    public TranslationEngine open(EngineOptions options) {
        return BaylingTranslationEngine.open(options);
    }
}
