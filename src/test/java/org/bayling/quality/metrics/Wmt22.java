package org.bayling.quality.metrics;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bayling.SharedData;

/** Test access to the shared WMT22 files and sacreBLEU 2.6.0's recorded numbers (the oracle). */
final class Wmt22 {

    static final List<String> PAIRS = List.of("deen", "ende", "enzh", "zhen");
    static final List<String> SYSTEMS = List.of("bayling-13b", "gpt-4", "google-translate");

    private static final Map<Path, List<String>> CACHE = new ConcurrentHashMap<>();
    private static volatile JsonObject oracle;

    private Wmt22() {
    }

    static List<String> lines(Path p) {
        return CACHE.computeIfAbsent(p, k -> {
            try {
                return TextFiles.readLines(k);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static List<String> ref(String pair) {
        return lines(SharedData.wmt22(pair + ".ref"));
    }

    static Path hypPath(String system, String pair) {
        return SharedData.wmt22("systems/" + system + "/" + pair + ".hyp");
    }

    static List<String> hyp(String system, String pair) {
        return lines(hypPath(system, pair));
    }

    static String target(String pair) {
        return pair.substring(2);
    }

    static JsonObject oracle() {
        if (oracle == null) {
            try {
                oracle = JsonParser.parseString(Files.readString(SharedData.wmt22("sacrebleu-2.6.0.json"),
                        StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return oracle;
    }

    /** All (pair, system) entries of the oracle. */
    static List<JsonObject> entries() {
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : oracle().getAsJsonArray("scores")) {
            out.add(e.getAsJsonObject());
        }
        return out;
    }

    static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }
}
