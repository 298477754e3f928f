package org.bayling.model.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint file that cannot be read: the message always names the file and the problem. */
public class CheckpointException extends IOException {

    private final String file;
    private final String problem;

    public CheckpointException(Path file, String problem) {
        this(file.toString(), problem);
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        this(file.toString(), problem, cause);
    }

    public CheckpointException(String file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public CheckpointException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file as the reader named it. */
    public String file() {
        return file;
    }

    /** What is wrong with it, without the file name. */
    public String problem() {
        return problem;
    }
}
