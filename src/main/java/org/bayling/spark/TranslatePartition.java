package org.bayling.spark;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.bayling.model.ModelUnreadableException;
import org.bayling.model.checkpoint.CheckpointException;
import org.bayling.output.OutputSchema;
import org.bayling.translate.TranslationEngine;
import org.bayling.translate.TranslationOutcome;
import org.bayling.translate.TranslationTask;
import org.bayling.translate.TurnOutput;

/**
 * Executor side of the job: translates one partition of distinct requests ({@link #REQUEST_COLUMNS})
 * into {@link OutputSchema#RESULT} rows, one per request. Works through the partition in chunks:
 * measures prompts, rejects those longer than the context, sorts by length, cuts batches under the
 * token budget and calls the executor's shared engine.
 */
public final class TranslatePartition implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    /** Columns of the request rows this function reads, in order. */
    public static final List<String> REQUEST_COLUMNS = List.of(OutputSchema.REQUEST_HASH, OutputSchema.SOURCE,
            OutputSchema.SRC_LANG, OutputSchema.TGT_LANG, OutputSchema.FOLLOWUPS, OutputSchema.TERMS);

    static final int CHUNK = 256;

    private final TranslateOptions options;
    private final ModelSource model;
    private final int maxPromptTokens;
    private final LongAccumulator requestsDone;
    private final LongAccumulator outputTokens;

    public TranslatePartition(TranslateOptions options, ModelSource model, int maxPromptTokens,
                              LongAccumulator requestsDone, LongAccumulator outputTokens) {
        this.options = options;
        this.model = model;
        this.maxPromptTokens = maxPromptTokens;
        this.requestsDone = requestsDone;
        this.outputTokens = outputTokens;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        if (!input.hasNext()) {
            return input;
        }
        ExecutorModelCache.Lease lease = lease();
        return new Iterator<>() {
            private Iterator<Row> current = List.<Row>of().iterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && input.hasNext()) {
                    List<Row> chunk = new ArrayList<>(CHUNK);
                    while (input.hasNext() && chunk.size() < CHUNK) {
                        chunk.add(input.next());
                    }
                    current = translate(lease, chunk).iterator();
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
        };
    }

    private ExecutorModelCache.Lease lease() {
        DeviceSelector.Choice device = DeviceSelector.forCurrentTask(options.device(), options.threadsPerTask());
        String key = String.join("|", model.manifest().hash(), device.device(), Integer.toString(device.threads()),
                OutputSchema.generationHash(options.generation()), String.valueOf(options.template()),
                options.instructionLanguage(), Integer.toString(options.maxBatchTokens()), options.dtype(), options.weights(),
                options.engineFactory());
        return ExecutorModelCache.get(key, () -> {
            String dir = model.localDir(options.cacheDir()).toString();
            try {
                return EngineFactory.load(options.engineFactory())
                        .open(options.engineOptions(dir, device.device(), device.threads()));
            } catch (RuntimeException e) {
                throw unreadable(e, dir);
            }
        });
    }

    /**
     * A load failure caused by a model file, reported against the user's model URI instead of this executor's
     * cache copy ({@code dir}); other failures pass unchanged.
     */
    private RuntimeException unreadable(RuntimeException e, String dir) {
        String uri = model.manifest().uri();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ModelUnreadableException m) {
                return m;
            }
            if (t instanceof CheckpointException c) {
                return ModelUnreadableException.of(uri, dir, c);
            }
            if (t instanceof java.io.IOException io) {
                String msg = String.valueOf(io.getMessage());
                int colon = msg.indexOf(": ");
                if (msg.startsWith(dir + "/") && colon > 0) { // "<dir>/<file>: reason", as the readers write it
                    return new ModelUnreadableException(uri, msg.substring(dir.length() + 1, colon),
                            msg.substring(colon + 2).replace(dir, uri), e);
                }
                return new ModelUnreadableException(uri, null, "cannot be loaded: " + msg.replace(dir, uri), e);
            }
        }
        return e;
    }

    private List<Row> translate(ExecutorModelCache.Lease lease, List<Row> rows) {
        TranslationEngine engine = lease.engine();
        List<TranslationTask> tasks = new ArrayList<>(rows.size());
        for (Row r : rows) {
            tasks.add(new TranslationTask(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
                    r.isNullAt(4) ? List.of() : r.getList(4), r.isNullAt(5) ? List.of() : r.getList(5)));
        }
        TranslationOutcome[] outcomes = new TranslationOutcome[tasks.size()];
        int[] lengths = new int[tasks.size()];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            lengths[i] = engine.promptTokens(tasks.get(i));
            if (maxPromptTokens > 0 && lengths[i] >= maxPromptTokens) {
                outcomes[i] = TranslationOutcome.failed(tasks.get(i).key(), "prompt has " + lengths[i]
                        + " tokens; the model context is " + maxPromptTokens + " tokens");
            } else {
                order.add(i);
            }
        }
        order.sort(Comparator.comparingInt(i -> lengths[i]));
        int start = 0;
        while (start < order.size()) {
            int end = start + 1;
            // sorted ascending: the last row of a batch is its longest, so the batch costs len * rows
            while (end < order.size() && (long) lengths[order.get(end)] * (end - start + 1) <= options.maxBatchTokens()) {
                end++;
            }
            List<Integer> idx = order.subList(start, end);
            List<TranslationTask> batch = idx.stream().map(tasks::get).toList();
            // engines are shared by the executor's concurrent tasks: TranslationEngine implementations used
            // here must be thread-safe (BaylingTranslationEngine is)
            List<TranslationOutcome> out = engine.translate(batch);
            if (out == null || out.size() != batch.size()) {
                throw new IllegalStateException("engine returned " + (out == null ? "null" : out.size())
                        + " outcomes for " + batch.size() + " tasks");
            }
            long tokens = 0;
            for (int j = 0; j < idx.size(); j++) {
                outcomes[idx.get(j)] = out.get(j);
                tokens += out.get(j).ok() ? out.get(j).outputTokens() : 0;
            }
            requestsDone.add(batch.size());
            outputTokens.add(tokens);
            start = end;
        }
        requestsDone.add(tasks.size() - order.size());
        Timestamp now = new Timestamp(System.currentTimeMillis());
        Row executor = RowFactory.create(HOST, PID, lease.loadsInJvm());
        List<Row> result = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            result.add(toRow(tasks.get(i), outcomes[i], now, executor));
        }
        return result;
    }

    private static Row toRow(TranslationTask task, TranslationOutcome o, Timestamp now, Row executor) {
        boolean ok = o.ok() && o.translation() != null;
        String error = o.ok() ? (ok ? null : "engine returned no translation") : nonEmpty(o.error());
        List<Row> turns = new ArrayList<>();
        for (TurnOutput t : o.turns()) {
            turns.add(RowFactory.create(t.instruction(), t.response(), t.finishReason()));
        }
        TurnOutput last = o.lastTurn();
        return RowFactory.create(task.key(), ok, error, ok ? o.translation() : null, OutputSchema.seq(turns), o.inputTokens(),
                o.outputTokens(), o.reusedPrefixTokens(), last == null ? null : last.finishReason(),
                QualityFields.of(o, task), now, executor);
    }

    private static String nonEmpty(String e) {
        return e == null || e.isBlank() ? "translation failed (no message)" : e;
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
