package org.bayling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.bayling.cli.ExitCodes;
import org.bayling.output.OutputSchema;
import org.bayling.spark.stream.CheckpointLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every exit code of {@code translate} as docs/operations.md, {@code --help} and jobs/bayling document it. */
class TranslateExitCodesTest {

    @TempDir
    Path tmp;

    private List<String> batch(Path input, String... more) {
        List<String> a = new ArrayList<>(List.of("translate", "--input", input.toString(), "--format", "text",
                "--output", tmp.resolve("out").toString(), "--src-lang", "en", "--tgt-lang", "zh",
                "--model", SparkTestSupport.tinyModel(), "--cache-dir", tmp.resolve("cache").toString(),
                "--engine-factory", FakeEngine.Factory.class.getName(), "--progress-interval", "60"));
        a.addAll(List.of(more));
        return a;
    }

    private List<String> incremental(String... more) {
        List<String> a = batch(tmp.resolve("in"), "--incremental", "--checkpoint", tmp.resolve("ckpt").toString());
        a.addAll(List.of(more));
        return a;
    }

    private static CliRun run(List<String> args) {
        return CliRun.of(args.toArray(String[]::new));
    }

    private static void assertExit(int expected, CliRun r, String inErr) {
        assertEquals(expected, r.code(), r.toString());
        assertTrue(r.err().contains(inErr), "stderr mentions '" + inErr + "':\n" + r.err());
    }

    private Path lines(String name, String... lines) {
        return SparkTestSupport.write(tmp.resolve("in").resolve(name), String.join("\n", lines) + "\n");
    }

