package org.bayling.spark.stream;

/** Another run holds the checkpoint's lock; the message says who, since when, and how to recover. */
public final class LockHeldException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LockHeldException(String message) {
        super(message);
    }
}
