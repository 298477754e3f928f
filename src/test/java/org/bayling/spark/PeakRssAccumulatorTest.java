package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An executor heartbeat calls {@code isZero} on every accumulator of a running task, also on one the task is still
 * deserializing (Spark registers it before this subclass's fields are read). An exception there ends the executor's
 * heartbeat thread for good, and with it every progress count until tasks end (the flaky TranslateJobProgressTest:
 * Spark 4.2's SQL-cache accumulator threw exactly there).
 */
class PeakRssAccumulatorTest {

    @Test
    void halfDeserializedAccumulatorReadsAsZeroInsteadOfThrowing() throws Exception {
        // an instance whose constructor never ran: its fields are null, as in the middle of deserialization
        @SuppressWarnings("sunapi")
        var blank = sun.reflect.ReflectionFactory.getReflectionFactory().newConstructorForSerialization(
                PeakRssAccumulator.class, Object.class.getDeclaredConstructor());
        PeakRssAccumulator half = (PeakRssAccumulator) blank.newInstance();
        assertTrue(half.isZero());
        assertEquals(Map.of(), half.value());
    }

    @Test
    void recordsThisJvmsPeakAndResets() {
        PeakRssAccumulator a = new PeakRssAccumulator();
        assertTrue(a.isZero());
        a.add(0L);
        assertEquals(1, a.value().size(), "this JVM's figure: " + a.value());
        assertTrue(a.value().values().iterator().next() > 0);
        PeakRssAccumulator b = (PeakRssAccumulator) a.copy();
        b.merge(a);
        assertEquals(a.value(), b.value());
        a.reset();
        assertTrue(a.isZero());
    }
}
