package org.bayling.spark;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import org.bayling.generate.GenerationConfig;
import org.bayling.translate.LanguageCodes;
import org.bayling.translate.TranslationUnit;

/**
 * What the batch job reads and writes — input, format, columns, glossary, output, write mode, commits,
 * run id — plus the {@link TranslationSettings} every face shares ({@link #translation()}). Parsed and
 * validated once on the driver; immutable and serializable. Build with {@link #builder()}; the builder
 * also takes the translation settings one by one.
 */
public final class TranslateOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Input layouts. Line-based formats (jsonl, csv, tsv, text) get stable ids from file + line number. */
    public enum InputFormat {
        PARQUET, JSONL, CSV, TSV, TEXT;

        public boolean lineBased() {
            return this != PARQUET;
        }

        public static InputFormat parse(String s) {
            String v = s.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "parquet" -> PARQUET;
                case "jsonl", "json", "ndjson" -> JSONL;
                case "csv" -> CSV;
                case "tsv" -> TSV;
                case "text", "txt" -> TEXT;
                default -> throw new IllegalArgumentException(
                        "unknown input format '" + s + "': use parquet, jsonl, csv, tsv or text");
            };
        }

        /** Guesses the format from a file name; parquet when nothing matches (a directory of part files). */
        public static InputFormat fromPath(String path) {
            String p = path.toLowerCase(Locale.ROOT).replaceAll("\\.(gz|bz2|zst|snappy)$", "");
            if (p.endsWith(".jsonl") || p.endsWith(".json") || p.endsWith(".ndjson")) {
                return JSONL;
            }
            if (p.endsWith(".csv")) {
                return CSV;
            }
            if (p.endsWith(".tsv")) {
                return TSV;
            }
            if (p.endsWith(".txt") || p.endsWith(".src") || p.endsWith(".text")) {
                return TEXT;
            }
            return PARQUET;
        }
    }

    /** What to do with an existing output. */
    public enum WriteMode {
        /** Replace the output. */
        OVERWRITE,
        /**
         * Add rows; existing rows stay. Input rows whose identity (id, occurrence) is already in the output, from
         * any run, are skipped and counted, so appending the same input twice adds nothing.
         */
        APPEND,
        /**
         * Append only rows whose identity (id, occurrence) is not yet in the output for the same model hash and
         * generation parameters (with {@code --retry-errors}: not yet there with a status other than error).
         */
        RESUME;

        public static WriteMode parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    /**
     * Input column names. Missing optional columns are fine: {@code id} is then derived, languages
     * come from the job defaults, followups/terms are empty, reference is null.
     */
    public record Columns(String id, String text, String srcLang, String tgtLang, String followups, String terms,
                          String reference) implements Serializable {
        public static Columns defaults() {
            return new Columns("id", "text", "src_lang", "tgt_lang", "followups", "terms", "reference");
        }

        public Columns {
            Objects.requireNonNull(text, "text column name is required");
        }
    }

    private final String input;
    private final InputFormat format;
    private final String output;
    private final String srcLang;
    private final String tgtLang;
    private final Columns columns;
    private final String glossary;
    private final WriteMode mode;
    private final boolean dedup;
    private final int partitions;
    private final long commitEvery;
    private final boolean retryErrors;
    private final String runId;
    private final long progressIntervalMs;
    private final TranslationSettings translation;

    private TranslateOptions(Builder b) {
        input = require(b.input, "--input is required");
        format = b.format != null ? b.format : InputFormat.fromPath(b.input);
        output = require(b.output, "--output is required");
        srcLang = blankToNull(b.srcLang);
        tgtLang = blankToNull(b.tgtLang);
        columns = b.columns != null ? b.columns : Columns.defaults();
        glossary = blankToNull(b.glossary);
        translation = b.translation.build();
        mode = b.mode != null ? b.mode : WriteMode.OVERWRITE;
        dedup = b.dedup;
        partitions = b.partitions;
        commitEvery = b.commitEvery;
        retryErrors = b.retryErrors;
        runId = b.runId != null ? b.runId : UUID.randomUUID().toString();
        progressIntervalMs = b.progressIntervalMs > 0 ? b.progressIntervalMs : 10_000;

        check(partitions >= 0, "--partitions must be >= 0 (0 = automatic), got " + partitions);
        check(commitEvery >= 0, "--commit-every must be >= 0 (0 = one commit), got " + commitEvery);
        check(!retryErrors || mode == WriteMode.RESUME, "--retry-errors needs --mode resume");
        if (srcLang != null) {
            check(LanguageCodes.isKnown(srcLang), "--src-lang '" + srcLang + "' is not a known language code");
        }
        if (tgtLang != null) {
            check(LanguageCodes.isKnown(tgtLang), "--tgt-lang '" + tgtLang + "' is not a known language code");
        }
        check(!output.equals(input), "--output must differ from --input");
    }

    private static String require(String v, String message) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(message);
        }
        return v;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.input = input;
        b.format = format;
        b.output = output;
        b.srcLang = srcLang;
        b.tgtLang = tgtLang;
        b.columns = columns;
        b.glossary = glossary;
        b.translation = translation.toBuilder();
        b.mode = mode;
        b.dedup = dedup;
        b.partitions = partitions;
        b.commitEvery = commitEvery;
        b.retryErrors = retryErrors;
        b.runId = null; // a new run gets a new id
        b.progressIntervalMs = progressIntervalMs;
        return b;
    }

    public String input() { return input; }
    public InputFormat format() { return format; }
    public String output() { return output; }
    public String srcLang() { return srcLang; }
    public String tgtLang() { return tgtLang; }
    public Columns columns() { return columns; }
    public String glossary() { return glossary; }
    public WriteMode mode() { return mode; }
    public boolean dedup() { return dedup; }
    public int partitions() { return partitions; }
    public long commitEvery() { return commitEvery; }
    /** Resume translates the rows the output holds as errors again and replaces those error rows. */
    public boolean retryErrors() { return retryErrors; }
    public String runId() { return runId; }
    public long progressIntervalMs() { return progressIntervalMs; }
    /** What translation needs: the same settings the Transformer and SQL take. */
    public TranslationSettings translation() { return translation; }

    @Override
    public String toString() {
        return "TranslateOptions{input=" + input + ", format=" + format + ", output=" + output + ", src=" + srcLang
                + ", tgt=" + tgtLang + ", mode=" + mode + ", runId=" + runId + ", " + translation + "}";
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String input;
        private InputFormat format;
        private String output;
        private String srcLang;
        private String tgtLang;
        private Columns columns;
        private String glossary;
        private TranslationSettings.Builder translation = TranslationSettings.builder();
        private WriteMode mode;
        private boolean dedup = true;
        private int partitions;
        private long commitEvery;
        private boolean retryErrors;
        private String runId;
        private long progressIntervalMs;

        public Builder input(String v) { input = v; return this; }
        public Builder format(InputFormat v) { format = v; return this; }
        public Builder output(String v) { output = v; return this; }
        public Builder srcLang(String v) { srcLang = v; return this; }
        public Builder tgtLang(String v) { tgtLang = v; return this; }
        public Builder columns(Columns v) { columns = v; return this; }
        public Builder glossary(String v) { glossary = v; return this; }
        public Builder mode(WriteMode v) { mode = v; return this; }
        public Builder dedup(boolean v) { dedup = v; return this; }
        public Builder partitions(int v) { partitions = v; return this; }
        public Builder commitEvery(long v) { commitEvery = v; return this; }
        public Builder retryErrors(boolean v) { retryErrors = v; return this; }
        public Builder runId(String v) { runId = v; return this; }
        public Builder progressIntervalMs(long v) { progressIntervalMs = v; return this; }
        /** All translation settings at once (replaces any set one by one before). */
        public Builder translation(TranslationSettings v) { translation = v.toBuilder(); return this; }

        // the translation settings one by one (see TranslationSettings)
        public Builder model(String v) { translation.model(v); return this; }
        public Builder distribution(TranslationSettings.Distribution v) { translation.distribution(v); return this; }
        public Builder broadcastLimitBytes(long v) { translation.broadcastLimitBytes(v); return this; }
        public Builder cacheDir(String v) { translation.cacheDir(v); return this; }
        public Builder generation(GenerationConfig v) { translation.generation(v); return this; }
        public Builder device(String v) { translation.device(v); return this; }
        public Builder dtype(String v) { translation.dtype(v); return this; }
        public Builder weights(String v) { translation.weights(v); return this; }
        public Builder threadsPerTask(int v) { translation.threadsPerTask(v); return this; }
        public Builder template(String v) { translation.template(v); return this; }
        public Builder instructionLanguage(String v) { translation.instructionLanguage(v); return this; }
        public Builder maxBatchTokens(int v) { translation.maxBatchTokens(v); return this; }
        public Builder maxPromptTokens(int v) { translation.maxPromptTokens(v); return this; }
        public Builder chunkTokens(int v) { translation.chunkTokens(v); return this; }
        public Builder unit(TranslationUnit v) { translation.unit(v); return this; }
        public Builder engineFactory(String v) { translation.engineFactory(v); return this; }

        public TranslateOptions build() {
            return new TranslateOptions(this);
        }
    }
}
