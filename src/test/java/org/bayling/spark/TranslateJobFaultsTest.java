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
