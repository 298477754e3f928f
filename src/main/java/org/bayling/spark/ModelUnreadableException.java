package org.bayling.spark;

/**
 * The model cannot be used: missing, not a Hugging Face model directory, unreadable, or not
 * distributable as configured. Raised on the driver before any task runs; the command line maps it to
 * its own exit code. An {@link IllegalArgumentException}, as every driver-side check of the job.
 */
public final class ModelUnreadableException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ModelUnreadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
