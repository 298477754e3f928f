package org.bayling.generate;

import java.util.Locale;

/** Why a sequence ended: an EOS token, the {@code max_new_tokens} limit, or a stop string. */
public enum FinishReason {
    EOS, LENGTH, STOP;

    /** The lower-case name used in JSON and Parquet ({@code eos}, {@code length}, {@code stop}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
