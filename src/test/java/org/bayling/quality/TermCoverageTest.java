package org.bayling.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bayling.SharedData;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TermCoverageTest {

    @Test
    void singleTranslation() {
        TermCoverage.Result r = TermCoverage.of("我已经查看了订单", List.of("我已经", "已经问过", "订单"));
        assertEquals(List.of("我已经", "订单"), r.found());
        assertEquals(List.of("已经问过"), r.missing());
        assertEquals(2.0 / 3, r.coverage(), 1e-12);
        assertEquals(1.0, TermCoverage.of("anything", List.of()).coverage());
        // exact match: no case folding or space normalisation
        assertTrue(TermCoverage.of("通过App与他联系", List.of("App 与")).missing().contains("App 与"));
    }

    @Test
    void constrainedEnzhBayling13b() throws Exception {
        Path file = SharedData.root().resolve("constrained/enzh.bayling-13b.jsonl");
        ObjectMapper json = new ObjectMapper();
        TermCoverage.Corpus corpus = new TermCoverage.Corpus();
        TermCoverage.Corpus half = new TermCoverage.Corpus();
        int n = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row = json.readTree(line);
                List<String> terms = new ArrayList<>();
                row.get("constraint").forEach(t -> terms.add(t.asText()));
                TermCoverage.Result res = TermCoverage.of(row.get("hypo").asText(), terms);
                (n++ % 2 == 0 ? corpus : half).add(res);
            }
        }
        corpus.merge(half);
        System.out.println("[term coverage] enzh.bayling-13b: " + corpus);
        assertEquals(2037, corpus.sentences());
        assertEquals(0.7990, Math.round(corpus.termFraction() * 10000) / 10000.0, 1e-9);
        assertEquals(0.6362, Math.round(corpus.sentenceFraction() * 10000) / 10000.0, 1e-9);
    }
}
