package org.bayling.model;

import java.util.Arrays;

/**
 * Turns tokens produced one at a time into text pieces without ever splitting a character: a
 * byte-fallback token that ends mid-way through a UTF-8 sequence decodes to U+FFFD, so the decoder
 * holds such a tail back until the following tokens complete it. Not thread-safe (one per sequence).
 */
public final class IncrementalDecoder {

    private final BaylingTokenizer tokenizer;
    private int[] tokens = new int[16];
    private int count;
    private int emitted; // characters of the full decode already returned

    public IncrementalDecoder(BaylingTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one token; returns the text it completes (possibly empty, never a partial character). */
    public String push(int token) {
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, count * 2);
        }
        tokens[count++] = token;
        String text = tokenizer.decode(Arrays.copyOf(tokens, count));
        int stable = text.length();
        while (stable > 0 && text.charAt(stable - 1) == '\uFFFD') {
            stable--; // an incomplete byte sequence: wait for the next token
        }
        if (stable <= emitted) {
            return "";
        }
        String piece = text.substring(emitted, stable);
        emitted = stable;
        return piece;
    }

    /** Everything not yet returned (a truly invalid trailing byte sequence comes out as U+FFFD here). */
    public String flush() {
        String text = tokenizer.decode(Arrays.copyOf(tokens, count));
        String rest = emitted < text.length() ? text.substring(emitted) : "";
        emitted = text.length();
        return rest;
    }
}
