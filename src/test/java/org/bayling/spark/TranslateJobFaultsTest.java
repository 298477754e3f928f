package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bayling.output.OutputSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fault injection: retried tasks, a job killed part-way then resumed, unreadable models, glossary terms. */
class TranslateJobFaultsTest {

    @TempDir
    Path tmp;

    private TranslateOptions.Builder options(Path input) {
        return TranslateOptions.builder().input(input.toString()).format(TranslateOptions.InputFormat.TEXT)
                .output(tmp.resolve("out").toString()).srcLang("en").tgtLang("zh").model(SparkTestSupport.tinyModel())
                .engineFactory(FakeEngine.Factory.class.getName()).cacheDir(tmp.resolve("cache").toString());
    }

    private Path corpus(int n) {
        return SparkTestSupport.write(tmp.resolve("in/enzh.txt"), String.join("\n", SparkTestSupport.wmtLines(n)) + "\n");
    }

    private static List<String> ids(SparkSession spark, String output) {
        return spark.read().parquet(output).select(OutputSchema.ID).as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList();
    }

    @Test
    void taskFailingOnFirstAttemptIsRetriedWithoutDuplicateRows() {
        SparkSession spark = SparkTestSupport.spark();
        int before = FakeEngine.FlakyFactory.FAILURES.get();
        List<String> lines = new java.util.ArrayList<>(SparkTestSupport.wmtLines(29));
        lines.add("FAIL_ROW: the engine fails this one row");
        Path in = SparkTestSupport.write(tmp.resolve("in/enzh.txt"), String.join("\n", lines) + "\n");
        TranslateOptions o = options(in).engineFactory(FakeEngine.FlakyFactory.class.getName())
                .partitions(3).build();
        TranslateSummary s = new TranslateJob(spark, o, SparkTestSupport.quiet()).run();
        assertTrue(FakeEngine.FlakyFactory.FAILURES.get() > before, "the injected failure happened");
        List<String> ids = ids(spark, o.output());
        assertEquals(30, ids.size());
        assertEquals(30, new HashSet<>(ids).size());
        assertEquals(29, s.ok());
        assertEquals(1, s.errors());
        Row failed = spark.read().parquet(o.output()).where("status = 'error'").first();
        assertEquals("enzh.txt:30", failed.getAs(OutputSchema.ID));
        assertTrue(((String) failed.getAs(OutputSchema.ERROR)).startsWith("fake failure"));
    }

    @Test
    void jobKilledPartWayThenResumedEndsWithExactlyTheFullSet() {
        SparkSession spark = SparkTestSupport.spark();
        Path in = corpus(40);
        FakeEngine.CrashingFactory.SEEN.set(0);
        FakeEngine.CrashingFactory.LIMIT = 22;
        TranslateOptions crashing = options(in).engineFactory(FakeEngine.CrashingFactory.class.getName())
                .commitEvery(10).partitions(1).build();
        assertThrows(Exception.class, () -> new TranslateJob(spark, crashing, SparkTestSupport.quiet()).run());
        List<String> partial = ids(spark, crashing.output());
        assertFalse(partial.isEmpty(), "some chunks were committed before the crash");
        assertTrue(partial.size() < 40, "the crash stopped the job part-way: " + partial.size());
        assertEquals(partial.size(), new HashSet<>(partial).size());

        TranslateOptions resume = options(in).mode(TranslateOptions.WriteMode.RESUME).commitEvery(10).build();
        TranslateSummary s = new TranslateJob(spark, resume, SparkTestSupport.quiet()).run();
        assertEquals(partial.size(), s.alreadyDone());
        assertEquals(40 - partial.size(), s.rowsWritten());
        List<String> all = ids(spark, resume.output());
        assertEquals(40, all.size());
        assertEquals(40, new HashSet<>(all).size());

        // resuming a finished job writes nothing; a different generation config redoes everything
        TranslateSummary again = new TranslateJob(spark, resume.toBuilder().build(), SparkTestSupport.quiet()).run();
        assertEquals(0, again.rowsWritten());
        TranslateSummary other = new TranslateJob(spark, resume.toBuilder()
                .generation(org.bayling.generate.GenerationConfig.builder().maxNewTokens(7).build()).build(),
                SparkTestSupport.quiet()).run();
        assertEquals(40, other.rowsWritten());
    }

