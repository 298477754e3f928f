package org.bayling.model;

import ai.djl.engine.Engine;

/**
 * Loads DJL's PyTorch engine once, turning a missing or mismatched native library into a message
 * that says what to provide. DJL runs offline here: it never downloads native libraries.
 */
public final class PyTorchRuntime {

    static final String HINT = "The PyTorch native library could not be loaded. For CPU, keep "
            + "ai.djl.pytorch:pytorch-native-cpu:2.7.1 (classifier linux-x86_64) and ai.djl.pytorch:pytorch-jni:2.7.1-0.36.0 "
            + "on the classpath (the default build does). For GPUs, put the CUDA flavor of libtorch 2.7.1 on the machine "
            + "and set PYTORCH_LIBRARY_PATH to its lib directory (and PYTORCH_FLAVOR, e.g. cu124), or add the matching "
            + "pytorch-native-cu* artifact. DJL runs with ai.djl.offline=true and will not download it.";

    private PyTorchRuntime() {
    }

    /**
     * Sets PyTorch's intra-op thread count for this process (0 leaves the library default: one per
     * core). Several Spark tasks in one executor share the process, so each task asks for its share;
     * oversubscribed OpenMP threads spin against each other and can make decoding many times slower.
     */
    public static synchronized void setThreads(int threads) {
        engine();
        if (threads > 0 && ai.djl.pytorch.jni.JniUtils.getNumThreads() != threads) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
    }

    public static int threads() {
        engine();
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }

    /** The PyTorch engine, or an {@link IllegalStateException} explaining which artifact or variable is missing. */
    public static Engine engine() {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        try {
            return Engine.getEngine("PyTorch");
        } catch (RuntimeException | LinkageError e) {
            String env = System.getenv("PYTORCH_LIBRARY_PATH");
            throw new IllegalStateException(HINT + (env == null ? "" : " (PYTORCH_LIBRARY_PATH is set to " + env + ")")
                    + " Cause: " + e, e);
        }
    }
}
