package org.bayling.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.security.AccessControlException;
import org.bayling.output.OutputSchema;

/**
 * The input and output paths of a run, checked on the driver before anything is read or written, so that a
 * run never deletes or overwrites what it did not create: the input must exist and be readable; the output
 * must not be an existing file, must not lie inside the input (nor the input inside it), and an existing
 * output directory must be one this job wrote ({@code tgt_lang=*} partitions and {@code _}-files only).
 * Every problem is an {@link IllegalArgumentException} (exit code 2).
 */
public final class JobPaths {

    private JobPaths() {
    }

    public static void check(Configuration conf, TranslateOptions o) {
        List<Path> inputs = new ArrayList<>();
        for (String in : InputReader.inputPaths(o.input())) {
            inputs.add(checkInput(conf, in));
        }
        checkOutput(conf, o.output(), inputs);
    }

    /** The qualified path (for globs: the part before the first glob character) of one readable input. */
    private static Path checkInput(Configuration conf, String input) {
        Path p = new Path(input);
        try {
            FileSystem fs = p.getFileSystem(conf);
            if (isGlob(input)) {
                FileStatus[] matches = fs.globStatus(p);
                if (matches == null || matches.length == 0) {
                    throw new IllegalArgumentException("input " + input + " matches no files");
                }
                for (FileStatus m : matches) {
                    fs.access(m.getPath(), FsAction.READ);
                }
                return fs.makeQualified(globParent(p));
            }
            FileStatus st = fs.getFileStatus(p);
            fs.access(p, FsAction.READ);
            if (st.isDirectory()) {
                fs.listStatus(p); // a directory we cannot list fails here, not inside a task
            }
            return fs.makeQualified(p);
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("input " + input + " does not exist");
        } catch (AccessControlException e) {
            throw new IllegalArgumentException("input " + input + " is not readable: " + firstLine(e));
        } catch (UnsupportedFileSystemException e) {
            throw new IllegalArgumentException("input " + input + ": " + firstLine(e));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check input " + input + ": " + firstLine(e), e);
        }
    }

    private static void checkOutput(Configuration conf, String output, List<Path> inputs) {
        Path p = new Path(output);
        try {
            FileSystem fs = p.getFileSystem(conf);
            Path out = fs.makeQualified(p);
            for (Path in : inputs) {
                if (inside(out, in)) {
                    throw new IllegalArgumentException("--output " + output + " is inside the input " + in
                            + ": choose an output outside the input");
                }
                if (inside(in, out)) {
                    throw new IllegalArgumentException("the input " + in + " is inside --output " + output
                            + ": writing the output would replace the input");
                }
            }
            FileStatus st;
            try {
                st = fs.getFileStatus(p);
            } catch (FileNotFoundException e) {
                return; // a new output
            }
            if (!st.isDirectory()) {
                throw new IllegalArgumentException("--output " + output + " is an existing file; name a directory "
                        + "(the job writes Parquet partitions and _summary.json into it)");
            }
            for (FileStatus child : fs.listStatus(p)) {
                String name = child.getPath().getName();
                boolean ours = name.startsWith("_") || name.startsWith(".")
                        || (child.isDirectory() && name.startsWith(OutputSchema.PARTITION_BY + "="));
                if (!ours) {
                    throw new IllegalArgumentException("--output " + output + " is a directory this job did not write"
                            + " (it holds '" + name + "'): name a new or empty directory, or an earlier translate output");
                }
            }
        } catch (AccessControlException e) {
            throw new IllegalArgumentException("--output " + output + " is not accessible: " + firstLine(e));
        } catch (UnsupportedFileSystemException e) {
            throw new IllegalArgumentException("--output " + output + ": " + firstLine(e));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check output " + output + ": " + firstLine(e), e);
        }
    }

    /** Whether {@code p} is {@code dir} or lies under it (qualified paths). */
    static boolean inside(Path p, Path dir) {
        String a = p.toUri().normalize().toString().replaceAll("/+$", "");
        String b = dir.toUri().normalize().toString().replaceAll("/+$", "");
        return a.equals(b) || a.startsWith(b + "/");
    }

    private static boolean isGlob(String s) {
        return s.chars().anyMatch(c -> "*?[{\\".indexOf(c) >= 0);
    }

    private static Path globParent(Path p) {
        Path q = p;
        while (q.getParent() != null && isGlob(q.toUri().getPath())) {
            q = q.getParent();
        }
        return q;
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
