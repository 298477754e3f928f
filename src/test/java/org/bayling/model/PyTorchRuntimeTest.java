package org.bayling.model;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bayling.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A missing native library fails with a message naming the artifact and PYTORCH_LIBRARY_PATH. */
class PyTorchRuntimeTest {

    @Test
    void missingNativeLibraryExplainsWhatToProvide(@TempDir Path empty) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the classpath without the native CPU artifact, and an empty DJL cache: nothing to load
        String classpath = java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("pytorch-native-cpu")).reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(List.of(javaBin, "-Dai.djl.offline=true", "-cp", classpath, "org.bayling.cli.BaylingCli", "generate",
                "--model", SharedData.fixture("tiny-llama2").toString(), "--input-ids", "1,2", "--max-new-tokens", "1"));
        pb.environment().put("DJL_CACHE_DIR", empty.resolve("djl-cache").toString()); // no previously extracted library
        pb.redirectErrorStream(true);
        pb.redirectOutput(empty.resolve("out.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "process finished");
        String out = java.nio.file.Files.readString(empty.resolve("out.txt"), StandardCharsets.UTF_8);
        assertNotEquals(0, p.exitValue(), out);
        assertTrue(out.contains("pytorch-native-cpu") && out.contains("PYTORCH_LIBRARY_PATH"), out);
    }
}
