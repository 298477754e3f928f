package org.bayling.translate;

import java.io.Serializable;
import org.bayling.generate.GenerationConfig;

/**
 * How to open a {@link TranslationEngine}.
 *
 * @param modelDir            local directory of a Hugging Face checkpoint
 * @param device              DJL device string: {@code cpu}, {@code gpu}, {@code gpu:1}; null picks GPU 0 if any, else CPU
 * @param threads             intra-op CPU threads for this engine (0 = library default)
 * @param generation          decoding parameters (EOS ids empty = from the model directory)
 * @param template            {@code bayling}, {@code bayling3}, or null to detect from the model directory
 * @param instructionLanguage {@code en} or {@code zh}: the language the translation instruction is written in
 */
public record EngineOptions(String modelDir, String device, int threads, GenerationConfig generation,
                            String template, String instructionLanguage) implements Serializable {

    public EngineOptions {
        if (modelDir == null || modelDir.isBlank()) {
            throw new IllegalArgumentException("modelDir is required");
        }
        generation = generation == null ? GenerationConfig.bayling() : generation;
        instructionLanguage = instructionLanguage == null ? "en" : instructionLanguage;
        if (!instructionLanguage.equals("en") && !instructionLanguage.equals("zh")) {
            throw new IllegalArgumentException("instruction language must be 'en' or 'zh', got " + instructionLanguage);
        }
    }

    public static EngineOptions of(String modelDir, GenerationConfig generation) {
        return new EngineOptions(modelDir, null, 0, generation, null, "en");
    }
}
