package org.bayling.quality.metrics;

/** A sacreBLEU BLEU tokenizer: turns a detokenized line into space-separated tokens (stateless, serializable for Spark closures). */
public interface Tokenizer extends java.io.Serializable {

    /** Tokenizes one (already right-stripped, optionally lower-cased) segment. */
    String tokenize(String line);

    /** The name used in the BLEU signature ({@code tok:13a}, {@code tok:zh}, ...). */
    String signature();
}
