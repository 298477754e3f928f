package org.bayling.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bayling.SharedData;

/** The float64 Hugging Face reference outputs in {@code fixtures/<model>/golden.json}. */
public final class Golden {

    public final List<String> prompts = new ArrayList<>();
    public final List<JsonObject> cases = new ArrayList<>();

    public static Golden load(String fixture) throws IOException {
        Path file = SharedData.fixture(fixture).resolve("golden.json");
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            JsonObject o = JsonParser.parseReader(r).getAsJsonObject();
            Golden g = new Golden();
            o.getAsJsonArray("prompts").forEach(p -> g.prompts.add(p.getAsString()));
            o.getAsJsonArray("cases").forEach(c -> g.cases.add(c.getAsJsonObject()));
            return g;
        }
    }

    public static int[] ints(JsonArray a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).getAsInt();
        }
        return r;
    }

    public static double[] doubles(JsonArray a) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).getAsDouble();
        }
        return r;
    }
}
