package org.bayling.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bayling.output.OutputSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The summary's counts are observed while the rows are written; they must equal what the committed output holds,
 * also when a task fails after part of its rows went on towards the write, and dedup must hold across the groups
 * of rows a task translates one after the other.
 */
class TranslateJobSummaryTest {

    @TempDir
    Path tmp;

    /**
     * 601 rows for one task (three groups of rows): every fifth row repeats an earlier line, and the shortest row is
     * {@link FakeEngine.FailsLateFactory#MARKER}.
     */
    private Path corpus() {
        List<String> wmt = SparkTestSupport.wmtLines(480);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            lines.add(i % 5 == 4 ? wmt.get(i / 5) : wmt.get(i - i / 5));
        }
        lines.add(FakeEngine.FailsLateFactory.MARKER);
        return SparkTestSupport.write(tmp.resolve("in/enzh.txt"), String.join("\n", lines) + "\n");
    }

    private TranslateOptions options(Path in, Class<?> factory) {
        return TranslateOptions.builder().input(in.toString()).format(TranslateOptions.InputFormat.TEXT)
                .output(tmp.resolve("out").toString()).srcLang("en").tgtLang("zh").model(SparkTestSupport.tinyModel())
                .engineFactory(factory.getName()).cacheDir(tmp.resolve("cache").toString()).partitions(1).build();
    }

    @Test
    void summaryEqualsTheCommittedRowsWhenATaskFailsAfterPartOfItsRows() {
        SparkSession spark = SparkTestSupport.spark();
        int before = FakeEngine.FailsLateFactory.FAILURES.get();
        TranslateOptions o = options(corpus(), FakeEngine.FailsLateFactory.class);
        TranslateSummary s = new TranslateJob(spark, o, SparkTestSupport.quiet()).run();
        assertTrue(FakeEngine.FailsLateFactory.FAILURES.get() > before, "the injected failure happened");

        Dataset<Row> out = spark.read().parquet(o.output());
        Row c = out.agg(count(lit(1)), sum(col(OutputSchema.STATUS).equalTo(OutputSchema.STATUS_OK).cast("long")),
                sum(col(OutputSchema.EXECUTOR).isNotNull().cast("long"))).first();
        Row perRequest = out.where(col(OutputSchema.EXECUTOR).isNotNull()).groupBy(OutputSchema.REQUEST_HASH)
                .agg(first(OutputSchema.N_INPUT_TOKENS).as("i"), first(OutputSchema.N_OUTPUT_TOKENS).as("o"))
                .agg(count(lit(1)), sum("i"), sum("o")).first();
        assertEquals(601, c.getLong(0));
        assertEquals(c.getLong(0), s.rowsWritten());
        assertEquals(c.getLong(1), s.ok());
        assertEquals(perRequest.getLong(0), s.requests());
        assertEquals(c.getLong(2) - perRequest.getLong(0), s.dedupSaved());
        assertEquals(perRequest.getLong(1), s.inputTokens());
        assertEquals(perRequest.getLong(2), s.outputTokens());
        assertEquals(601, s.outputRows());
    }

    @Test
    void aRequestWhoseRowsSpanTwoGroupsIsTranslatedOnce() {
        SparkSession spark = SparkTestSupport.spark();
        // one sentence on 300 rows: more than a group of rows (ExecutorTranslation.ROWS_PER_CALL) in one task
        List<String> lines = new ArrayList<>(SparkTestSupport.wmtLines(20));
        String repeated = lines.get(0);
        for (int i = 0; i < 300; i++) {
            lines.add(repeated);
        }
        Path in = SparkTestSupport.write(tmp.resolve("in/enzh.txt"), String.join("\n", lines) + "\n");
        TranslateOptions o = options(in, FakeEngine.Factory.class);
        int translatedBefore = FakeEngine.TRANSLATED.get();
        TranslateSummary s = new TranslateJob(spark, o, SparkTestSupport.quiet()).run();
        assertTrue(300 > ExecutorTranslation.ROWS_PER_CALL);
        assertEquals(20, FakeEngine.TRANSLATED.get() - translatedBefore, "each distinct sentence went to the engine once");
        assertEquals(20, s.requests());
        assertEquals(300, s.dedupSaved());
        assertEquals(320, s.ok());
        List<Row> copies = spark.read().parquet(o.output()).where(col(OutputSchema.SOURCE).equalTo(repeated))
                .select(OutputSchema.TRANSLATION, OutputSchema.STATUS).distinct().collectAsList();
        assertEquals(1, copies.size(), "every copy got the same result: " + copies);
        assertEquals(FakeEngine.translateOne(org.bayling.translate.TranslationTask.of("x", repeated, "en", "zh"))
                .turns().get(0).response(), copies.get(0).getString(0));
    }
}
