package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DeviceSelectorTest {

    private static final String[] NONE = new String[0];

    @Test
    void sparkAssignedGpuWins() {
        assertEquals(new DeviceSelector.Choice("gpu:3", 4), DeviceSelector.select(null, new String[] {"3"}, 0, 4));
        assertEquals(new DeviceSelector.Choice("gpu:1", 2), DeviceSelector.select("auto", new String[] {"1", "2"}, 2, 4));
        assertEquals("gpu:0", DeviceSelector.select("gpu", new String[] {"0"}, 0, 1).device());
    }

    @Test
    void cpuWithThreadsWhenNoGpuAssigned() {
        assertEquals(new DeviceSelector.Choice("cpu", 4), DeviceSelector.select(null, NONE, 0, 4));
        assertEquals(new DeviceSelector.Choice("cpu", 8), DeviceSelector.select("auto", null, 8, 4));
        assertEquals(new DeviceSelector.Choice("cpu", 1), DeviceSelector.select(null, NONE, 0, 0));
    }

    @Test
    void explicitChoicesOverride() {
        assertEquals("cpu", DeviceSelector.select("cpu", new String[] {"0"}, 0, 1).device());
        assertEquals("gpu:5", DeviceSelector.select("gpu:5", new String[] {"0"}, 0, 1).device());
        assertEquals("gpu:0", DeviceSelector.select("gpu", NONE, 0, 1).device());
    }

    @Test
    void outsideATaskIsCpu() {
        assertEquals("cpu", DeviceSelector.forCurrentTask(null, 0).device());
    }
}
