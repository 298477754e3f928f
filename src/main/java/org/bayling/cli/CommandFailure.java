package org.bayling.cli;

import java.io.PrintStream;
import org.bayling.model.ModelUnreadableException;
import org.bayling.spark.stream.LockHeldException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a command ends on an exception: its exit code ({@link ExitCodes}) and one line on stderr saying why; the
 * stack trace only with {@code --verbose}, else in the log at debug level (set {@code logger.bayling.level = debug}
 * for a log file that keeps it).
 */
final class CommandFailure {

    private static final Logger LOG = LoggerFactory.getLogger(CommandFailure.class);

    private CommandFailure() {
    }

    /**
     * 3 when a model problem is anywhere in the causes (an executor's load failure arrives wrapped in Spark's
     * job failure), 4 for a held lock, 2 for a driver-side check ({@link IllegalArgumentException}), else 1.
     */
    static int exitCode(Throwable e) {
        if (find(e, ModelUnreadableException.class) != null) {
            return ExitCodes.MODEL_UNREADABLE;
        }
        if (e instanceof LockHeldException) {
            return ExitCodes.LOCK_HELD;
        }
        if (e instanceof IllegalArgumentException) {
            return ExitCodes.BAD_CONFIGURATION;
        }
        return ExitCodes.FAILED;
    }

    /** Prints the one-line reason (and the trace with {@code verbose}); returns the exit code. */
    static int report(String command, Throwable e, PrintStream err, boolean verbose) {
        int code = exitCode(e);
        String line = switch (code) {
            case ExitCodes.MODEL_UNREADABLE -> "model unreadable: " + find(e, ModelUnreadableException.class).getMessage();
            case ExitCodes.LOCK_HELD, ExitCodes.BAD_CONFIGURATION -> e.getMessage();
            default -> "failed: " + describe(rootCause(e)) + " (--verbose for the stack trace)";
        };
        err.println(command + ": " + oneLine(line));
        if (verbose) {
            e.printStackTrace(err);
        } else {
            LOG.debug("{} failed", command, e);
        }
        return code;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    static String oneLine(String s) {
        String line = String.valueOf(s).replaceAll("\\s*[\\r\\n]+\\s*", " ");
        return line.length() > 2000 ? line.substring(0, 2000) + "..." : line;
    }
}
