package org.bayling.quality.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * sacreBLEU-style reproducibility signature ({@code nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0}).
 * Key order follows sacreBLEU's {@code Signature.format()}: the global keys (nrefs, bs, seed), then the
 * metric-specific keys, and {@code version} last. The version field names the sacreBLEU release whose
 * behaviour this implementation reproduces (and was validated against), not a version of this code.
 */
public final class Signature {

    /** The sacreBLEU release reproduced by this package. */
    public static final String SACREBLEU_VERSION = "2.6.0";

    private final Map<String, String> info = new LinkedHashMap<>();

    private Signature() {
    }

    static Signature create(int numRefs, Integer nBootstrap, Long seed) {
        Signature s = new Signature();
        s.info.put("nrefs", numRefs < 0 ? "var" : Integer.toString(numRefs));
        if (nBootstrap != null) {
            s.info.put("bs", nBootstrap.toString());
        }
        if (seed != null) {
            s.info.put("seed", seed.toString());
        }
        return s;
    }

    Signature put(String key, String value) {
        info.put(key, value);
        return this;
    }

    Signature put(String key, boolean value) {
        return put(key, value ? "yes" : "no");
    }

    public String format() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : info.entrySet()) {
            sb.append(e.getKey()).append(':').append(e.getValue()).append('|');
        }
        return sb.append("version:").append(SACREBLEU_VERSION).toString();
    }

    @Override
    public String toString() {
        return format();
    }

    /** sacreBLEU's nrefs rule: the common number of non-null references per segment, or -1 ("var"). */
    static int countRefs(List<List<String>> references) {
        int common = -2;
        int n = references.isEmpty() ? 0 : references.get(0).size();
        for (int i = 0; i < n; i++) {
            int c = 0;
            for (List<String> stream : references) {
                if (stream.get(i) != null) {
                    c++;
                }
            }
            if (common == -2) {
                common = c;
            } else if (common != c) {
                return -1;
            }
        }
        return common == -2 ? references.size() : common;
    }
}
