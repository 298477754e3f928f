package org.bayling.prompt;

import java.io.Serializable;
import java.util.Objects;

/**
 * One finished exchange of a conversation: the user's instruction and the model's response, as
 * plain text (the template adds role markers and separators).
 */
public record Turn(String instruction, String response) implements Serializable {

    public Turn {
        Objects.requireNonNull(instruction, "instruction");
        Objects.requireNonNull(response, "response");
    }
}
