package org.bayling.cli;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a command: the active one if there is one (kept open: a notebook's, a test's,
 * spark-submit's), else a new one — {@code local[*]} unless spark-submit already set {@code spark.master}
 * — stopped on close.
 */
record CommandSession(SparkSession spark, boolean owned) implements AutoCloseable {

    static CommandSession open(String app, String master, Map<String, String> conf) {
        boolean existing = SparkSession.getActiveSession().isDefined() || SparkSession.getDefaultSession().isDefined();
        SparkSession.Builder builder = SparkSession.builder().appName(app);
        if (master != null) {
            builder.master(master);
        } else if (!existing && !new SparkConf().contains("spark.master")) {
            builder.master("local[*]"); // embedded run; spark-submit sets spark.master itself
        }
        conf.forEach(builder::config);
        return new CommandSession(builder.getOrCreate(), !existing);
    }

    @Override
    public void close() {
        if (owned) {
            spark.stop();
        }
    }
}
