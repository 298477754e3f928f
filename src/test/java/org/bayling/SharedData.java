package org.bayling;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the read-only {@code ../shared} folder (fixtures, WMT22 sets) that sits beside the clone. */
public final class SharedData {

    private SharedData() {
    }

    /** {@code $BAYLING_SHARED} if set, else {@code ../shared} relative to the project directory. */
    public static Path root() {
        String env = System.getenv("BAYLING_SHARED");
        Path root = env != null ? Path.of(env) : Path.of(System.getProperty("user.dir")).resolve("../shared").normalize();
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("shared data not found at " + root + " (set BAYLING_SHARED)");
        }
        return root;
    }

    public static Path fixture(String name) {
        return root().resolve("fixtures").resolve(name);
    }

    public static Path wmt22(String file) {
        return root().resolve("wmt22").resolve(file);
    }
}
