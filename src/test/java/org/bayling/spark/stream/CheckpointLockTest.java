package org.bayling.spark.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint lock: exclusive, released, and stale locks (dead process, no heartbeat) taken over. */
class CheckpointLockTest {

    @TempDir
    Path tmp;

    private final Configuration conf = new Configuration();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    private CheckpointLock acquire(Duration staleAfter) {
        return CheckpointLock.acquire(tmp.resolve("ckpt").toString(), conf, staleAfter, "run-" + System.nanoTime(),
                new PrintStream(console, true));
    }

    private Path lockFile() {
        return tmp.resolve("ckpt").resolve(CheckpointLock.FILE);
    }

    private void plant(String host, long pid, long ageMillis) throws Exception {
        Files.createDirectories(lockFile().getParent());
        CheckpointLock.Owner o = new CheckpointLock.Owner("planted", "someone", host, CheckpointLock.pidNamespace(), pid,
                "old-run", "2026-01-01T00:00:00Z");
        Files.writeString(lockFile(), new Gson().toJson(o));
        Files.setLastModifiedTime(lockFile(), FileTime.fromMillis(System.currentTimeMillis() - ageMillis));
    }

    @Test
    void exclusiveUntilReleased() throws Exception {
        CheckpointLock first = acquire(Duration.ofMinutes(15));
        assertTrue(Files.exists(lockFile()));
        LockHeldException e = assertThrows(LockHeldException.class, () -> acquire(Duration.ofMinutes(15)));
        assertTrue(e.getMessage().contains("is locked by another run"), e.getMessage());
        assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
        assertTrue(e.getMessage().contains(lockFile().getFileName().toString()), e.getMessage());
        first.close();
        assertFalse(Files.exists(lockFile()), "released");
        acquire(Duration.ofMinutes(15)).close();
        try (var files = Files.list(lockFile().getParent())) {
            assertEquals(0, files.count(), "no temporary files left");
        }
    }

    @Test
    void lockOfADeadProcessOnThisHostIsTakenOver() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        plant(CheckpointLock.hostName(), p.pid(), 0);
        acquire(Duration.ZERO).close(); // even with no age limit
        assertTrue(console.toString().contains("taking over a stale lock"), console.toString());
        assertTrue(console.toString().contains("is gone from this host"), console.toString());
    }

    @Test
    void lockWithoutHeartbeatIsStaleOnlyAfterTheLimit() throws Exception {
        plant("another-host", 1234, Duration.ofMinutes(5).toMillis());
        LockHeldException e = assertThrows(LockHeldException.class, () -> acquire(Duration.ofMinutes(15)));
        assertTrue(e.getMessage().contains("someone@another-host pid 1234, run old-run"), e.getMessage());
        assertThrows(LockHeldException.class, () -> acquire(Duration.ZERO)); // 0 = never stale by age

        plant("another-host", 1234, Duration.ofMinutes(20).toMillis());
        try (CheckpointLock lock = acquire(Duration.ofMinutes(15))) {
            assertTrue(console.toString().contains("no heartbeat for"), console.toString());
            assertTrue(Files.readString(lockFile()).contains("\"pid\":" + ProcessHandle.current().pid()));
        }
    }

    @Test
    void holderKeepsItsLockFreshWithHeartbeats() throws Exception {
        try (CheckpointLock lock = acquire(Duration.ofMillis(400))) {
            Files.setLastModifiedTime(lockFile(), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
            Thread.sleep(600); // a few heartbeats
            long idle = System.currentTimeMillis() - Files.getLastModifiedTime(lockFile()).toMillis();
            assertTrue(idle < 400, "heartbeat touched the lock " + idle + " ms ago");
        }
    }

    @Test
    void unreadableLockCountsAsHeld() throws Exception {
        Files.createDirectories(lockFile().getParent());
        Files.writeString(lockFile(), "not a lock");
        LockHeldException e = assertThrows(LockHeldException.class, () -> acquire(Duration.ofMinutes(15)));
        assertTrue(e.getMessage().contains("unknown run"), e.getMessage());
    }
}
