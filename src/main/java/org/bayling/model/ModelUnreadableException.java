package org.bayling.model;

import org.bayling.model.checkpoint.CheckpointException;

/**
 * A model that cannot be used: missing, not a Hugging Face model directory, or a file in it unreadable or
 * inconsistent. The message is one line, {@code <model>/<file>: <reason>} with the model as the user named
 * it (never an executor's cache copy), which the command line prints after {@code model unreadable: } and
 * maps to its own exit code. An {@link IllegalArgumentException}, as every driver-side check of the job.
 */
public final class ModelUnreadableException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String model;
    private final String file;
    private final String reason;

    /** {@code file} relative to the model directory, or null when the problem is the directory itself. */
    public ModelUnreadableException(String model, String file, String reason, Throwable cause) {
        super(oneLine(model + (file == null || file.isEmpty() || file.equals(".") ? "" : "/" + file) + ": " + reason), cause);
        this.model = model;
        this.file = file;
        this.reason = reason;
    }

    /** A checkpoint problem of {@code model}: the file it names, made relative to the model directory. */
    public static ModelUnreadableException of(String model, String localDir, CheckpointException e) {
        String file = e.file();
        for (String root : new String[] {localDir, model}) {
            if (root != null && file.startsWith(root + "/")) {
                file = file.substring(root.length() + 1);
                break;
            }
        }
        return new ModelUnreadableException(model, file, e.problem(), e);
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    public String model() {
        return model;
    }

    public String file() {
        return file;
    }

    public String reason() {
        return reason;
    }
}
