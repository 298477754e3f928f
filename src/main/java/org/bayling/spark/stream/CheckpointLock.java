package org.bayling.spark.stream;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * An exclusive lock on a checkpoint location: the file {@value #FILE} inside it, created atomically
 * (local filesystem: {@code O_CREAT|O_EXCL}; HDFS: {@code create(overwrite=false)}, one NameNode
 * operation) and holding who owns it (user, host, pid, run id, start time). The holder touches the
 * file's modification time every {@code staleAfter/4} (at most 30 s) and deletes it when done.
 *
 * <p>Stale locks (the holder died without cleaning up) are taken over, with a warning, when
 * <ul>
 *   <li>the holder ran on this host, in this PID namespace, and its process no longer exists; or</li>
 *   <li>the file was not touched for {@code staleAfter} (a holder that is alive touches it; 0 = never
 *       stale by age, remove the file by hand).</li>
 * </ul>
 * Taking over renames the stale file away first (atomic: one contender wins), checks that the renamed
 * file is the one judged stale, then creates a fresh lock exclusively. On object stores without an
 * atomic create-if-absent, keep checkpoints on HDFS or a local/NFS path.
 */
public final class CheckpointLock implements AutoCloseable {

    public static final String FILE = "_bayling.lock";
    private static final Gson GSON = new Gson();

    /** The lock file's content. */
    record Owner(String token, String user, String host, String pidNamespace, long pid, String runId,
                 String startedAt) {
        String describe() {
            return user + "@" + host + " pid " + pid + ", run " + runId + ", started " + startedAt;
        }
    }

    private final FileSystem fs;
    private final Path file;
    private final Owner owner;
    private final ScheduledExecutorService heartbeat;

    private CheckpointLock(FileSystem fs, Path file, Owner owner, Duration staleAfter) {
        this.fs = fs;
        this.file = file;
        this.owner = owner;
        long every = staleAfter.isZero() ? 30_000 : Math.max(50, Math.min(30_000, staleAfter.toMillis() / 4));
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bayling-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::touch, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lock on {@code checkpoint} (created if missing) or throws {@link LockHeldException}
     * naming the holder.
     */
    public static CheckpointLock acquire(String checkpoint, Configuration conf, Duration staleAfter, String runId,
                                         PrintStream console) {
        Path dir = new Path(checkpoint);
        try {
            FileSystem fs = dir.getFileSystem(conf);
            fs.mkdirs(dir);
            Path file = new Path(dir, FILE);
            Owner me = new Owner(UUID.randomUUID().toString(), System.getProperty("user.name"), hostName(),
                    pidNamespace(), ProcessHandle.current().pid(), runId, Instant.now().toString());
            for (int attempt = 0; attempt < 3; attempt++) {
                if (createExclusive(fs, file, me)) {
                    return new CheckpointLock(fs, file, me, staleAfter);
                }
                FileStatus st;
                try {
                    st = fs.getFileStatus(file);
                } catch (java.io.FileNotFoundException gone) {
                    continue; // released meanwhile: try again
                }
                Owner holder = read(fs, file);
                Duration idle = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - st.getModificationTime()));
                String why = staleReason(holder, idle, staleAfter);
                String who = holder == null ? "an unknown run (lock file unreadable)" : holder.describe();
                if (why == null) {
                    throw new LockHeldException("checkpoint " + checkpoint + " is locked by another run: " + who
                            + "; last heartbeat " + idle.toSeconds() + " s ago. Lock file: " + file
                            + (staleAfter.isZero() ? " (never considered stale: remove it if that run is gone)"
                            : " (considered stale after " + staleAfter.toSeconds() + " s without heartbeat,"
                            + " or at once if that process is gone from this host)"));
                }
                console.println("warning: taking over a stale lock on " + checkpoint + " (" + why + "): " + who);
                if (!breakStale(fs, file, holder)) {
                    continue; // someone else broke it first: look again
                }
            }
            throw new LockHeldException("checkpoint " + checkpoint + " lock " + file
                    + " keeps changing hands: another run is starting on it");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock checkpoint " + checkpoint + ": " + e, e);
        }
    }

    /** Why a lock is stale, or null when its holder may be alive. */
    static String staleReason(Owner holder, Duration idle, Duration staleAfter) {
        if (holder != null && holder.host().equals(hostName()) && holder.pidNamespace().equals(pidNamespace())
                && ProcessHandle.of(holder.pid()).map(p -> !p.isAlive()).orElse(true)) {
            return "its process " + holder.pid() + " is gone from this host";
        }
        if (!staleAfter.isZero() && idle.compareTo(staleAfter) > 0) {
            return "no heartbeat for " + idle.toSeconds() + " s";
        }
        return null;
    }

    public Path file() {
        return file;
    }

    /** Stops the heartbeat and deletes the lock file if it is still this run's. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            Owner now = read(fs, file);
            if (now != null && now.token().equals(owner.token())) {
                fs.delete(file, false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release lock " + file + ": " + e, e);
        }
    }

    private void touch() {
        try {
            Owner now = read(fs, file);
            if (now != null && now.token().equals(owner.token())) {
                fs.setTimes(file, System.currentTimeMillis(), -1);
            }
        } catch (IOException | RuntimeException e) {
            // a missed heartbeat only matters after staleAfter; the next one retries
        }
    }

    private static boolean createExclusive(FileSystem fs, Path file, Owner me) throws IOException {
        byte[] content = GSON.toJson(me).getBytes(StandardCharsets.UTF_8);
        java.nio.file.Path local = localPath(fs, file);
        if (local != null) {
            // write the content beside, then link it in: the lock appears atomically and complete
            java.nio.file.Path tmp = local.resolveSibling(FILE + "." + me.token() + ".tmp");
            Files.write(tmp, content);
            try {
                Files.createLink(local, tmp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException | IOException noLinks) {
                try {
                    Files.write(local, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    return true;
                } catch (FileAlreadyExistsException e) {
                    return false;
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        try (OutputStream out = fs.create(file, false)) {
            out.write(content);
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(file)) {
                return false; // some filesystems report "exists" as a plain IOException
            }
            throw e;
        }
    }

    /** Moves a stale lock away; false when it was already gone or turned out to be a fresh lock. */
    private static boolean breakStale(FileSystem fs, Path file, Owner stale) throws IOException {
        Path aside = new Path(file.getParent(), FILE + ".stale-" + UUID.randomUUID());
        java.nio.file.Path local = localPath(fs, file);
        if (local != null) {
            try {
                Files.move(local, localPath(fs, aside), StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                return false;
            }
        } else if (!fs.rename(file, aside)) {
            return false;
        }
        Owner moved = read(fs, aside);
        boolean same = stale == null ? moved == null : moved != null && moved.token().equals(stale.token());
        if (!same) {
            // a contender replaced the stale lock between our look and our rename: give it back
            fs.rename(aside, file);
            return false;
        }
        fs.delete(aside, false);
        return true;
    }

    static Owner read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            Owner o = GSON.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), Owner.class);
            return o == null || o.token() == null ? null : o;
        } catch (java.io.FileNotFoundException e) {
            return null;
        } catch (JsonParseException e) {
            return null; // being written, or not ours: treated as held by an unknown run
        }
    }

    private static java.nio.file.Path localPath(FileSystem fs, Path p) {
        if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
            return java.nio.file.Path.of(fs.makeQualified(p).toUri());
        }
        return null;
    }

    static String hostName() {
        String env = System.getenv("HOSTNAME");
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return env != null ? env : "unknown-host";
        }
    }

    static String pidNamespace() {
        try {
            return Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return "";
        }
    }
}
