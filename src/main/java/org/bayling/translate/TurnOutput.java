package org.bayling.translate;

import java.io.Serializable;

/**
 * What the model answered to one instruction of a conversation.
 *
 * @param instruction    the instruction text as sent (inside the template)
 * @param response       the cleaned response text
 * @param outputIds      generated token ids (EOS included when generation stopped on it)
 * @param tokenLogprobs  log-probability of each generated token
 * @param finishReason   {@code eos}, {@code length} or {@code stop}
 */
public record TurnOutput(String instruction, String response, int[] outputIds, float[] tokenLogprobs,
                         String finishReason) implements Serializable {
}
