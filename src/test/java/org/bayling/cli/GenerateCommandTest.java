package org.bayling.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.bayling.SharedData;
import org.bayling.model.Golden;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The {@code generate} CLI contract on both fixtures, checked against the golden outputs. */
class GenerateCommandTest {

    static JsonObject run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = BaylingCli.commandLine();
        cli.setOut(new PrintWriter(out));
        int code = cli.execute(args);
        assertEquals(0, code, "exit code; output: " + out);
        return JsonParser.parseString(out.toString().trim()).getAsJsonObject();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama2", "tiny-llama3"})
    void beamJsonMatchesGolden(String fixture) throws Exception {
        JsonObject c = Golden.load(fixture).cases.get(0);
        int[] ids = Golden.ints(c.getAsJsonArray("input_ids"));
        String idList = java.util.Arrays.stream(ids).mapToObj(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow();
        JsonObject json = run("generate", "--model", SharedData.fixture(fixture).toString(), "--input-ids", idList,
                "--max-new-tokens", "32", "--num-beams", "5", "--num-return-sequences", "5", "--json");
        assertArrayEquals(ids, Golden.ints(json.getAsJsonArray("input_ids")));
        JsonArray outputs = json.getAsJsonArray("outputs");
        assertEquals(5, outputs.size());
        JsonObject beam = c.getAsJsonObject("beam5");
        for (int i = 0; i < 5; i++) {
            JsonObject o = outputs.get(i).getAsJsonObject();
            assertArrayEquals(Golden.ints(beam.getAsJsonArray("output_ids").get(i).getAsJsonArray()),
                    Golden.ints(o.getAsJsonArray("output_ids")));
            assertEquals(beam.getAsJsonArray("sequences_scores").get(i).getAsDouble(), o.get("score").getAsDouble(), 1e-3);
            assertEquals(32, o.getAsJsonArray("token_logprobs").size());
            assertEquals("length", o.get("finish_reason").getAsString());
            assertTrue(o.has("text"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama2", "tiny-llama3"})
    void promptUsesTheTemplateAndGreedyMatchesGolden(String fixture) throws Exception {
        Golden golden = Golden.load(fixture);
        JsonObject c = golden.cases.get(0);
        String instruction = "Provide the Chinese translation for this sentence: I'm sorry that your order is running late.";
        JsonObject json = run("generate", "--model", SharedData.fixture(fixture).toString(), "--prompt", instruction,
                "--max-new-tokens", "32", "--num-beams", "1", "--json");
        // the templated prompt tokenizes to the golden input ids (built with BayLing's template)
        assertArrayEquals(Golden.ints(c.getAsJsonArray("input_ids")), Golden.ints(json.getAsJsonArray("input_ids")));
        JsonObject o = json.getAsJsonArray("outputs").get(0).getAsJsonObject();
        assertArrayEquals(Golden.ints(c.getAsJsonObject("greedy").getAsJsonArray("output_ids")),
                Golden.ints(o.getAsJsonArray("output_ids")));
        double sum = 0;
        for (var lp : o.getAsJsonArray("token_logprobs")) {
            sum += lp.getAsDouble();
        }
        assertEquals(sum, o.get("score").getAsDouble(), 1e-4, "greedy score is the sum of log-probs");

        JsonObject raw = run("generate", "--model", SharedData.fixture(fixture).toString(), "--prompt", instruction,
                "--raw", "--max-new-tokens", "2", "--num-beams", "1", "--json");
        assertNotEquals(json.getAsJsonArray("input_ids").size(), raw.getAsJsonArray("input_ids").size(),
                "--raw tokenizes the text without the template");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama2"})
    void samplingIsSeededAndEosEndsWithEosId(String fixture) {
        String model = SharedData.fixture(fixture).toString();
        JsonObject a = run("generate", "--model", model, "--input-ids", "1,306,626", "--do-sample", "--temperature", "0.7",
                "--top-k", "20", "--top-p", "0.9", "--seed", "11", "--max-new-tokens", "12", "--json");
        JsonObject b = run("generate", "--model", model, "--input-ids", "1,306,626", "--do-sample", "--temperature", "0.7",
                "--top-k", "20", "--top-p", "0.9", "--seed", "11", "--max-new-tokens", "12", "--json");
        assertEquals(a.getAsJsonArray("outputs"), b.getAsJsonArray("outputs"), "same seed, same output");
        JsonObject c = run("generate", "--model", model, "--input-ids", "1,306,626", "--do-sample", "--seed", "12",
                "--max-new-tokens", "12", "--json");
        assertNotEquals(a.getAsJsonArray("outputs"), c.getAsJsonArray("outputs"), "another seed, another sample");
    }

    /**
     * {@code --dtype f16|bf16} and {@code --dtype f32 --weights int8} through the command line on every
     * fixture (golden case 0, greedy): the first token is the golden one and the greedy prefix at least
     * what was measured (PrecisionGoldenTest states the full agreement figures). Measured prefixes: 32 of
     * 32 everywhere but tiny-llama3 in bfloat16, which forks at token 3 at a near-tie of the random model.
     */
    @ParameterizedTest(name = "{0} --dtype {1} --weights {2}")
    @org.junit.jupiter.params.provider.CsvSource({
        "tiny-llama2, f16, auto, 32", "tiny-llama2, bf16, auto, 32", "tiny-llama2, f32, int8, 16",
        "tiny-llama2-bin, f16, auto, 32", "tiny-llama2-bin, bf16, auto, 32", "tiny-llama2-bin, f32, int8, 16",
        "tiny-llama3, f16, auto, 32", "tiny-llama3, bf16, auto, 2", "tiny-llama3, f32, int8, 16"})
    void reducedPrecisionStaysCloseToGolden(String fixture, String dtype, String weights, int minPrefix) throws Exception {
        JsonObject c = Golden.load(fixture.equals("tiny-llama2-bin") ? "tiny-llama2" : fixture).cases.get(0);
        int[] ids = Golden.ints(c.getAsJsonArray("input_ids"));
        String idList = java.util.Arrays.stream(ids).mapToObj(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow();
        JsonObject json = run("generate", "--model", SharedData.fixture(fixture).toString(), "--device", "cpu",
                "--dtype", dtype, "--weights", weights, "--input-ids", idList, "--max-new-tokens", "32", "--num-beams", "1",
                "--json");
        JsonObject precision = json.getAsJsonObject("precision");
        assertEquals(dtype, precision.get("dtype").getAsString());
        assertEquals(weights.equals("auto") ? dtype : weights, precision.get("weights").getAsString());
        int[] expected = Golden.ints(c.getAsJsonObject("greedy").getAsJsonArray("output_ids"));
        int[] got = Golden.ints(json.getAsJsonArray("outputs").get(0).getAsJsonObject().getAsJsonArray("output_ids"));
        int prefix = 0;
        while (prefix < expected.length && prefix < got.length && expected[prefix] == got[prefix]) {
            prefix++;
        }
        System.out.printf("generate %s --dtype %s --weights %s: greedy prefix %d of 32%n", fixture, dtype, weights, prefix);
        assertTrue(prefix >= 1, "first token equals the golden's");
        assertTrue(prefix >= minPrefix, "greedy prefix " + prefix + " < " + minPrefix);
    }

    /** A precision this PyTorch build cannot run on the device: one line naming dtype, device and what to use, exit 2. */
    @org.junit.jupiter.api.Test
    void unsupportedPrecisionIsOneLineExitTwo() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = BaylingCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        // The CPU build of libtorch has no CUDA kernels, so any GPU precision is unsupported here.
        int code = cli.execute("generate", "--model", SharedData.fixture("tiny-llama2").toString(), "--device", "gpu",
                "--dtype", "f16", "--input-ids", "1,306,626", "--max-new-tokens", "2", "--json");
        assertEquals(ExitCodes.BAD_CONFIGURATION, code, "exit code; stderr: " + err);
        String message = err.toString().strip();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.startsWith("generate: dtype f16, weights f16 is not supported on gpu(0)"), message);
        assertTrue(message.contains("use --device cpu"), message);
    }
}
