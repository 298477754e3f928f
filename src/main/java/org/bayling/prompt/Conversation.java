package org.bayling.prompt;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An immutable conversation with a BayLing model: template, system prompt and finished turns.
 * {@link #prompt(String)} gives the text the model continues; {@link #withTurn} adds the answered
 * turn and returns a new conversation. Every prompt of a conversation is a string prefix of the
 * prompts of its continuations (see {@link ConversationTemplate}).
 */
public final class Conversation implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ConversationTemplate template;
    private final String system;
    private final List<Turn> turns;

    private Conversation(ConversationTemplate template, String system, List<Turn> turns) {
        this.template = Objects.requireNonNull(template, "template");
        this.system = Objects.requireNonNull(system, "system");
        this.turns = List.copyOf(turns);
    }

    /** An empty conversation with the template's default system prompt. */
    public static Conversation start(ConversationTemplate template) {
        return new Conversation(template, template.defaultSystem(), List.of());
    }

    public static Conversation start(ConversationTemplate template, String system) {
        return new Conversation(template, system, List.of());
    }

    /** This conversation plus one answered turn. */
    public Conversation withTurn(String instruction, String response) {
        return withTurn(new Turn(instruction, response));
    }

    public Conversation withTurn(Turn turn) {
        List<Turn> next = new ArrayList<>(turns.size() + 1);
        next.addAll(turns);
        next.add(Objects.requireNonNull(turn, "turn"));
        return new Conversation(template, system, next);
    }

    /** The prompt asking the model to answer {@code openInstruction} after the finished turns. */
    public String prompt(String openInstruction) {
        return template.render(system, turns, openInstruction);
    }

    /** System part and finished turns only: the reusable prefix of every later prompt. */
    public String prefix() {
        return template.renderPrefix(system, turns);
    }

    /** The system part alone, shared by every conversation with this template and system. */
    public String systemPrefix() {
        return template.renderSystem(system);
    }

    public ConversationTemplate template() {
        return template;
    }

    public String system() {
        return system;
    }

    public List<Turn> turns() {
        return turns;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Conversation c && c.template == template && c.system.equals(system) && c.turns.equals(turns);
    }

    @Override
    public int hashCode() {
        return Objects.hash(template, system, turns);
    }

    @Override
    public String toString() {
        return "Conversation[" + template.id() + ", " + turns.size() + " turns]";
    }
}
