package org.bayling.spark.ml;

import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.bayling.spark.InputChecks;
import org.bayling.spark.ModelSource;
import org.bayling.output.OutputSchema;
import org.bayling.spark.TranslateOptions;
import org.bayling.spark.TranslatePartition;

/**
 * Executor side of the DataFrame and SQL APIs: turns rows of (text, languages, terms) into
 * {@link TranslationResult} structs. Checks each row as the job's plan step does, copies same-language
 * rows, translates each distinct request once, and hands the requests to the job's own
 * {@link TranslatePartition} — so both APIs run the same length-sorted, token-budgeted batches on the
 * same per-executor engine ({@code ExecutorModelCache}, same cache key) as {@code TranslateJob}.
 *
 * <p>Made on the driver by {@link #prepare}, which reads and checks the model once (fails fast) and
 * picks how executors get it; then serialized into the tasks.
 */
public final class BatchTranslator implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * One row to translate.
     *
     * @param followups refinement instructions after the first translation (empty for none)
     * @param terms     target-language terms the translation must contain (empty for none)
     */
    public record Request(String text, String srcLang, String tgtLang, List<String> followups, List<String> terms) {

        public static Request of(String text, String srcLang, String tgtLang) {
            return new Request(text, srcLang, tgtLang, List.of(), List.of());
        }
    }

    private final TranslatePartition partition;
    private final boolean quality;

    private BatchTranslator(TranslatePartition partition, boolean quality) {
        this.partition = partition;
        this.quality = quality;
    }

    /** Driver side: model manifest and distribution (cached per session and model state), context length. */
    public static BatchTranslator prepare(SparkSession spark, TranslateOptions options, boolean quality) {
        ModelSource model = DriverModels.prepare(spark, options);
        int context = options.maxPromptTokens() > 0 ? options.maxPromptTokens()
                : contextLength(options.model(), spark.sparkContext().hadoopConfiguration());
        LongAccumulator done = DriverModels.accumulator(spark, "bayling.df.requests");
        LongAccumulator tokens = DriverModels.accumulator(spark, "bayling.df.outputTokens");
        return new BatchTranslator(new TranslatePartition(options, model, context, done, tokens), quality);
    }

    /** One {@link TranslationResult} row per request, in order. */
    public List<Row> translate(List<Request> requests) {
        Row[] out = new Row[requests.size()];
        Map<String, List<Integer>> byHash = new LinkedHashMap<>();
        List<Row> distinct = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            Request r = requests.get(i);
            String src = trim(r.srcLang());
            String tgt = trim(r.tgtLang());
            List<String> followups = clean(r.followups());
            String problem = InputChecks.problem(r.text(), src, tgt);
            for (int f = 0; problem == null && f < followups.size(); f++) {
                String p = InputChecks.textProblem(followups.get(f));
                problem = p == null ? null : "follow-up: " + p;
            }
            if (problem != null) {
                out[i] = TranslationResult.inputError(problem);
                continue;
            }
            if (src.toLowerCase(Locale.ROOT).equals(tgt.toLowerCase(Locale.ROOT))) {
                out[i] = TranslationResult.skipped(r.text());
                continue;
            }
            List<String> terms = clean(r.terms());
            String hash = InputChecks.requestHash(r.text(), src, tgt, followups, terms);
            List<Integer> same = byHash.computeIfAbsent(hash, h -> new ArrayList<>());
            if (same.isEmpty()) {
                distinct.add(RowFactory.create(hash, r.text(), src, tgt, OutputSchema.seq(followups), OutputSchema.seq(terms)));
            }
            same.add(i);
        }
        if (!distinct.isEmpty()) {
            Iterator<Row> results = partition.call(distinct.iterator());
            while (results.hasNext()) {
                Row res = results.next();
                Row struct = TranslationResult.fromResult(res, quality);
                for (int i : byHash.getOrDefault(res.getString(0), List.of())) {
                    out[i] = struct;
                }
            }
        }
        for (int i = 0; i < out.length; i++) {
            if (out[i] == null) {
                out[i] = TranslationResult.inputError("no result for this request");
            }
        }
        return Arrays.asList(out);
    }

    /** Null and blank entries dropped, as the job's plan step does. */
    private static List<String> clean(List<String> l) {
        return l == null ? List.of() : l.stream().filter(t -> t != null && !t.isBlank()).toList();
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }

    /** {@code max_position_embeddings} from the model's config.json (0 when absent: no check). */
    static int contextLength(String modelUri, Configuration conf) {
        Path p = new Path(modelUri, "config.json");
        try (InputStream in = p.getFileSystem(conf).open(p)) {
            var json = com.google.gson.JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .getAsJsonObject();
            return json.has("max_position_embeddings") ? json.get("max_position_embeddings").getAsInt() : 0;
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException("model " + modelUri + ": cannot read config.json: " + e, e);
        }
    }
}
