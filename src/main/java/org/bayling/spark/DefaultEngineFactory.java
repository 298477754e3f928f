package org.bayling.spark;

import java.lang.reflect.InvocationTargetException;
import org.bayling.translate.EngineOptions;
import org.bayling.translate.TranslationEngine;

/** The BayLing engine (DJL PyTorch): {@code org.bayling.translate.BaylingTranslationEngine.open}. */
public final class DefaultEngineFactory implements EngineFactory {

    static final String ENGINE_CLASS = "org.bayling.translate.BaylingTranslationEngine";

    @Override
    public TranslationEngine open(EngineOptions options) {
        try {
            return (TranslationEngine) Class.forName(ENGINE_CLASS).getMethod("open", EngineOptions.class)
                    .invoke(null, options);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("cannot open model " + options.modelDir() + ": " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(ENGINE_CLASS + " is not on the classpath: " + e, e);
        }
    }
}
