package org.bayling.notebook;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Paths for notebooks, independent of the directory they run from: the project root (the directory
 * with {@code pom.xml} and {@code notebooks/}, found from the working directory upwards) and the
 * read-only {@code shared/} data beside it ({@code $BAYLING_SHARED} overrides).
 */
public final class Project {

    private Project() {
    }

    public static Path root() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.isRegularFile(q.resolve("pom.xml")) && Files.isDirectory(q.resolve("notebooks"))) {
                return q;
            }
        }
        throw new IllegalStateException("no project root (pom.xml with notebooks/) above " + p);
    }

    /** A path inside the project, e.g. {@code Project.path("samples/enzh-sample.jsonl")}. */
    public static Path path(String relative) {
        return root().resolve(relative);
    }

    /** A path inside {@code shared/}, e.g. {@code Project.shared("wmt22/enzh.src")}. */
    public static Path shared(String relative) {
        String env = System.getenv("BAYLING_SHARED");
        Path root = env != null ? Path.of(env) : root().resolve("../shared").normalize();
        return root.resolve(relative);
    }

    /** A scratch directory under {@code target/notebooks/} (created). */
    public static Path scratch(String name) {
        Path p = root().resolve("target/notebooks").resolve(name);
        try {
            Files.createDirectories(p.getParent());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return p;
    }
}
