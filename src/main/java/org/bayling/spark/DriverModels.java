package org.bayling.spark;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Driver-side memo of {@link ModelSource#prepare}: hashing (and maybe broadcasting) a model is done
 * once per Spark application and model state, not once per {@code transform} call or SQL query
 * analysis. The model state is a cheap listing (path, size, modification time); a changed
 * directory is hashed again.
 */
final class DriverModels {

    private static final Map<String, ModelSource> SOURCES = new ConcurrentHashMap<>();

    private DriverModels() {
    }

    static ModelSource prepare(SparkSession spark, TranslationSettings o) {
        String key = String.join("|", spark.sparkContext().applicationId(), o.model(), o.distribution().name(),
                Long.toString(o.broadcastLimitBytes()), listing(spark, o.model()));
        return SOURCES.computeIfAbsent(key, k -> ModelSource.prepare(spark, o));
    }

    private static String listing(SparkSession spark, String uri) {
        Path root = new Path(uri);
        try {
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(root)) {
                return "missing"; // ModelSource.prepare reports it
            }
            Map<String, String> files = new TreeMap<>();
            list(fs, root, files);
            return Integer.toHexString(files.hashCode()) + ":" + files.size();
        } catch (IOException e) {
            return "unreadable"; // ModelSource.prepare reports it
        }
    }

    /**
     * Path, size and modification time of every file under {@code dir}. Plain statuses, not {@code listFiles}: its
     * located statuses read each file's permissions, which the local file system does with one process per file.
     */
    private static void list(FileSystem fs, Path dir, Map<String, String> files) throws IOException {
        for (FileStatus f : fs.listStatus(dir)) {
            if (f.isDirectory()) {
                list(fs, f.getPath(), files);
            } else {
                files.put(f.getPath().toString(), f.getLen() + "@" + f.getModificationTime());
            }
        }
    }
}
