package org.bayling.model;

/**
 * A model that cannot fit the memory a process may use, found before any weight is read. An
 * {@link IllegalArgumentException}: a configuration to change (exit 2), with a one-line message.
 */
public final class InsufficientMemoryException extends IllegalArgumentException {

    private final transient MemoryPlan plan;

    public InsufficientMemoryException(String message, MemoryPlan plan) {
        super(message);
        this.plan = plan;
    }

    public MemoryPlan plan() {
        return plan;
    }
}
