package org.bayling.predict;

import java.util.List;
import org.bayling.generate.GeneratedSequence;

/**
 * What a {@link GenerationRequest} produced.
 *
 * @param sequences    per prompt, its sequences best first
 * @param reusedTokens per prompt, how many prompt tokens came from its seed instead of being recomputed
 */
public record GenerationResult(List<List<GeneratedSequence>> sequences, int[] reusedTokens) {
}
