package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.bayling.cli.ExitCodes;
import org.bayling.model.CorruptModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: broken checkpoints exited 1 after a Spark job failure, with ~290 lines of stack traces naming the
 * executor's cache copy. Now every corruption exits 3 on the driver before any Spark job, with one line naming
 * the file under --model; an executor that still fails to load names the user's --model too.
 */
class ModelUnreadableExitTest {

    @TempDir
    Path tmp;

    private List<String> translate(Path input, String model, String out, String... more) {
        List<String> a = new ArrayList<>(List.of("translate", "--input", input.toString(), "--format", "text",
                "--output", out, "--src-lang", "en", "--tgt-lang", "zh", "--model", model,
                "--cache-dir", tmp.resolve("cache").toString(), "--engine-factory", FakeEngine.Factory.class.getName(),
                "--progress-interval", "60"));
        a.addAll(List.of(more));
        return a;
    }

    private static void assertOneLine(String prefix, CorruptModels.Case c, CliRun r) {
        String expected = prefix + c.dir() + "/" + c.file() + ": ";
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), c.name() + ": exactly one line on stderr\n" + r);
        assertTrue(lines.get(0).startsWith(expected), c.name() + ": names " + expected + "\n" + r);
        assertTrue(lines.get(0).contains(c.says()), c.name() + ": says '" + c.says() + "'\n" + r);
    }

    @Test
    void everyCorruptCheckpointExitsThreeBeforeAnySparkJob() throws Exception {
        SparkSession spark = SparkTestSupport.spark();
        Path in = SparkTestSupport.write(tmp.resolve("in/a.txt"), "one line\n");
        List<CorruptModels.Case> cases = CorruptModels.all(tmp.resolve("models"));
        int jobsBefore = spark.sparkContext().statusTracker().getJobIdsForGroup(null).length;
        double slowest = 0;
        long t0 = System.nanoTime();
        for (CorruptModels.Case c : cases) {
            String out = tmp.resolve("out-" + c.name()).toString();
            long t = System.nanoTime();
            CliRun r = CliRun.of(translate(in, c.dir().toString(), out).toArray(String[]::new));
            slowest = Math.max(slowest, (System.nanoTime() - t) / 1e9);
            assertEquals(ExitCodes.MODEL_UNREADABLE, r.code(), c.name() + "\n" + r);
            assertOneLine("translate: model unreadable: ", c, r);
            assertFalse(Files.exists(Path.of(out)), c.name() + ": nothing written");
        }
        assertEquals(jobsBefore, spark.sparkContext().statusTracker().getJobIdsForGroup(null).length,
                "no Spark job ran for any of them");
        System.out.printf(Locale.ROOT, "%d corrupt checkpoints: exit 3 each, %.1f s in all, slowest %.2f s%n",
                cases.size(), (System.nanoTime() - t0) / 1e9, slowest);
    }

    @Test
    void generateAndBenchExitThreeWithOneLine() {
        List<CorruptModels.Case> cases = CorruptModels.all(tmp.resolve("models"));
        for (CorruptModels.Case c : cases) {
            if (!List.of("layers-negative", "tokenizer-truncated", "st-shape-vs-config", "bin-forbidden-global",
                    "index-shard-missing").contains(c.name())) {
                continue;
            }
            CliRun g = CliRun.of("generate", "--model", c.dir().toString(), "--input-ids", "1,2,3", "--max-new-tokens", "2");
            assertEquals(ExitCodes.MODEL_UNREADABLE, g.code(), c.name() + "\n" + g);
            assertOneLine("generate: model unreadable: ", c, g);
            CliRun b = CliRun.of("bench", "--skip-decoder", "--overhead-model", c.dir().toString());
            assertEquals(ExitCodes.MODEL_UNREADABLE, b.code(), c.name() + "\n" + b);
            assertOneLine("bench: model unreadable: ", c, b);
        }
    }

    @Test
    void theTransformerAndSqlThrowTheSameOneLineMessage() {
        SparkSession spark = org.bayling.spark.ml.MlTestSupport.spark();
        CorruptModels.Case c = CorruptModels.all(tmp.resolve("models")).stream()
                .filter(x -> x.name().equals("st-shape-vs-config")).findFirst().orElseThrow();
        String expected = c.dir() + "/" + c.file() + ": " ;
        var df = org.bayling.spark.ml.MlTestSupport.rows(spark, List.of("Hello."), 1);
        var t = new org.bayling.spark.ml.TranslationTransformer().setInputCol("text").setOutputCol("out")
                .setSrcLang("en").setTgtLang("zh").setModel(c.dir().toString());
        org.bayling.model.ModelUnreadableException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.bayling.model.ModelUnreadableException.class, () -> t.transform(df));
        assertTrue(e.getMessage().startsWith(expected) && e.getMessage().contains(c.says()), e.getMessage());
        df.createOrReplaceTempView("broken_model_rows");
        Exception sql = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> spark.sql(
                "SELECT bayling_translate(text, 'en', 'zh', map('model', '" + c.dir() + "')) FROM broken_model_rows")
                .collect());
        assertTrue(sql.getMessage().contains(expected) && sql.getMessage().contains(c.says()), sql.getMessage());
    }

    @Test
    void anExecutorThatFailsToLoadNamesTheModelNotItsCacheCopy() {
        SparkTestSupport.spark();
        Path in = SparkTestSupport.write(tmp.resolve("in/a.txt"), "one line\ntwo lines\n");
        List<String> args = translate(in, SparkTestSupport.tinyModel(), tmp.resolve("out").toString(),
                "--distribution", "broadcast");
        args.set(args.indexOf(FakeEngine.Factory.class.getName()), FakeEngine.UnloadableFactory.class.getName());
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(ExitCodes.MODEL_UNREADABLE, r.code(), r.toString());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.toString());
        assertEquals("translate: model unreadable: " + SparkTestSupport.tinyModel()
                + "/model.safetensors: injected: tensor data unreadable in " + SparkTestSupport.tinyModel(), lines.get(0));
        assertFalse(r.err().contains(tmp.resolve("cache").toString()), "the cache copy is not named");
    }
}