    /** JSON lines {@code {"id": "<i % distinctIds>", "text": "<wmt line i>"}}: every id on several rows. */
    private Path duplicateIds(String name, int n, int distinctIds) {
        List<String> lines = SparkTestSupport.wmtLines(n);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            com.google.gson.JsonObject o = new com.google.gson.JsonObject();
            o.addProperty("id", "d" + (i % distinctIds));
            o.addProperty("text", "row " + i + ": " + lines.get(i));
            b.append(o).append('\n');
        }
        return SparkTestSupport.write(tmp.resolve("dup/" + name), b.toString());
    }

    private TranslateOptions.Builder jsonl(Path input) {
        return options(input).format(TranslateOptions.InputFormat.JSONL);
    }

    /** (id, occurrence, source) of every output row; asserts each (id, occurrence) once. */
    private static Set<String> rowIdentities(SparkSession spark, String output) {
        Set<String> keys = new HashSet<>();
        Set<String> rows = new HashSet<>();
        for (Row r : spark.read().parquet(output).collectAsList()) {
            String key = r.getAs(OutputSchema.ID) + "#" + r.getAs(OutputSchema.OCCURRENCE);
            assertTrue(keys.add(key), "(id, occurrence) twice: " + key);
            rows.add(key + " " + r.getAs(OutputSchema.SOURCE));
        }
        return rows;
    }

    /** Every input row as (id, occurrence, source): occurrence counts the id's rows in input order. */
    private static Set<String> expectedIdentities(int n, int distinctIds) {
        List<String> lines = SparkTestSupport.wmtLines(n);
        Set<String> rows = new HashSet<>();
        for (int i = 0; i < n; i++) {
            rows.add("d" + (i % distinctIds) + "#" + (i / distinctIds + 1) + " row " + i + ": " + lines.get(i));
        }
        return rows;
    }

    /**
     * Issue 15: resume skipped rows by id, so after a kill, a row whose id a committed row shared was skipped,
     * i.e. lost. Resume now keys on (id, occurrence): the killed-and-resumed output is exactly the input.
     */
    @Test
    void duplicateIdsAreNeitherLostNorDuplicatedByKillAndResume() {
        SparkSession spark = SparkTestSupport.spark();
        Path in = duplicateIds("in.jsonl", 40, 8); // each id on 5 rows
        FakeEngine.CrashingFactory.SEEN.set(0);
        FakeEngine.CrashingFactory.LIMIT = 22;
        TranslateOptions crashing = jsonl(in).engineFactory(FakeEngine.CrashingFactory.class.getName())
                .commitEvery(10).partitions(1).build();
        assertThrows(Exception.class, () -> new TranslateJob(spark, crashing, SparkTestSupport.quiet()).run());
        Set<String> partial = rowIdentities(spark, crashing.output());
        assertTrue(!partial.isEmpty() && partial.size() < 40, "killed part-way: " + partial.size());

        TranslateOptions resume = jsonl(in).mode(TranslateOptions.WriteMode.RESUME).commitEvery(10).build();
        TranslateSummary s = new TranslateJob(spark, resume, SparkTestSupport.quiet()).run();
        assertEquals(partial.size(), s.alreadyDone());
        assertEquals(40 - partial.size(), s.rowsWritten());
        assertEquals(40, s.outputRows());
        assertEquals(expectedIdentities(40, 8), rowIdentities(spark, resume.output()));
    }

    /**
     * Issue 15: {@code --mode append} twice on the same input wrote every row twice without a word while
     * {@code _summary.json} counted one run. Append now skips rows whose (id, occurrence) the output holds, says
     * how many, and the summary counts the rows really in the output.
     */
    @Test
    void appendingTheSameInputTwiceSkipsTheRowsAlreadyThereAndSaysSo() throws Exception {
        SparkSession spark = SparkTestSupport.spark();
        Path in = duplicateIds("in.jsonl", 6, 3);
        TranslateOptions append = jsonl(in).mode(TranslateOptions.WriteMode.APPEND).build();
        TranslateSummary first = new TranslateJob(spark, append, SparkTestSupport.quiet()).run();
        assertEquals(6, first.rowsWritten());
        assertEquals(6, first.outputRows());

        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        TranslateSummary second = new TranslateJob(spark, append.toBuilder().build(),
                new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8)).run();
        assertEquals(0, second.rowsWritten());
        assertEquals(6, second.alreadyDone());
        assertEquals(6, second.outputRows());
        assertTrue(console.toString(java.nio.charset.StandardCharsets.UTF_8)
                .contains("append: 6 of 6 input rows are already in the output"), console.toString());
        assertEquals(expectedIdentities(6, 3), rowIdentities(spark, append.output()));
        com.google.gson.JsonObject summary = com.google.gson.JsonParser.parseString(Files.readString(
                Path.of(append.output(), TranslateJob.SUMMARY_FILE))).getAsJsonObject();
        assertEquals(6, summary.get("outputRows").getAsLong());
        assertEquals(0, summary.get("rowsWritten").getAsLong());

        // a longer input (a new row for an existing id among them) appends just the new rows
        Path more = duplicateIds("more.jsonl", 8, 3);
        TranslateSummary third = new TranslateJob(spark, jsonl(more).mode(TranslateOptions.WriteMode.APPEND).build(),
                SparkTestSupport.quiet()).run();
        assertEquals(2, third.rowsWritten());
        assertEquals(8, third.outputRows());
        assertEquals(expectedIdentities(8, 3), rowIdentities(spark, append.output()));
    }

    /**
     * Resume did not retry earlier error rows. With {@code --retry-errors} it translates them again and
     * replaces them: one row per input row, the errors replaced by the new outcomes.
     */
    @Test
    void retryErrorsTranslatesErrorRowsAgainAndReplacesThem() {
        SparkSession spark = SparkTestSupport.spark();
        List<String> lines = new java.util.ArrayList<>(SparkTestSupport.wmtLines(8));
        lines.set(2, "FLAKY_ROW " + lines.get(2));
        lines.set(5, "FLAKY_ROW " + lines.get(5));
        lines.add("FAIL_ROW: fails every time");
        Path in = SparkTestSupport.write(tmp.resolve("in/enzh.txt"), String.join("\n", lines) + "\n");
        FakeEngine.RecoveringFactory.FAILING = true;
        TranslateOptions first = options(in).engineFactory(FakeEngine.RecoveringFactory.class.getName()).build();
        TranslateSummary s1 = new TranslateJob(spark, first, SparkTestSupport.quiet()).run();
        assertEquals(3, s1.errors());

        FakeEngine.RecoveringFactory.FAILING = false; // the transient cause is gone
        TranslateOptions resume = first.toBuilder().mode(TranslateOptions.WriteMode.RESUME).build();
        assertEquals(0, new TranslateJob(spark, resume, SparkTestSupport.quiet()).run().rowsWritten(),
                "plain resume keeps error rows as they are");
        assertThrows(IllegalArgumentException.class, () -> first.toBuilder().retryErrors(true).build(),
                "--retry-errors needs --mode resume");

        TranslateSummary s2 = new TranslateJob(spark, resume.toBuilder().retryErrors(true).build(),
                SparkTestSupport.quiet()).run();
        assertEquals(3, s2.rowsWritten());
        assertEquals(6, s2.alreadyDone());
        assertEquals(2, s2.ok());
        assertEquals(1, s2.errors());
        assertEquals(3, s2.replacedErrorRows());
        assertEquals(9, s2.outputRows());
        List<Row> out = spark.read().parquet(first.output()).collectAsList();
        assertEquals(9, out.size());
        assertEquals(9, new HashSet<>(out.stream().map(r -> (String) r.getAs(OutputSchema.ID)).toList()).size());
        for (Row r : out) {
            String src = r.getAs(OutputSchema.SOURCE);
            assertEquals(src.startsWith("FAIL_ROW") ? "error" : "ok", r.getAs(OutputSchema.STATUS), r.toString());
        }
        assertFalse(Files.exists(Path.of(first.output(), RetriedErrors.STAGING)), "no stage left behind");
        // again: nothing left to replace but the one row that keeps failing (replaced by its new error)
        TranslateSummary s3 = new TranslateJob(spark, resume.toBuilder().retryErrors(true).build(),
                SparkTestSupport.quiet()).run();
        assertEquals(1, s3.rowsWritten());
        assertEquals(1, s3.replacedErrorRows());
        assertEquals(9, s3.outputRows());
    }

    @Test
    void unreadableModelFailsOnTheDriverBeforeAnyTask() {
        SparkSession spark = SparkTestSupport.spark();
        Path in = corpus(3);
        Path notAModel = tmp.resolve("empty-model");
        SparkTestSupport.write(notAModel.resolve("weights.bin"), "x");
        int jobsBefore = spark.sparkContext().statusTracker().getJobIdsForGroup(null).length;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TranslateJob(spark,
                options(in).model(tmp.resolve("missing").toString()).build(), SparkTestSupport.quiet()).run());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TranslateJob(spark,
                options(in).model(notAModel.toString()).build(), SparkTestSupport.quiet()).run());
        assertTrue(e.getMessage().endsWith("empty-model/config.json: missing: not a Hugging Face model directory"), e.getMessage());
        assertEquals(jobsBefore, spark.sparkContext().statusTracker().getJobIdsForGroup(null).length);
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void glossaryTermsAreJoinedIn() {
        SparkSession spark = SparkTestSupport.spark();
        Path in = SparkTestSupport.write(tmp.resolve("in/g.txt"), "the rider is late\nnothing here\n");
        Path glossary = SparkTestSupport.write(tmp.resolve("glossary.csv"),
                "src_lang,tgt_lang,source_term,target_term\nen,zh,Rider,骑手\nen,de,rider,Fahrer\n");
        TranslateOptions o = options(in).glossary(glossary.toString()).build();
        new TranslateJob(spark, o, SparkTestSupport.quiet()).run();
        Set<String> translations = new HashSet<>();
        for (Row r : spark.read().parquet(o.output()).collectAsList()) {
            translations.add(r.getAs(OutputSchema.TRANSLATION));
        }
        assertEquals(Set.of("THE RIDER IS LATE 骑手", "nothing here".toUpperCase(Locale.ROOT)), translations);
    }
}
