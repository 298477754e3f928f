package org.bayling.model;

import org.bayling.generate.CacheSnapshot;

/** A one-row {@link KvCache} and the tokens it holds. */
final class LlamaCacheSnapshot implements CacheSnapshot {

    final KvCache cache;
    private final int[] tokens;

    LlamaCacheSnapshot(KvCache cache, int[] tokens) {
        this.cache = cache;
        this.tokens = tokens;
    }

    @Override
    public int[] tokens() {
        return tokens;
    }

    @Override
    public void close() {
        cache.close();
    }
}
