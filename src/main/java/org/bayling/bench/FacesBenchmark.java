package org.bayling.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.bayling.generate.GenerationConfig;
import org.bayling.output.OutputSchema;
import org.bayling.spark.TranslateJob;
import org.bayling.spark.TranslateOptions;
import org.bayling.spark.TranslateSummary;
import org.bayling.spark.ml.TranslationTransformer;
import org.bayling.spark.sql.BaylingSqlExtensions;
import org.bayling.translate.TranslationUnit;

/**
 * The three faces side by side in one Spark session, on the same rows and settings: rows/s of the
 * job, the ML Transformer and the SQL function on the first {@code rows} lines of a corpus; then the
 * same sentences grouped into documents (paragraphs of six sentences, 200 to 5,000 words a row)
 * against the sentences as separate rows, by the job. Each figure is the median of three interleaved
 * rounds after a warm-up of every case; every run ends in a Parquet write.
 */
public final class FacesBenchmark {

    /** Words per document row, in turn: 200 to 5,000. */
    static final int[] DOCUMENT_WORDS = {200, 500, 1000, 2000, 5000};
    static final int REPEATS = 3;

    private FacesBenchmark() {
    }

    public static Map<String, Object> run(Path model, Path corpus, int rows, int documentWords, GenerationConfig gen,
                                          String master) throws Exception {
        List<String> lines = Files.readAllLines(corpus, StandardCharsets.UTF_8).subList(0, rows);
        Path dir = Files.createTempDirectory("bayling-faces-bench");
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("rows", rows);
        report.put("generation", Map.of("num_beams", gen.numBeams(), "max_new_tokens", gen.maxNewTokens()));
        report.put("master", master);
        SparkSession spark = SparkSession.builder().master(master).appName("bayling-faces-bench")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.extensions", BaylingSqlExtensions.class.getName()).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            int parallelism = spark.sparkContext().defaultParallelism();
            report.put("partitions_of_the_dataframe_input", parallelism);
            Path text = dir.resolve("sentences.jsonl");
            writeRows(text, lines);
            Supplier<TranslateOptions.Builder> job = () -> TranslateOptions.builder().srcLang("en").tgtLang("zh")
                    .model(model.toString()).generation(gen).cacheDir(dir.resolve("cache").toString())
                    .progressIntervalMs(3_600_000);
            Dataset<Row> df = spark.read().json(text.toString()).repartition(parallelism).cache();
            df.count();
            df.createOrReplaceTempView("lines");
            TranslationTransformer transformer = new TranslationTransformer().setInputCol("text").setSrcLang("en")
                    .setTgtLang("zh").setModel(model.toString()).setGeneration(gen)
                    .setCacheDir(dir.resolve("cache").toString()).setOutputCol("r");
            int[] k = {0};
            String sql = "SELECT id, bayling_translate(text, 'en', 'zh', map('model', '" + model + "', 'num_beams', '"
                    + gen.numBeams() + "', 'max_new_tokens', '" + gen.maxNewTokens() + "', 'cache_dir', '"
                    + dir.resolve("cache") + "')) AS r FROM lines";
            Map<String, Case> faces = new LinkedHashMap<>();
            faces.put("job", new Case(rows, () -> runJob(spark, job.get().input(text.toString()), dir)));
            faces.put("transformer", new Case(rows, () -> write(transformer.transform(df), dir.resolve("ml" + k[0]++))));
            faces.put("sql", new Case(rows, () -> write(spark.sql(sql), dir.resolve("sql" + k[0]++))));
            Map<String, Map<String, Object>> faceFigures = timedRounds(faces);
            Map<String, Object> jobFig = faceFigures.get("job");
            Map<String, Object> mlFig = faceFigures.get("transformer");
            Map<String, Object> sqlFig = faceFigures.get("sql");
            report.put("job", jobFig);
            report.put("transformer", mlFig);
            report.put("sql", sqlFig);
            double jobRate = (double) jobFig.get("rows_per_s");
            report.put("transformer_vs_job", DecoderBenchmark.round((double) mlFig.get("rows_per_s") / jobRate));
            report.put("sql_vs_job", DecoderBenchmark.round((double) sqlFig.get("rows_per_s") / jobRate));

            // documents: the same sentences, grouped into rows of 200..5,000 words
            List<String> all = Files.readAllLines(corpus, StandardCharsets.UTF_8);
            List<String> docs = new ArrayList<>();
            List<String> sentences = new ArrayList<>();
            int next = 0;
            int words = 0;
            for (int d = 0; words < documentWords; d++) {
                StringBuilder doc = new StringBuilder();
                int w = 0;
                for (int s = 0; w < DOCUMENT_WORDS[d % DOCUMENT_WORDS.length]; s++) {
                    String line = all.get(next++ % all.size());
                    sentences.add(line);
                    doc.append(line).append(s % 6 == 5 ? "\n\n" : " ");
                    w += line.split("\\s+").length;
                }
                docs.add(doc.toString().trim());
                words += w;
            }
            Path docFile = dir.resolve("documents.jsonl");
            Path sentenceFile = dir.resolve("document-sentences.jsonl");
            writeRows(docFile, docs);
            writeRows(sentenceFile, sentences);
            Map<String, Object> documents = new LinkedHashMap<>();
            documents.put("words", words);
            documents.put("document_rows", docs.size());
            documents.put("sentence_rows", sentences.size());
            Map<String, Case> shapes = new LinkedHashMap<>();
            shapes.put("sentences_as_rows", new Case(sentences.size(),
                    () -> runJob(spark, job.get().input(sentenceFile.toString()), dir)));
            shapes.put("documents_unit_auto", new Case(docs.size(),
                    () -> runJob(spark, job.get().input(docFile.toString()), dir)));
            shapes.put("documents_unit_sentence", new Case(docs.size(),
                    () -> runJob(spark, job.get().input(docFile.toString()).unit(TranslationUnit.SENTENCE), dir)));
            documents.putAll(timedRounds(shapes));
            for (String key : List.of("documents_unit_auto", "documents_unit_sentence")) {
                Map<?, ?> doc = (Map<?, ?>) documents.get(key);
                Map<?, ?> sent = (Map<?, ?>) documents.get("sentences_as_rows");
                documents.put(key + "_vs_sentences", Map.of(
                        "output_tokens_per_s", DecoderBenchmark.round((double) doc.get("output_tokens_per_s")
                                / (double) sent.get("output_tokens_per_s")),
                        "source_words_per_s", DecoderBenchmark.round((double) sent.get("seconds") / (double) doc.get("seconds"))));
            }
            report.put("documents", documents);
        } finally {
            spark.stop();
        }
        return report;
    }

    private static void writeRows(Path file, List<String> texts) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            sb.append(new com.google.gson.Gson().toJson(Map.of("id", "r" + i, "text", texts.get(i)))).append('\n');
        }
        Files.writeString(file, sb);
    }

    private static int runs;

    private static long runJob(SparkSession spark, TranslateOptions.Builder b, Path dir) {
        TranslateSummary s = new TranslateJob(spark, b.output(dir.resolve("job" + runs++).toString()).build(),
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream())).run();
        return s.outputTokens();
    }

    /** Output tokens of a written result (ok rows). */
    private static long write(Dataset<Row> translated, Path out) {
        translated.write().parquet(out.toString());
        return translated.sparkSession().read().parquet(out.toString())
                .agg(functions.sum("r." + OutputSchema.N_OUTPUT_TOKENS)).first().getLong(0);
    }

    /** One measured case: its input rows and a run that returns the output tokens. */
    private record Case(int rows, Supplier<Long> run) {
    }

    /**
     * A warm-up of every case, then {@link #REPEATS} interleaved rounds (each case once per round), so that no
     * case is favoured by running later (warmer JIT and native kernel caches) or earlier; medians per case.
     */
    private static Map<String, Map<String, Object>> timedRounds(Map<String, Case> cases) {
        cases.values().forEach(c -> c.run().get());
        Map<String, double[]> seconds = new LinkedHashMap<>();
        Map<String, Long> tokens = new LinkedHashMap<>();
        cases.keySet().forEach(name -> seconds.put(name, new double[REPEATS]));
        for (int r = 0; r < REPEATS; r++) {
            for (Map.Entry<String, Case> e : cases.entrySet()) {
                long t0 = System.nanoTime();
                tokens.put(e.getKey(), e.getValue().run().get());
                seconds.get(e.getKey())[r] = (System.nanoTime() - t0) / 1e9;
            }
        }
        Map<String, Map<String, Object>> figures = new LinkedHashMap<>();
        for (Map.Entry<String, Case> e : cases.entrySet()) {
            double[] runs = seconds.get(e.getKey());
            Map<String, Object> m = JobBenchmark.figures(JobBenchmark.median(runs), e.getValue().rows(), tokens.get(e.getKey()));
            m.put("runs_seconds", JobBenchmark.rounded(runs));
            figures.put(e.getKey(), m);
        }
        return figures;
    }
}
