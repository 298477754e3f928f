package org.bayling.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.bayling.generate.GenerationConfig;
import org.bayling.spark.TranslateJob;
import org.bayling.spark.TranslateOptions;
import org.bayling.spark.TranslateSummary;
import org.bayling.spark.TranslationSettings;
import org.bayling.translate.BaylingTranslationEngine;
import org.bayling.translate.EngineOptions;
import org.bayling.translate.TranslationEngine;
import org.bayling.translate.RowTranslation;
import org.bayling.translate.TranslationPlanner;
import org.bayling.translate.TranslationTask;

/**
 * The Spark job against the bare predictor on the same rows: rows/s and output tokens/s of the
 * planner and {@link BaylingTranslationEngine} called directly (one process, all cores) and of
 * {@link TranslateJob} on local Spark (read, plan, dedup, batches per partition, Parquet write,
 * summary and report included).
 */
public final class JobBenchmark {

    private JobBenchmark() {
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> run(Path model, Path corpus, int rows, GenerationConfig gen, String master)
            throws Exception {
        List<String> lines = Files.readAllLines(corpus, StandardCharsets.UTF_8).subList(0, rows);
        Path dir = Files.createTempDirectory("bayling-job-bench");
        Path input = dir.resolve("input.txt");
        Files.write(input, lines, StandardCharsets.UTF_8);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("rows", rows);
        report.put("generation", Map.of("num_beams", gen.numBeams(), "max_new_tokens", gen.maxNewTokens()));

        List<TranslationTask> tasks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            tasks.add(TranslationTask.of(String.valueOf(i), lines.get(i), "en", "zh"));
        }
        try (TranslationEngine engine = BaylingTranslationEngine.open(EngineOptions.of(model.toString(), gen))) {
            // the planner batches as the job's executors do (same budgets), without Spark around it
            TranslationPlanner planner = new TranslationPlanner(engine, TranslationSettings.builder()
                    .model(model.toString()).generation(gen).build().plannerSettings());
            planner.translate(tasks.subList(0, 16)); // warm-up, as the job's executors warm up on their first batch
            double[] runs = new double[REPEATS];
            long tokens = 0;
            for (int r = 0; r < REPEATS; r++) {
                long t0 = System.nanoTime();
                List<RowTranslation> out = planner.translate(tasks);
                runs[r] = (System.nanoTime() - t0) / 1e9;
                tokens = out.stream().mapToLong(RowTranslation::outputTokens).sum();
            }
            report.put("bare_predictor", figures(median(runs), rows, tokens));
            ((Map<String, Object>) report.get("bare_predictor")).put("runs_seconds", rounded(runs));
        }

        SparkSession spark = SparkSession.builder().master(master).appName("bayling-job-bench")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            TranslateOptions.Builder b = TranslateOptions.builder().input(input.toString())
                    .format(TranslateOptions.InputFormat.TEXT).srcLang("en").tgtLang("zh").model(model.toString())
                    .generation(gen).cacheDir(dir.resolve("cache").toString()).progressIntervalMs(60_000);
            // warm-up run (JIT, engine load on the executor), then the measured run
            TranslateJob.run(spark, b.output(dir.resolve("warm").toString()).build());
            double[] runs = new double[REPEATS];
            TranslateSummary s = null;
            for (int r = 0; r < REPEATS; r++) {
                long t0 = System.nanoTime();
                s = TranslateJob.run(spark, b.output(dir.resolve("out" + r).toString()).build());
                runs[r] = (System.nanoTime() - t0) / 1e9;
            }
            double seconds = median(runs);
            Map<String, Object> job = figures(seconds, rows, s.outputTokens());
            job.put("runs_seconds", rounded(runs));
            job.put("master", master);
            job.put("dedup_saved_rows", s.dedupSaved());
            job.put("reused_prefix_tokens", s.reusedPrefixTokens());
            report.put("spark_job", job);
            double bare = (double) ((Map<?, ?>) report.get("bare_predictor")).get("seconds");
            report.put("job_overhead_fraction", DecoderBenchmark.round((seconds - bare) / bare));
        } finally {
            spark.stop();
        }
        return report;
    }

    /** Each side runs this many times after its warm-up; the median is reported. */
    static final int REPEATS = 3;

    private static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }

    private static List<Double> rounded(double[] v) {
        List<Double> r = new ArrayList<>();
        for (double x : v) {
            r.add(DecoderBenchmark.round(x));
        }
        return r;
    }

    private static Map<String, Object> figures(double seconds, int rows, long tokens) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", DecoderBenchmark.round(seconds));
        m.put("rows_per_s", DecoderBenchmark.round(rows / seconds));
        m.put("output_tokens", tokens);
        m.put("output_tokens_per_s", DecoderBenchmark.round(tokens / seconds));
        return m;
    }
}
