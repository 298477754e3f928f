package org.bayling.generate;

/**
 * The KV cache of one finished sequence (its prompt and generated tokens), kept so a later turn of
 * the same conversation can continue from it instead of recomputing it. Owns native memory: close it.
 */
public interface CacheSnapshot extends AutoCloseable {

    /** The tokens whose keys/values the snapshot holds, in order. */
    int[] tokens();

    @Override
    void close();
}
