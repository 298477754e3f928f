package org.bayling.quality.eval;

import java.util.Locale;

/** How a references file given to {@code evaluate --references URI} is laid out. */
public enum ReferenceFormat {
    /** JSON lines with an id and a reference field. */
    JSONL,
    /** Parquet with an id and a reference column. */
    PARQUET,
    /** CSV with a header line (TSV when the name ends in {@code .tsv}). */
    CSV,
    /**
     * Plain text, one reference per line (split on {@code \n} only, like file-mode {@code evaluate}). Line N
     * (1-based) is the reference of the output row whose id is {@code N} or ends in {@code :N} (the job's ids
     * for text inputs are {@code <file name>:<line>}).
     */
    TEXT;

    public static ReferenceFormat parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown reference format '" + s + "' (jsonl, parquet, csv, text)");
        }
    }

    /** Guess from the name: {@code .jsonl/.json} → JSONL, {@code .csv/.tsv} → CSV, {@code .txt/.ref} → TEXT, else Parquet. */
    public static ReferenceFormat fromPath(String uri) {
        String p = uri.toLowerCase(Locale.ROOT);
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.endsWith(".jsonl") || p.endsWith(".json") || p.endsWith(".ndjson")) {
            return JSONL;
        }
        if (p.endsWith(".csv") || p.endsWith(".tsv")) {
            return CSV;
        }
        if (p.endsWith(".txt") || p.endsWith(".ref") || p.endsWith(".text")) {
            return TEXT;
        }
        return PARQUET;
    }
}
