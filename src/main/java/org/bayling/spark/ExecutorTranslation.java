package org.bayling.spark;

import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.bayling.output.OutputSchema;
import org.bayling.translate.RowTranslation;
import org.bayling.translate.TranslationPlanner;
import org.bayling.translate.TranslationTask;
import org.bayling.translate.TurnOutput;

/**
 * Translation on executors, the same for all three faces (the job, the ML Transformer and SQL): rows
 * in, the same rows out with the {@link OutputSchema#RESULT} struct appended. A partition is read in groups of
 * {@link #ROWS_PER_CALL} rows; each group goes to one {@link TranslationPlanner} call on the executor's
 * shared engine ({@link ExecutorModelCache}), which checks, plans, batches and reassembles. Lazy: a
 * group is translated when the consumer reaches it.
 *
 * <p>Made on the driver by {@link #prepare} (the model is read, checked and distributed there), then
 * serialized into the tasks.
 */
public final class ExecutorTranslation implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Rows per planner call: enough for several full batches, few enough to keep memory and retries small. */
    static final int ROWS_PER_CALL = 256;

    /**
     * Where a row's request is. Column indexes, or -1: then the constant language applies; absent
     * follow-up and term columns mean none. Term and follow-up columns may be array&lt;string&gt; or string.
     */
    public record Columns(int text, int srcLang, String srcDefault, int tgtLang, String tgtDefault, int followups,
                          int terms) implements Serializable {
    }

    private final TranslationSettings settings;
    private final ModelSource model;
    private final LongAccumulator rowsDone;
    private final LongAccumulator outputTokens;
    private PeakRssAccumulator peakRss;

    private ExecutorTranslation(TranslationSettings settings, ModelSource model, LongAccumulator rowsDone,
                          LongAccumulator outputTokens) {
        this.settings = settings;
        this.model = model;
        this.rowsDone = rowsDone;
        this.outputTokens = outputTokens;
    }

    /**
     * Driver side, for a model already checked and distributed ({@link ModelSource#prepare}).
     *
     * @param rowsDone     counts finished rows (progress), or null
     * @param outputTokens counts generated tokens (progress), or null
     */
    public static ExecutorTranslation prepare(TranslationSettings settings, ModelSource model, LongAccumulator rowsDone,
                                        LongAccumulator outputTokens) {
        return new ExecutorTranslation(settings, model, rowsDone, outputTokens);
    }

    /** Driver side for the DataFrame faces: the model prepared once per application and model state. */
    public static ExecutorTranslation prepare(SparkSession spark, TranslationSettings settings) {
        return new ExecutorTranslation(settings, DriverModels.prepare(spark, settings), null, null);
    }

    public TranslationSettings settings() {
        return settings;
    }

    /** Executors report their peak resident size into {@code peaks} after each group of rows (driver side, before the job). */
    public ExecutorTranslation reportingPeakRss(PeakRssAccumulator peaks) {
        this.peakRss = peaks;
        return this;
    }

    /** The schema {@link #appendResults} produces: the input's columns and the result struct. */
    public static StructType resultSchema(StructType input, String resultColumn) {
        return input.add(resultColumn, OutputSchema.RESULT, true);
    }

    /**
     * The schema {@link #appendResultsOncePerKey} produces: the input's columns, the result struct, when and where
     * it was translated, and whether the row is the one its key was translated for.
     */
    public static StructType keyedResultSchema(StructType input, String resultColumn, String translatedColumn) {
        return resultSchema(input, resultColumn)
                .add(OutputSchema.TRANSLATED_AT, org.apache.spark.sql.types.DataTypes.TimestampType, true)
                .add(OutputSchema.EXECUTOR, OutputSchema.EXECUTOR_STRUCT, true)
                .add(translatedColumn, org.apache.spark.sql.types.DataTypes.BooleanType, false);
    }

    /** The partition function of the Transformer and SQL: every input row, in order, with its result struct appended. */
    public MapPartitionsFunction<Row, Row> appendResults(Columns columns) {
        return new AppendResults(this, columns, -1);
    }

    /**
     * The job's partition function, for rows sorted so that the rows of one key are next to each other: each
     * distinct non-null key (a request) is translated once, for its first row, and every row with that key gets the
     * result ({@link #keyedResultSchema}: the first row is marked, the others are served by dedup). Rows with a null
     * key are not translated: their result and executor are null, their time is when they were passed on. All rows
     * come out, in order.
     */
    public MapPartitionsFunction<Row, Row> appendResultsOncePerKey(Columns columns, int keyColumn) {
        if (keyColumn < 0) {
            throw new IllegalArgumentException("key column index must be >= 0, got " + keyColumn);
        }
        return new AppendResults(this, columns, keyColumn);
    }

    /** One result struct per task, in order (executor side). */
    public List<Row> translate(List<TranslationTask> tasks) {
        return translate(tasks, ExecutorModelCache.lease(settings, model)).results;
    }

    private record Translated(List<Row> results, int loadsInJvm) {
    }

    private Translated translate(List<TranslationTask> tasks, ExecutorModelCache.Lease lease) {
        // progress per engine call, not per group: accumulator values inside a running task reach the driver
        // with executor heartbeats (LiveProgress), so a long task visibly moves
        long[] rowsCounted = {0};
        TranslationPlanner planner = new TranslationPlanner(lease.engine(), settings.plannerSettings())
                .onBatch((prompts, rows, tokens) -> {
                    rowsCounted[0] += rows;
                    if (rowsDone != null) {
                        rowsDone.add(rows);
                    }
                    if (outputTokens != null) {
                        outputTokens.add(tokens);
                    }
                });
        List<RowTranslation> done = planner.translate(tasks);
        List<Row> rows = new ArrayList<>(done.size());
        for (int i = 0; i < done.size(); i++) {
            rows.add(struct(done.get(i), tasks.get(i)));
        }
        if (rowsDone != null) {
            rowsDone.add(tasks.size() - rowsCounted[0]); // rows that needed no engine call (checks, copies)
        }
        if (peakRss != null) {
            peakRss.record();
        }
        return new Translated(rows, lease.loadsInJvm());
    }

    private Row struct(RowTranslation r, TranslationTask task) {
        List<Row> turns = new ArrayList<>();
        for (TurnOutput t : r.turns()) {
            turns.add(RowFactory.create(t.instruction(), t.response(), t.finishReason()));
        }
        List<Row> alignment = new ArrayList<>();
        for (RowTranslation.TranslatedSegment s : r.segments()) {
            alignment.add(RowFactory.create(s.sourceStart(), s.sourceEnd(), s.targetStart(), s.targetEnd()));
        }
        boolean translated = r.ok();
        return RowFactory.create(r.translation(), r.status().name().toLowerCase(java.util.Locale.ROOT), r.error(),
                translated && settings.quality() ? QualityFields.of(r, task) : null,
                r.inputTokens(), r.outputTokens(), r.finishReason(), r.reusedPrefixTokens(),
                translated ? OutputSchema.seq(turns) : null, translated ? r.segments().size() : null,
                translated ? OutputSchema.seq(alignment) : null);
    }

    /** {@link #appendResults} and {@link #appendResultsOncePerKey}: reads groups of rows, translates each group. */
    private static final class AppendResults implements MapPartitionsFunction<Row, Row> {

        private static final long serialVersionUID = 1L;

        private final ExecutorTranslation translator;
        private final Columns columns;
        /** -1: every row is translated; else the key column of {@link #appendResultsOncePerKey}. */
        private final int keyColumn;

        AppendResults(ExecutorTranslation translator, Columns columns, int keyColumn) {
            this.translator = translator;
            this.columns = columns;
            this.keyColumn = keyColumn;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> input) {
            if (!input.hasNext()) {
                return input;
            }
            return new Iterator<>() {
                private Iterator<Row> current = List.<Row>of().iterator();
                private ExecutorModelCache.Lease lease;
                /** The last key of the previous group and what its rows got: its next rows may start this group. */
                private String carriedKey;
                private Object[] carried;

                @Override
                public boolean hasNext() {
                    while (!current.hasNext() && input.hasNext()) {
                        List<Row> group = new ArrayList<>(ROWS_PER_CALL);
                        while (input.hasNext() && group.size() < ROWS_PER_CALL) {
                            group.add(input.next());
                        }
                        current = (keyColumn < 0 ? everyRow(group) : oncePerKey(group)).iterator();
                    }
                    return current.hasNext();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return current.next();
                }

                private ExecutorModelCache.Lease lease() {
                    if (lease == null) { // a task whose rows are all untranslatable never loads the model
                        lease = ExecutorModelCache.lease(translator.settings, translator.model);
                    }
                    return lease;
                }

                private List<Row> everyRow(List<Row> rows) {
                    List<TranslationTask> tasks = new ArrayList<>(rows.size());
                    for (int i = 0; i < rows.size(); i++) {
                        tasks.add(task(rows.get(i), i));
                    }
                    List<Row> results = translator.translate(tasks, lease()).results();
                    List<Row> out = new ArrayList<>(rows.size());
                    for (int i = 0; i < rows.size(); i++) {
                        out.add(appended(rows.get(i), results.get(i)));
                    }
                    return out;
                }

                private List<Row> oncePerKey(List<Row> rows) {
                    String before = carriedKey;
                    Map<String, Integer> taskOf = new HashMap<>();
                    List<TranslationTask> tasks = new ArrayList<>();
                    for (Row r : rows) {
                        String key = key(r);
                        if (key != null && !key.equals(before) && !taskOf.containsKey(key)) {
                            taskOf.put(key, tasks.size());
                            tasks.add(task(r, tasks.size()));
                        }
                    }
                    Translated t = tasks.isEmpty() ? null : translator.translate(tasks, lease());
                    Timestamp now = new Timestamp(System.currentTimeMillis());
                    Row executor = t == null ? null : RowFactory.create(HOST, PID, t.loadsInJvm());
                    boolean[] sent = new boolean[tasks.size()];
                    Object[] carriedNow = carried;
                    List<Row> out = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        String key = key(r);
                        if (key == null) {
                            out.add(appended(r, null, now, null, false));
                        } else if (key.equals(before)) {
                            out.add(appended(r, carried));
                        } else {
                            int i = taskOf.get(key);
                            out.add(appended(r, t.results().get(i), now, executor, !sent[i]));
                            sent[i] = true;
                            carriedKey = key;
                            carriedNow = new Object[] {t.results().get(i), now, executor, false};
                        }
                    }
                    carried = carriedNow;
                    return out;
                }
            };
        }

        private String key(Row r) {
            return r.isNullAt(keyColumn) ? null : r.getString(keyColumn);
        }

        private static Row appended(Row r, Object... extra) {
            Object[] values = new Object[r.size() + extra.length];
            for (int c = 0; c < r.size(); c++) {
                values[c] = r.get(c);
            }
            System.arraycopy(extra, 0, values, r.size(), extra.length);
            return RowFactory.create(values);
        }

        private TranslationTask task(Row r, int index) {
            Columns c = columns;
            return new TranslationTask(Integer.toString(index), r.isNullAt(c.text()) ? null : r.get(c.text()).toString(),
                    c.srcLang() < 0 ? c.srcDefault() : r.getString(c.srcLang()),
                    c.tgtLang() < 0 ? c.tgtDefault() : r.getString(c.tgtLang()),
                    strings(r, c.followups()), strings(r, c.terms()));
        }

        /** An array&lt;string&gt; column, or a string column as one entry; empty when absent or null. */
        private static List<String> strings(Row r, int col) {
            if (col < 0 || r.isNullAt(col)) {
                return List.of();
            }
            Object v = r.get(col);
            return v instanceof String s ? List.of(s) : r.getList(col);
        }
    }

    private static final long PID = ProcessHandle.current().pid();
    private static final String HOST = host();

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
