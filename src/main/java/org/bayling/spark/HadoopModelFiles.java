package org.bayling.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bayling.model.ModelCheck;
import org.bayling.model.ModelConfig;
import org.bayling.model.ModelUnreadableException;
import org.bayling.model.checkpoint.ByteSource;
import org.bayling.model.checkpoint.CheckpointException;
import org.bayling.model.checkpoint.ModelFiles;

/**
 * A model directory on any Hadoop filesystem (HDFS, S3A, local) as {@link ModelFiles}: positional reads, so the
 * driver checks headers without copying the model.
 */
public final class HadoopModelFiles implements ModelFiles {

    private final String uri;
    private final FileSystem fs;
    private final Path root;

    private HadoopModelFiles(String uri, FileSystem fs, Path root) {
        this.uri = uri;
        this.fs = fs;
        this.root = root;
    }

    /** The model directory at {@code uri}; a missing path or a file is a {@link ModelUnreadableException}. */
    public static HadoopModelFiles of(String uri, Configuration conf) {
        Path root = new Path(uri);
        try {
            FileSystem fs = root.getFileSystem(conf);
            FileStatus st;
            try {
                st = fs.getFileStatus(root);
            } catch (FileNotFoundException e) {
                throw new ModelUnreadableException(uri, null, "does not exist", null);
            }
            if (!st.isDirectory()) {
                throw new ModelUnreadableException(uri, null, "is not a directory (expected a Hugging Face model "
                        + "directory with config.json, tokenizer.json and weights)", null);
            }
            return new HadoopModelFiles(uri, fs, root);
        } catch (IOException e) {
            throw new ModelUnreadableException(uri, null, "unreadable: " + e.getMessage(), e);
        }
    }

    /** {@link ModelCheck} on the model at {@code uri}: headers only, before anything is copied or loaded. */
    public static ModelConfig check(String uri, Configuration conf) {
        return ModelCheck.check(of(uri, conf));
    }

    @Override
    public String root() {
        return uri;
    }

    @Override
    public boolean exists() {
        return true; // checked by of()
    }

    @Override
    public boolean isFile(String name) throws IOException {
        try {
            return fs.getFileStatus(new Path(root, name)).isFile();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    @Override
    public ByteSource open(String name) throws IOException {
        Path p = new Path(root, name);
        FSDataInputStream in;
        long size;
        try {
            size = fs.getFileStatus(p).getLen();
            in = fs.open(p);
        } catch (IOException e) {
            throw new CheckpointException(name, "cannot open: " + e.getMessage(), e);
        }
        return new ByteSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long size() {
                return size;
            }

            @Override
            public void readFully(long position, ByteBuffer into) throws IOException {
                if (position < 0 || position + into.remaining() > size) {
                    throw new CheckpointException(name, "unexpected end of file: " + into.remaining() + " bytes at "
                            + position + " of " + size);
                }
                byte[] b = new byte[into.remaining()];
                in.readFully(position, b);
                into.put(b);
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }
}
