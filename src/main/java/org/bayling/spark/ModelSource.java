package org.bayling.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * How an executor gets a local copy of the model: {@link Broadcasted} (bytes shipped by Spark) or
 * {@link FromFilesystem} (copied from the model URI, or used in place when local). Made on the driver by
 * {@link #prepare}; {@link #localDir(String)} runs on executors.
 */
public sealed interface ModelSource extends Serializable {

    ModelManifest manifest();

    /** A local directory holding a verified copy of the model. */
    Path localDir(String cacheDir);

    /**
     * Checks the model on the driver ({@link HadoopModelFiles#check}: config, tokenizer, every tensor header;
     * fails fast with a {@link org.bayling.model.ModelUnreadableException}), then lists and digests it and picks
     * the distribution mode.
     */
    static ModelSource prepare(SparkSession spark, TranslationSettings o) {
        var conf = spark.sparkContext().hadoopConfiguration();
        HadoopModelFiles.check(o.model(), conf);
        ModelManifest manifest = ModelManifest.read(o.model(), conf);
        boolean broadcast = switch (o.distribution()) {
            case BROADCAST -> true;
            case FILESYSTEM -> false;
            case AUTO -> manifest.totalBytes() <= o.broadcastLimitBytes() && manifest.maxFileBytes() >= 0;
        };
        if (broadcast && manifest.maxFileBytes() < 0) {
            throw new IllegalArgumentException("model " + o.model() + " has a file over 2 GiB: "
                    + "use --distribution filesystem");
        }
        if (broadcast) {
            Map<String, byte[]> bytes = new HashMap<>();
            org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(o.model());
            try {
                FileSystem fs = root.getFileSystem(conf);
                for (ModelManifest.Entry e : manifest.files()) {
                    try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(root, e.path()))) {
                        byte[] b = in.readAllBytes();
                        ModelManifest.requireSame(e.sha256(), ModelManifest.sha256(b), o.model() + "/" + e.path());
                        bytes.put(e.path(), b);
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("model " + o.model() + " is unreadable: " + e, e);
            }
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            return new Broadcasted(manifest, jsc.broadcast(bytes));
        }
        return new FromFilesystem(manifest, new SerializableHadoopConf(conf));
    }

    /** Model bytes broadcast by Spark; executors write them into the local cache once. */
    record Broadcasted(ModelManifest manifest, Broadcast<Map<String, byte[]>> files) implements ModelSource {
        @Override
        public Path localDir(String cacheDir) {
            return LocalModelStore.materialize(manifest, cacheDir,
                    (e, target) -> Files.write(target, files.value().get(e.path())));
        }
    }

    /** Model read from its URI by each executor host; a local directory is used in place. */
    record FromFilesystem(ModelManifest manifest, SerializableHadoopConf conf) implements ModelSource {
        @Override
        public Path localDir(String cacheDir) {
            Path local = localPath(manifest.uri());
            if (local != null && Files.isDirectory(local) && manifest.verify(local, false)) {
                return local;
            }
            org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(manifest.uri());
            return LocalModelStore.materialize(manifest, cacheDir, (e, target) -> {
                FileSystem fs = root.getFileSystem(conf.get());
                try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(root, e.path()))) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            });
        }

        private static Path localPath(String uri) {
            try {
                java.net.URI u = new java.net.URI(uri);
                if (u.getScheme() == null) {
                    return Path.of(uri);
                }
                return "file".equals(u.getScheme()) ? Path.of(u) : null;
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                return null;
            }
        }
    }
}
