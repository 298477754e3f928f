package org.bayling.output;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * A Dataset kept on the executors (memory, then disk) as an RDD of rows, instead of Spark SQL's cache
 * ({@code Dataset.persist}). Spark 4.2's SQL cache sends a {@code PartitionKeyedAccumulator} with every task
 * that reads it; that accumulator's {@code isZero} throws a NullPointerException while a task is still
 * deserializing it, and when an executor heartbeat lands in that moment the exception ends the executor's
 * heartbeat thread for good (a scheduled task that throws is never run again). From then on no accumulator
 * value reaches the driver before a task ends (progress stays at 0 for a whole task), and on a cluster the
 * driver drops the silent executor after {@code spark.network.timeout}. An RDD of rows carries no
 * accumulator; like the SQL cache, a lost block is recomputed from the lineage. Used by the job and by the
 * report on its output.
 */
public final class PersistedRows implements AutoCloseable {

    private final JavaRDD<Row> rdd;
    private final Dataset<Row> rows;

    private PersistedRows(JavaRDD<Row> rdd, Dataset<Row> rows) {
        this.rdd = rdd;
        this.rows = rows;
    }

    /** The rows of {@code d}, computed once when first used and kept until {@link #close}. */
    public static PersistedRows of(Dataset<Row> d) {
        JavaRDD<Row> rdd = d.javaRDD().persist(StorageLevel.MEMORY_AND_DISK());
        return new PersistedRows(rdd, d.sparkSession().createDataFrame(rdd, d.schema()));
    }

    public Dataset<Row> rows() {
        return rows;
    }

    @Override
    public void close() {
        rdd.unpersist(false);
    }
}