    @Test
    void helpListsTheExitCodes() {
        CliRun r = CliRun.of("translate", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Exit codes:"), r.out());
        for (String code : List.of("0", "1", "2", "3", "4", "5")) {
            assertTrue(r.out().matches("(?s).*\\n\\s+" + code + "\\s+\\S.*"), "exit code " + code + " listed:\n" + r.out());
        }
        assertTrue(r.out().contains("--max-error-fraction"), r.out());
    }

    @Test
    void badConfigurationExitsWithTwo() {
        SparkTestSupport.spark();
        Path in = lines("a.txt", "one line");
        assertExit(ExitCodes.BAD_CONFIGURATION, run(batch(in, "--incremental")), "--incremental needs --checkpoint");
        assertExit(ExitCodes.BAD_CONFIGURATION, run(batch(in, "--checkpoint", tmp.resolve("c").toString())),
                "--checkpoint only applies to --incremental");
        assertExit(ExitCodes.BAD_CONFIGURATION, run(batch(in, "--max-error-fraction", "1.5")), "between 0 and 1");
        assertExit(ExitCodes.BAD_CONFIGURATION, run(incremental("--lock-stale-after", "soon")), "duration like");
        assertExit(ExitCodes.BAD_CONFIGURATION, run(incremental("--mode", "overwrite")), "would erase");
        assertEquals(ExitCodes.BAD_CONFIGURATION, run(batch(in, "--no-such-option")).code()); // picocli usage error
        List<String> missingInput = incremental();
        missingInput.set(missingInput.indexOf(tmp.resolve("in").toString()), tmp.resolve("nowhere").toString());
        assertExit(ExitCodes.BAD_CONFIGURATION, run(missingInput), "does not exist");
        List<String> outputInsideInput = incremental();
        outputInsideInput.set(outputInsideInput.indexOf(tmp.resolve("out").toString()), tmp.resolve("in/out").toString());
        assertExit(ExitCodes.BAD_CONFIGURATION, run(outputInsideInput), "is inside the input");
    }

    /** Issue 15: a missing --input exited 1 with a Hadoop stack trace. */
    @Test
    void missingOrUnusableInputExitsTwoWithOneLine() {
        SparkTestSupport.spark();
        for (String input : List.of(tmp.resolve("nowhere.txt").toString(), tmp.resolve("nowhere/*.txt").toString(),
                "nosuchfs://host/corpus.txt")) {
            CliRun r = run(batch(Path.of("x")).stream().map(a -> a.equals("x") ? input : a).toList());
            assertEquals(ExitCodes.BAD_CONFIGURATION, r.code(), r.toString());
            assertEquals(1, r.err().lines().count(), r.toString());
            assertTrue(r.err().startsWith("translate: input " + input), r.toString());
        }
    }

    /** Issue 15: --output naming an existing file deleted it and wrote a directory there, exit 0. */
    @Test
    void nothingTheJobDidNotCreateIsDeletedOrOverwritten() throws Exception {
        SparkTestSupport.spark();
        Path in = lines("a.txt", "one line").getParent();
        Path file = SparkTestSupport.write(tmp.resolve("precious.txt"), "keep me\n");
        Path foreign = SparkTestSupport.write(tmp.resolve("home/notes.md"), "mine\n").getParent();
        for (String[] c : new String[][] {
                {file.toString(), "is an existing file"},
                {foreign.toString(), "is a directory this job did not write (it holds 'notes.md')"},
                {tmp.resolve("in/out").toString(), "is inside the input"},
                {tmp.toString(), "is inside --output"}}) {
            for (String mode : List.of("overwrite", "append", "resume")) {
                List<String> args = batch(in, "--mode", mode);
                args.set(args.indexOf(tmp.resolve("out").toString()), c[0]);
                CliRun r = run(args);
                assertExit(ExitCodes.BAD_CONFIGURATION, r, c[1]);
                assertEquals(1, r.err().lines().count(), r.toString());
            }
        }
        assertEquals("keep me\n", java.nio.file.Files.readString(file));
        assertEquals("mine\n", java.nio.file.Files.readString(foreign.resolve("notes.md")));
        assertEquals(1, java.nio.file.Files.list(foreign).count());
        // an earlier output of the job may be overwritten
        assertEquals(ExitCodes.OK, run(batch(in)).code());
        assertEquals(ExitCodes.OK, run(batch(in)).code());
    }

    @Test
    void unreadableModelExitsWithThree() {
        SparkTestSupport.spark();
        Path in = lines("a.txt", "one line");
        List<String> missing = batch(in);
        missing.set(missing.indexOf(SparkTestSupport.tinyModel()), tmp.resolve("no-model").toString());
        assertExit(ExitCodes.MODEL_UNREADABLE, run(missing), "does not exist");

        SparkTestSupport.write(tmp.resolve("not-a-model/weights.bin"), "x");
        List<String> notAModel = incremental();
        notAModel.set(notAModel.indexOf(SparkTestSupport.tinyModel()), tmp.resolve("not-a-model").toString());
        assertExit(ExitCodes.MODEL_UNREADABLE, run(notAModel), "not-a-model/config.json: missing");
        assertExit(ExitCodes.MODEL_UNREADABLE, run(notAModel), "not-a-model/config.json: missing"); // checked even with nothing new
    }

    @Test
    void lockHeldExitsWithFour() {
        SparkTestSupport.spark();
        lines("a.txt", "one line");
        try (CheckpointLock other = CheckpointLock.acquire(tmp.resolve("ckpt").toString(),
                SparkTestSupport.spark().sparkContext().hadoopConfiguration(), Duration.ofMinutes(15), "other-run",
                SparkTestSupport.quiet())) {
            assertExit(ExitCodes.LOCK_HELD, run(incremental()), "is locked by another run");
        }
        assertEquals(ExitCodes.OK, run(incremental()).code()); // free again

        // the checkpoint now belongs to this input and output (a trailing slash is the same directory)
        List<String> sameOutput = incremental();
        sameOutput.set(sameOutput.indexOf(tmp.resolve("out").toString()), tmp.resolve("out") + "/");
        assertEquals(ExitCodes.OK, run(sameOutput).code());
        List<String> otherOutput = incremental();
        otherOutput.set(otherOutput.indexOf(tmp.resolve("out").toString()), tmp.resolve("other-out").toString());
        assertExit(ExitCodes.BAD_CONFIGURATION, run(otherOutput), "belongs to --output");
    }

    @Test
    void errorRowsAboveTheThresholdExitWithFive() {
        SparkTestSupport.spark();
        Path in = lines("a.txt", "first line", "FAIL_ROW second line", "third line", "fourth line");
        // 1 error row of 4 = 25%: above the default 10%, the output is committed all the same
        assertExit(ExitCodes.PARTIAL_FAILURE, run(batch(in)), "1 of 4 rows written have status error");
        assertEquals(4, SparkTestSupport.spark().read().parquet(tmp.resolve("out").toString()).count());
        assertEquals(ExitCodes.OK, run(batch(in, "--max-error-fraction", "0.3")).code());
    }

    @Test
    void newFilesWithGlobCharactersAreLeftOutWithFive() {
        SparkTestSupport.spark();
        lines("with space.txt", "one line", "two lines");
        lines("odd[1].txt", "never read");
        CliRun r = run(incremental());
        assertExit(ExitCodes.PARTIAL_FAILURE, r, "odd[1].txt");
        List<String> ids = SparkTestSupport.spark().read().parquet(tmp.resolve("out").toString())
                .select(OutputSchema.ID).as(Encoders.STRING()).collectAsList();
        assertEquals(new HashSet<>(List.of("with space.txt:1", "with space.txt:2")), new HashSet<>(ids));
    }

    @Test
    void unexpectedFailureExitsWithOne() {
        SparkTestSupport.spark();
        Path in = lines("a.txt", "one line", "two lines");
        int limit = FakeEngine.CrashingFactory.LIMIT;
        FakeEngine.CrashingFactory.SEEN.set(0);
        FakeEngine.CrashingFactory.LIMIT = 0;
        try {
            List<String> crashing = batch(in);
            crashing.set(crashing.indexOf(FakeEngine.Factory.class.getName()), FakeEngine.CrashingFactory.class.getName());
            CliRun r = run(crashing);
            assertExit(ExitCodes.FAILED, r, "translate: failed: IllegalStateException: injected crash");
            assertEquals(1, r.err().lines().count(), "one line; the trace only with --verbose:\n" + r);
            crashing.add("--verbose");
            CliRun verbose = run(crashing);
            assertExit(ExitCodes.FAILED, verbose, "\tat org.bayling.");
        } finally {
            FakeEngine.CrashingFactory.LIMIT = limit;
        }
    }
}
