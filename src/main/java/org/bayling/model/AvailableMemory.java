package org.bayling.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Memory this process may use: physical memory ({@code /proc/meminfo} MemAvailable, else MemTotal) plus what
 * the process already holds, capped by its cgroup's limit (v2 {@code memory.max}, v1
 * {@code memory.limit_in_bytes}, less what the group already uses besides this process). The
 * {@code bayling.memory.limit} system property or {@code BAYLING_MEMORY_LIMIT} environment variable (e.g.
 * {@code 22g}) replaces the detected figure when set.
 *
 * @param bytes  bytes available, or -1 when nothing could be read (not Linux)
 * @param source where the figure comes from, e.g. {@code MemAvailable} or {@code cgroup memory.max}
 */
public record AvailableMemory(long bytes, String source) {

    public static final String PROPERTY = "bayling.memory.limit";
    public static final String ENV = "BAYLING_MEMORY_LIMIT";

    /** Unknown: every plan passes. */
    public boolean known() {
        return bytes >= 0;
    }

    /** What the running process may use. */
    public static AvailableMemory detect() {
        String override = System.getProperty(PROPERTY);
        if (override == null || override.isBlank()) {
            override = System.getenv(ENV);
        }
        return detect(Path.of("/proc"), Path.of("/sys/fs/cgroup"), override);
    }

    /** As {@link #detect()}, reading {@code proc} and {@code cgroup} roots (tests pass fake ones). */
    static AvailableMemory detect(Path proc, Path cgroup, String override) {
        long own = kib(proc.resolve("self/status"), "VmRSS:");
        own = own < 0 ? 0 : own * 1024;
        long best = -1;
        String source = null;
        long available = kib(proc.resolve("meminfo"), "MemAvailable:");
        String what = "MemAvailable";
        if (available < 0) {
            available = kib(proc.resolve("meminfo"), "MemTotal:");
            what = "MemTotal";
        }
        if (available >= 0) {
            best = available * 1024 + own;
            source = "physical memory (" + what + ")";
        }
        long[] group = cgroupLimit(proc, cgroup);
        if (group != null) {
            long free = group[0] - Math.max(0, group[1] - own);
            if (best < 0 || free < best) {
                best = free;
                source = "cgroup memory limit";
            }
        }
        if (override != null && !override.isBlank()) {
            best = parseSize(override.trim()); // the operator knows better (a shared host, a wrong cgroup reading)
            source = PROPERTY;
        }
        return new AvailableMemory(best, source == null ? "unknown" : source);
    }

    /** {limit, usage} of this process's memory cgroup (v2, else v1), or null when unlimited or unreadable. */
    private static long[] cgroupLimit(Path proc, Path cgroup) {
        String rel = "";
        try {
            for (String line : Files.readAllLines(proc.resolve("self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length == 3 && (f[0].equals("0") && f[1].isEmpty() || f[1].contains("memory"))) {
                    rel = f[2];
                    if (!f[0].equals("0")) {
                        long[] v1 = read(cgroup.resolve("memory").resolve(trim(rel)), "memory.limit_in_bytes",
                                "memory.usage_in_bytes");
                        if (v1 == null) {
                            v1 = read(cgroup.resolve("memory"), "memory.limit_in_bytes", "memory.usage_in_bytes");
                        }
                        return v1;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no cgroup information: physical memory only
        }
        long[] v2 = read(cgroup.resolve(trim(rel)), "memory.max", "memory.current");
        return v2 != null ? v2 : read(cgroup, "memory.max", "memory.current");
    }

    private static String trim(String rel) {
        return rel.startsWith("/") ? rel.substring(1) : rel;
    }

    private static long[] read(Path dir, String limitFile, String usageFile) {
        try {
            String limit = Files.readString(dir.resolve(limitFile)).trim();
            if (limit.equals("max")) {
                return null;
            }
            long l = Long.parseLong(limit);
            if (l >= (1L << 60)) { // v1's "unlimited" is a page-rounded Long.MAX_VALUE
                return null;
            }
            long used = Files.isRegularFile(dir.resolve(usageFile)) ? Long.parseLong(Files.readString(dir.resolve(usageFile)).trim()) : 0;
            return new long[] {l, used};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A {@code Key:   123 kB} line of a /proc file, in KiB; -1 when absent. */
    static long kib(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** This process's peak resident size so far (VmHWM), in bytes; -1 where unknown. */
    public static long peakRssBytes() {
        long k = kib(Path.of("/proc/self/status"), "VmHWM:");
        return k < 0 ? -1 : k * 1024;
    }

    /** This process's resident size now (VmRSS), in bytes; -1 where unknown. */
    public static long rssBytes() {
        long k = kib(Path.of("/proc/self/status"), "VmRSS:");
        return k < 0 ? -1 : k * 1024;
    }

    /** {@code 22g}, {@code 1500m}, {@code 512k}, {@code 1.5t}, or bytes (as Spark writes memory sizes; binary units). */
    public static long parseSize(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.endsWith("b") && v.length() > 1 && !Character.isDigit(v.charAt(v.length() - 2))) {
            v = v.substring(0, v.length() - 1); // 22gb -> 22g
        }
        long unit = 1;
        char last = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
        switch (last) {
            case 'k' -> unit = 1L << 10;
            case 'm' -> unit = 1L << 20;
            case 'g' -> unit = 1L << 30;
            case 't' -> unit = 1L << 40;
            default -> unit = 1;
        }
        String number = unit == 1 ? v : v.substring(0, v.length() - 1);
        try {
            double d = Double.parseDouble(number);
            if (!(d >= 0) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return (long) (d * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("memory size '" + s + "' is not a size like 22g, 1500m or 512k");
        }
    }
}
