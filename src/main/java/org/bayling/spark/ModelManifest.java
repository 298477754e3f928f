package org.bayling.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.bayling.output.OutputSchema;

/**
 * The files of a model directory with their sizes and SHA-256 digests, and the model's content hash
 * (SHA-256 over the sorted list). Built on the driver; executors verify their local copy against it.
 *
 * @param name  model name (last path component)
 * @param uri   where the model was read from (any Hadoop URI or local path)
 * @param files relative path, size and digest of every regular file, sorted by path
 * @param hash  content hash
 */
public record ModelManifest(String name, String uri, List<Entry> files, String hash) implements Serializable {

    public record Entry(String path, long size, String sha256) implements Serializable {
    }

    public long totalBytes() {
        return files.stream().mapToLong(Entry::size).sum();
    }

    public int maxFileBytes() {
        long m = files.stream().mapToLong(Entry::size).max().orElse(0);
        return m > Integer.MAX_VALUE - 16 ? -1 : (int) m;
    }

    /**
     * Lists and digests the model directory; any problem becomes an {@link IllegalArgumentException}
     * naming the model, so a bad model fails the job on the driver before any task runs.
     */
    public static ModelManifest read(String uri, Configuration conf) {
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(uri);
        try {
            FileSystem fs = root.getFileSystem(conf);
            FileStatus st;
            try {
                st = fs.getFileStatus(root);
            } catch (java.io.FileNotFoundException e) {
                throw new IllegalArgumentException("model " + uri + " does not exist");
            }
            if (!st.isDirectory()) {
                throw new IllegalArgumentException("model " + uri + " is not a directory (expected a Hugging Face "
                        + "model directory with config.json, tokenizer.json and weights)");
            }
            String rootPath = fs.makeQualified(root).toUri().getPath();
            List<Entry> entries = new ArrayList<>();
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
            while (it.hasNext()) {
                LocatedFileStatus f = it.next();
                String rel = f.getPath().toUri().getPath().substring(rootPath.length()).replaceAll("^/+", "");
                if (rel.startsWith(".") || rel.contains("/.")) {
                    continue;
                }
                try (InputStream in = fs.open(f.getPath())) {
                    entries.add(new Entry(rel, f.getLen(), sha256(in)));
                } catch (IOException e) {
                    throw new IllegalArgumentException("model file " + f.getPath() + " is unreadable: " + e, e);
                }
            }
            entries.sort(Comparator.comparing(Entry::path));
            if (entries.stream().noneMatch(e -> e.path().equals("config.json"))) {
                throw new IllegalArgumentException("model " + uri + " has no config.json: not a Hugging Face model directory");
            }
            StringBuilder sb = new StringBuilder();
            for (Entry e : entries) {
                sb.append(e.path()).append('\t').append(e.size()).append('\t').append(e.sha256()).append('\n');
            }
            return new ModelManifest(root.getName(), uri, List.copyOf(entries), OutputSchema.sha256(sb.toString()));
        } catch (IOException e) {
            throw new IllegalArgumentException("model " + uri + " is unreadable: " + e, e);
        }
    }

    /** True when {@code dir} holds exactly the manifest's files with the right digests. */
    public boolean verify(Path dir, boolean digests) {
        for (Entry e : files) {
            Path p = dir.resolve(e.path());
            try {
                if (!Files.isRegularFile(p) || Files.size(p) != e.size()) {
                    return false;
                }
                if (digests) {
                    try (InputStream in = Files.newInputStream(p)) {
                        if (!sha256(in).equals(e.sha256())) {
                            return false;
                        }
                    }
                }
            } catch (IOException ex) {
                return false;
            }
        }
        return true;
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (DigestInputStream din = new DigestInputStream(in, md)) {
            din.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void requireSame(String expected, String actual, String what) {
        if (!expected.equals(actual)) {
            throw new UncheckedIOException(new IOException("checksum mismatch for " + what + ": expected "
                    + expected + ", got " + actual));
        }
    }
}
