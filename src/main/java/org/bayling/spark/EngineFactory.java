package org.bayling.spark;

import org.bayling.translate.EngineOptions;
import org.bayling.translate.TranslationEngine;

/**
 * Opens a {@link TranslationEngine} on an executor. Named by class in {@link TranslationSettings#engineFactory()}
 * (public, no-argument constructor) so executors in other JVMs can make one.
 */
public interface EngineFactory {

    TranslationEngine open(EngineOptions options);

    static EngineFactory load(String className) {
        try {
            return (EngineFactory) Class.forName(className, true, Thread.currentThread().getContextClassLoader())
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalArgumentException("cannot make engine factory " + className + ": " + e, e);
        }
    }
}
