package org.bayling.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A host-local model cache: {@code <cacheDir>/<model hash>/} holds a verified copy of a model and
 * survives tasks and jobs. Filling it is safe when several tasks or executor JVMs start at once: an
 * in-JVM lock plus a file lock serialize writers, files go to a temporary directory, are checked
 * against the manifest's SHA-256 digests, and the directory is renamed into place atomically.
 */
public final class LocalModelStore {

    /** Writes one manifest file to {@code target}. */
    @FunctionalInterface
    public interface FileWriter {
        void write(ModelManifest.Entry entry, Path target) throws IOException;
    }

    private static final ConcurrentHashMap<String, Object> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final AtomicInteger FILLS = new AtomicInteger();
    private static final String COMPLETE = ".complete";

    private LocalModelStore() {
    }

    /** How many times this JVM filled a cache entry (tests). */
    public static int fills() {
        return FILLS.get();
    }

    public static Path materialize(ModelManifest manifest, String cacheDir, FileWriter writer) {
        Path root = Path.of(cacheDir);
        Path dir = root.resolve(manifest.hash());
        if (ready(manifest, dir)) {
            return dir;
        }
        Object jvmLock = JVM_LOCKS.computeIfAbsent(dir.toString(), k -> new Object());
        synchronized (jvmLock) {
            try {
                Files.createDirectories(root);
                try (FileChannel ch = FileChannel.open(root.resolve(manifest.hash() + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = ch.lock()) {
                    if (ready(manifest, dir)) {
                        return dir;
                    }
                    Path tmp = root.resolve(manifest.hash() + ".tmp-" + UUID.randomUUID());
                    try {
                        for (ModelManifest.Entry e : manifest.files()) {
                            Path target = tmp.resolve(e.path());
                            Files.createDirectories(target.getParent());
                            writer.write(e, target);
                            try (var in = Files.newInputStream(target)) {
                                ModelManifest.requireSame(e.sha256(), ModelManifest.sha256(in),
                                        manifest.uri() + "/" + e.path());
                            }
                        }
                        Files.writeString(tmp.resolve(COMPLETE), manifest.hash());
                        if (Files.exists(dir)) {
                            deleteRecursively(dir); // a stale or damaged copy
                        }
                        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                        FILLS.incrementAndGet();
                        return dir;
                    } finally {
                        if (Files.exists(tmp)) {
                            deleteRecursively(tmp);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot cache model " + manifest.uri() + " in " + dir + ": " + e, e);
            }
        }
    }

    private static boolean ready(ModelManifest manifest, Path dir) {
        return Files.isRegularFile(dir.resolve(COMPLETE)) && manifest.verify(dir, false);
    }

    static void deleteRecursively(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
