package org.bayling.spark;

import com.google.gson.GsonBuilder;
import java.util.Locale;

/**
 * What a run did, printed at the end and written as {@code _summary.json} beside the output.
 * Row, request and token counts are observed on the rows as they are written ({@link org.apache.spark.sql.Dataset#observe}):
 * Spark merges them once per committed partition, so task retries cannot inflate them. {@code alreadyDone}: input rows not translated because the output already
 * held them (resume: same model and generation; append: any row with the same id and occurrence);
 * {@code replacedErrorRows}: earlier error rows removed because this run translated them again
 * ({@code --retry-errors}); {@code outputRows}: every row in the output after this run (all runs).
 */
public record TranslateSummary(String runId, String output, String modelName, String modelHash,
                               String generation, long inputRows, long alreadyDone, long rowsWritten, long ok,
                               long errors, long skipped, long requests, long dedupSaved, long inputTokens,
                               long outputTokens, long reusedPrefixTokens, long replacedErrorRows, long outputRows,
                               double wallSeconds, String memory) {

    /** A summary without a memory record. */
    public TranslateSummary(String runId, String output, String modelName, String modelHash, String generation,
                            long inputRows, long alreadyDone, long rowsWritten, long ok, long errors, long skipped,
                            long requests, long dedupSaved, long inputTokens, long outputTokens, long reusedPrefixTokens,
                            long replacedErrorRows, long outputRows, double wallSeconds) {
        this(runId, output, modelName, modelHash, generation, inputRows, alreadyDone, rowsWritten, ok, errors, skipped,
                requests, dedupSaved, inputTokens, outputTokens, reusedPrefixTokens, replacedErrorRows, outputRows,
                wallSeconds, null);
    }

    /**
     * The same summary with its memory record: the plan (JSON of {@link ExecutorMemory.Result#toMap()}) and each
     * executor's measured peak resident size beside it.
     */
    public TranslateSummary withMemory(String memoryJson) {
        return new TranslateSummary(runId, output, modelName, modelHash, generation, inputRows, alreadyDone, rowsWritten,
                ok, errors, skipped, requests, dedupSaved, inputTokens, outputTokens, reusedPrefixTokens, replacedErrorRows,
                outputRows, wallSeconds, memoryJson);
    }

    public double outputTokensPerSecond() {
        return wallSeconds > 0 ? outputTokens / wallSeconds : 0;
    }

    public String toJson() {
        var o = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJsonTree(this).getAsJsonObject();
        o.addProperty("outputTokensPerSecond", outputTokensPerSecond());
        o.add("generation", com.google.gson.JsonParser.parseString(generation));
        o.remove("memory");
        if (memory != null) {
            o.add("memory", com.google.gson.JsonParser.parseString(memory));
        }
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o);
    }

    public String toText() {
        return String.format(Locale.ROOT, """
                translate run %s
                  rows: %d input, %d already in output (not translated again), %d written: %d ok, %d error, %d skipped
                  output: %d rows in all, %d earlier error rows replaced
                  requests: %d distinct translated, %d rows served by dedup
                  tokens: %d input, %d output, %d reused prefix
                  wall time %.1f s, %.1f output tokens/s
                  model %s (%s)
                  output %s""", runId, inputRows, alreadyDone, rowsWritten, ok, errors, skipped, outputRows,
                replacedErrorRows, requests,
                dedupSaved, inputTokens, outputTokens, reusedPrefixTokens, wallSeconds, outputTokensPerSecond(),
                modelName, modelHash, output);
    }
}
