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
 * @param dtype               compute dtype: {@code auto}, {@code f32}, {@code f16} or {@code bf16} (null: auto)
 * @param weights             weight storage: {@code auto}, {@code f32}, {@code f16}, {@code bf16} or {@code int8} (null: auto)
 */
public record EngineOptions(String modelDir, String device, int threads, GenerationConfig generation,
                            String template, String instructionLanguage, String dtype, String weights)
        implements Serializable {

    public EngineOptions {
        if (modelDir == null || modelDir.isBlank()) {
            throw new IllegalArgumentException("modelDir is required");
        }
        generation = generation == null ? GenerationConfig.bayling() : generation;
        instructionLanguage = instructionLanguage == null ? "en" : instructionLanguage;
        if (!instructionLanguage.equals("en") && !instructionLanguage.equals("zh")) {
            throw new IllegalArgumentException("instruction language must be 'en' or 'zh', got " + instructionLanguage);
        }
        dtype = dtype == null || dtype.isBlank() ? "auto" : dtype.trim();
        weights = weights == null || weights.isBlank() ? "auto" : weights.trim();
    }

    /** Throws {@link IllegalArgumentException} naming {@code --dtype} or {@code --weights} when a value is unknown. */
    public static void checkPrecision(String dtype, String weights) {
        org.bayling.model.Precision.resolve(dtype, weights, null, null);
    }

    public static EngineOptions of(String modelDir, GenerationConfig generation) {
        return new EngineOptions(modelDir, null, 0, generation, null, "en", "auto", "auto");
    }
}
