package org.bayling.generate;

/** Decides whether generated tokens have produced a stop string (checked after every token). */
@FunctionalInterface
public interface StopCondition {

    StopCondition NEVER = generated -> false;

    boolean shouldStop(int[] generated);
}
