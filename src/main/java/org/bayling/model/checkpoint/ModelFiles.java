package org.bayling.model.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The files of one model directory, by name relative to it, wherever the directory lives (local here; a Hadoop
 * filesystem in the Spark layer). Lets a model be checked on the driver without copying it.
 */
public interface ModelFiles {

    /** The directory as the user named it, for messages. */
    String root();

    /** Whether the directory itself exists (as a directory). */
    boolean exists() throws IOException;

    /** Whether {@code name} is a regular file. */
    boolean isFile(String name) throws IOException;

    /** Positional reads of {@code name}; the source's {@link ByteSource#name()} is {@code name}. */
    ByteSource open(String name) throws IOException;

    /** A small text file whole; longer than {@code maxBytes} is an error naming the file. */
    default String readString(String name, long maxBytes) throws IOException {
        try (ByteSource s = open(name)) {
            long size = s.size();
            if (size > maxBytes) {
                throw new CheckpointException(name, "file is " + size + " bytes, more than the " + maxBytes
                        + " expected for it");
            }
            return new String(s.read(0, (int) size).array(), StandardCharsets.UTF_8);
        }
    }

    /** A local directory. */
    static ModelFiles local(Path dir) {
        return new ModelFiles() {
            @Override
            public String root() {
                return dir.toString();
            }

            @Override
            public boolean exists() {
                return Files.isDirectory(dir);
            }

            @Override
            public boolean isFile(String name) {
                return Files.isRegularFile(dir.resolve(name));
            }

            @Override
            public ByteSource open(String name) throws IOException {
                FileChannel channel;
                try {
                    channel = FileChannel.open(dir.resolve(name), StandardOpenOption.READ);
                } catch (IOException e) {
                    throw new CheckpointException(name, "cannot open: " + e.getMessage(), e);
                }
                ByteSource inner = ByteSource.of(channel, Path.of(name));
                return new ByteSource() {
                    @Override
                    public String name() {
                        return name;
                    }

                    @Override
                    public long size() throws IOException {
                        return channel.size();
                    }

                    @Override
                    public void readFully(long position, ByteBuffer into) throws IOException {
                        inner.readFully(position, into);
                    }

                    @Override
                    public void close() throws IOException {
                        channel.close();
                    }
                };
            }
        };
    }
}
