package org.bayling.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bayling.generate.GenerationConfig;
import org.bayling.translate.BaylingTranslationEngine;
import org.bayling.translate.EngineOptions;
import org.bayling.translate.TranslationEngine;
import org.bayling.translate.TranslationOutcome;
import org.bayling.translate.TranslationTask;

/**
 * Prefill tokens saved by reusing the shared prompt head's KV cache: translates the first rows of a
 * corpus (en→zh, greedy, few new tokens: the figure is about prompts) and counts prompt tokens reused.
 */
public final class PrefixReuseBenchmark {

    private PrefixReuseBenchmark() {
    }

    public static Map<String, Object> run(Path modelDir, Path corpus, int rows) throws Exception {
        List<String> lines = Files.readAllLines(corpus, StandardCharsets.UTF_8);
        List<TranslationTask> tasks = new ArrayList<>();
        for (int i = 0; i < Math.min(rows, lines.size()); i++) {
            tasks.add(TranslationTask.of(String.valueOf(i), lines.get(i), "en", "zh"));
        }
        GenerationConfig gen = GenerationConfig.builder().maxNewTokens(8).build();
        long start = System.nanoTime();
        long prompt = 0;
        long reused = 0;
        int ok = 0;
        try (TranslationEngine engine = BaylingTranslationEngine.open(EngineOptions.of(modelDir.toString(), gen))) {
            for (int i = 0; i < tasks.size(); i += 64) {
                for (TranslationOutcome o : engine.translate(tasks.subList(i, Math.min(tasks.size(), i + 64)).stream()
                        .map(engine::prompt).toList())) {
                    if (o.ok()) {
                        ok++;
                        prompt += o.inputTokens();
                        reused += o.reusedPrefixTokens();
                    }
                }
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("rows", tasks.size());
        r.put("ok_rows", ok);
        r.put("prompt_tokens", prompt);
        r.put("prefill_tokens_reused", reused);
        r.put("prefill_tokens_computed", prompt - reused);
        r.put("saved_fraction", DecoderBenchmark.round((double) reused / Math.max(1, prompt)));
        r.put("seconds", DecoderBenchmark.round((System.nanoTime() - start) / 1e9));
        return r;
    }
}
