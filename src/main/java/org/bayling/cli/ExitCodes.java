package org.bayling.cli;

/**
 * Exit codes of {@code translate} (batch and {@code --incremental}), for schedulers: 0 and 5 leave a
 * committed output; 1 is worth an automatic retry; 2 and 3 need a person; 4 means another run is still
 * going. Repeated in {@code translate --help} (annotation constants), docs/operations.md and jobs/bayling.
 */
public final class ExitCodes {

    /** Done: every row is in the output (an incremental run that found nothing new also ends with 0). */
    public static final int OK = 0;
    /**
     * Unexpected failure (a Spark job failed, storage unreachable, ...): re-run the same command (batch runs
     * with {@code --mode resume}); committed rows are kept and not duplicated.
     */
    public static final int FAILED = 1;
    /** Bad configuration: invalid arguments or options, missing or unusable input (picocli's usage errors are 2 too). */
    public static final int BAD_CONFIGURATION = 2;
    /** The model cannot be used: missing, not a Hugging Face model directory, or unreadable. */
    public static final int MODEL_UNREADABLE = 3;
    /** Another run holds the checkpoint's lock (--incremental). */
    public static final int LOCK_HELD = 4;
    /** Output committed, but error rows exceed --max-error-fraction (or input files had to be left out). */
    public static final int PARTIAL_FAILURE = 5;

    private ExitCodes() {
    }
}
