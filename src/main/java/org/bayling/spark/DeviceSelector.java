package org.bayling.spark;

import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * Picks the DJL device for a task: the GPU Spark assigned to it ({@code spark.task.resource.gpu.amount}),
 * else CPU with the configured threads per task (default {@code spark.task.cpus}).
 */
public final class DeviceSelector {

    public record Choice(String device, int threads) {
    }

    private DeviceSelector() {
    }

    /**
     * @param configured   {@code null}/{@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}
     * @param gpuAddresses addresses Spark assigned to this task (empty when none)
     * @param threads      configured CPU threads per task (0 = {@code taskCpus})
     * @param taskCpus     {@code spark.task.cpus}
     */
    public static Choice select(String configured, String[] gpuAddresses, int threads, int taskCpus) {
        int cpuThreads = threads > 0 ? threads : Math.max(1, taskCpus);
        boolean assigned = gpuAddresses != null && gpuAddresses.length > 0;
        if (configured != null && configured.startsWith("gpu:")) {
            return new Choice(configured, cpuThreads); // explicit override
        }
        if ("cpu".equals(configured)) {
            return new Choice("cpu", cpuThreads);
        }
        if (assigned) {
            return new Choice("gpu:" + gpuAddresses[0].trim(), cpuThreads);
        }
        if ("gpu".equals(configured)) {
            return new Choice("gpu:0", cpuThreads);
        }
        return new Choice("cpu", cpuThreads);
    }

    /** Selection for the running Spark task (CPU outside a task). */
    public static Choice forCurrentTask(String configured, int threads) {
        TaskContext tc = TaskContext.get();
        if (tc == null) {
            return select(configured, new String[0], threads, 1);
        }
        Map<String, ResourceInformation> res = tc.resourcesJMap();
        ResourceInformation gpu = res == null ? null : res.get("gpu");
        return select(configured, gpu == null ? new String[0] : gpu.addresses(), threads, tc.cpus());
    }
}
