package org.bayling.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.bayling.SharedData;
import org.bayling.cli.ApplyDeltaCommand;
import org.bayling.cli.MakeDeltaCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DeltaRoundTripTest {

    static final Path LLAMA2 = SharedData.fixture("tiny-llama2");
    static final Path LLAMA3 = SharedData.fixture("tiny-llama3");
    /** The base gets one element far from the model here, so that only an F64 delta restores it. */
    static final String WIDE = "model.layers.1.self_attn.v_proj.weight";

    @TempDir
    Path tmp;

    /**
     * A "base model": every weight of {@code modelDir} moved by deterministic noise (about 1% plus a small
     * absolute term), stored in the model's dtype; in {@link #WIDE} the element of smallest magnitude is
     * moved by 4096, which needs more than float32's 24 bits to undo.
     */
    static Path perturbedBase(Path modelDir, Path baseDir) throws Exception {
        try (CheckpointReader model = Checkpoints.open(modelDir)) {
            List<String> names = new ArrayList<>(new TreeSet<>(model.names()));
            List<TensorInfo> infos = new ArrayList<>();
            for (String n : names) {
                infos.add(model.info(n));
            }
            SafetensorsWriter.writeCheckpoint(baseDir, infos, Map.of(), Long.MAX_VALUE, (t, w) -> {
                TensorData m = model.read(t.name());
                SplittableRandom rnd = new SplittableRandom(t.name().hashCode());
                int n = (int) m.numel();
                int smallest = 0;
                for (int i = 0; i < n; i++) {
                    double v = Math.abs(Elements.get(m.data(), m.dtype(), i));
                    if (v != 0 && (v < Math.abs(Elements.get(m.data(), m.dtype(), smallest)) || smallest == 0)) {
                        smallest = i;
                    }
                }
                ByteBuffer out = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    double v = Elements.get(m.data(), m.dtype(), i);
                    double b = v * (1 + 0.01 * rnd.nextGaussian()) + 0.001 * rnd.nextGaussian();
                    if (t.name().equals(WIDE) && i == smallest) {
                        b = v + 4096;
                    }
                    Elements.put(out, t.dtype(), i, b);
                }
                w.append(out);
            });
        }
        return baseDir;
    }

    static void assertSameTensors(Path expectedDir, Path actualDir) throws Exception {
        try (CheckpointReader expected = Checkpoints.open(expectedDir); CheckpointReader actual = Checkpoints.open(actualDir)) {
            TreeSet<String> names = new TreeSet<>(expected.names());
            names.removeIf(Deltas::ignored);
            assertEquals(names, new TreeSet<>(actual.names()));
            for (String n : names) {
                TensorData e = expected.read(n);
                TensorData a = actual.read(n);
                assertEquals(e.dtype(), a.dtype(), n);
                assertArrayEquals(e.shape(), a.shape(), n);
                assertEquals(e.data(), a.data(), "bytes of " + n);
            }
        }
    }

    @Test
    void tinyLlama2RoundTripIsBitExact() throws Exception {
        Path base = perturbedBase(LLAMA2, tmp.resolve("base"));
        Path delta = tmp.resolve("delta");
        Path out = tmp.resolve("out");
        new DeltaMaker().make(LLAMA2, base, delta);

        try (CheckpointReader d = Checkpoints.open(delta); CheckpointReader m = Checkpoints.open(LLAMA2);
             CheckpointReader b = Checkpoints.open(tmp.resolve("base"))) {
            assertEquals(21, d.names().size());
            assertEquals(DType.F64, d.info(WIDE).dtype());
            assertEquals(DType.F32, d.info("model.embed_tokens.weight").dtype());
            assertTrue(d.metadata().get(Deltas.TARGET_DTYPES_KEY).contains("\"lm_head.weight\":\"F16\""));
            // the delta really is model - base, element by element
            TensorData dn = d.read("model.norm.weight");
            TensorData mn = m.read("model.norm.weight");
            TensorData bn = b.read("model.norm.weight");
            for (int i = 0; i < 64; i++) {
                double expected = Fp16.toFloat(mn.data().getShort(2 * i)) - (double) Fp16.toFloat(bn.data().getShort(2 * i));
                assertEquals(expected, dn.data().getFloat(4 * i), Math.ulp((float) expected));
            }
            assertNotEquals(mn.data(), bn.data(), "the base differs from the model");
        }

        DeltaApplier.Result r = new DeltaApplier().apply(base, delta, out);
        assertEquals(21, r.tensors());
        // the restored file is the very file Hugging Face wrote
        assertArrayEquals(Files.readAllBytes(LLAMA2.resolve("model.safetensors")), Files.readAllBytes(out.resolve("model.safetensors")));
        for (String side : List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json")) {
            assertArrayEquals(Files.readAllBytes(LLAMA2.resolve(side)), Files.readAllBytes(out.resolve(side)), side);
        }
    }

    @Test
    void torchBinModelAndShardedBf16RoundTrips() throws Exception {
        // model in torch format (with legacy inv_freq buffers, which deltas ignore)
        perturbedBase(LLAMA2, tmp.resolve("base2"));
        new DeltaMaker().make(SharedData.fixture("tiny-llama2-bin"), tmp.resolve("base2"), tmp.resolve("delta2"));
        new DeltaApplier().apply(tmp.resolve("base2"), tmp.resolve("delta2"), tmp.resolve("out2"));
        assertSameTensors(LLAMA2, tmp.resolve("out2"));

        // Llama-3: bf16, three shards in, sharded delta and output
        perturbedBase(LLAMA3, tmp.resolve("base3"));
        new DeltaMaker(null, 4_000_000).make(LLAMA3, tmp.resolve("base3"), tmp.resolve("delta3"));
        assertTrue(Files.exists(tmp.resolve("delta3/model.safetensors.index.json")));
        new DeltaApplier(null, 3_000_000).apply(tmp.resolve("base3"), tmp.resolve("delta3"), tmp.resolve("out3"));
        assertTrue(Files.exists(tmp.resolve("out3/model.safetensors.index.json")));
        assertSameTensors(LLAMA3, tmp.resolve("out3"));
    }

    @Test
    void applyDeltaCommand() throws Exception {
        perturbedBase(LLAMA2, tmp.resolve("base"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new MakeDeltaCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--base", tmp.resolve("base").toString(), "--model", LLAMA2.toString(),
                        "--output", tmp.resolve("delta").toString());
        assertEquals(0, code, err.toString());
        code = new CommandLine(new ApplyDeltaCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--base", tmp.resolve("base").toString(), "--delta", tmp.resolve("delta").toString(),
                        "--output", tmp.resolve("out").toString());
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("wrote 21 tensors"), out.toString());
        assertArrayEquals(Files.readAllBytes(LLAMA2.resolve("model.safetensors")),
                Files.readAllBytes(tmp.resolve("out/model.safetensors")));

        // --dtype f32: same values, wider
        code = new CommandLine(new ApplyDeltaCommand()).execute("--base", tmp.resolve("base").toString(),
                "--delta", tmp.resolve("delta").toString(), "--output", tmp.resolve("out32").toString(), "--dtype", "f32");
        assertEquals(0, code);
        try (CheckpointReader m = Checkpoints.open(LLAMA2); CheckpointReader o = Checkpoints.open(tmp.resolve("out32"))) {
            TensorData a = m.read("model.layers.0.mlp.up_proj.weight");
            TensorData b = o.read("model.layers.0.mlp.up_proj.weight");
            assertEquals(DType.F32, b.dtype());
            for (int i = 0; i < a.numel(); i++) {
                assertEquals(Fp16.toFloat(a.data().getShort(2 * i)), b.data().getFloat(4 * i));
            }
        }

        // a bad dtype and a missing directory fail with messages, not stack traces
        StringWriter err2 = new StringWriter();
        code = new CommandLine(new ApplyDeltaCommand()).setErr(new PrintWriter(err2)).execute("--base", "x", "--delta", "y",
                "--output", "z", "--dtype", "f8");
        assertEquals(2, code);
        assertTrue(err2.toString().contains("'f8' is not a dtype"), err2.toString());
        StringWriter err3 = new StringWriter();
        code = new CommandLine(new ApplyDeltaCommand()).setErr(new PrintWriter(err3)).execute("--base",
                tmp.resolve("nowhere").toString(), "--delta", tmp.resolve("delta").toString(), "--output", tmp.resolve("o").toString());
        assertEquals(1, code);
        assertTrue(err3.toString().contains("no such model directory"), err3.toString());
    }

    @Test
    void mismatchedCheckpointsAreRefusedByName() throws Exception {
        Path base = tmp.resolve("base");
        perturbedBase(LLAMA2, base);
        // a delta without model.norm.weight
        Path partial = tmp.resolve("partial");
        try (CheckpointReader r = Checkpoints.open(LLAMA2)) {
            List<String> names = new ArrayList<>(new TreeSet<>(r.names()));
            names.remove("model.norm.weight");
            Files.createDirectories(partial);
            SafetensorsWriter.copy(r, names, partial.resolve("model.safetensors"));
        }
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> new DeltaApplier().apply(base, partial, tmp.resolve("out")));
        assertTrue(e.getMessage().contains("'model.norm.weight'") && e.getMessage().contains("missing"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out/model.safetensors")));

        // a delta whose norm has the wrong shape
        Path wrong = tmp.resolve("wrong");
        try (CheckpointReader r = Checkpoints.open(LLAMA2)) {
            List<String> names = new ArrayList<>(new TreeSet<>(r.names()));
            names.remove("model.norm.weight");
            List<TensorInfo> infos = new ArrayList<>();
            for (String n : names) {
                infos.add(r.info(n));
            }
            infos.add(new TensorInfo("model.norm.weight", DType.F16, new long[] {32}));
            SafetensorsWriter.writeCheckpoint(wrong, infos, Map.of(), Long.MAX_VALUE, (t, w) ->
                    w.append(t.name().equals("model.norm.weight") ? ByteBuffer.allocate(64) : r.read(t.name()).data().duplicate()));
        }
        e = assertThrows(CheckpointException.class, () -> new DeltaApplier().apply(base, wrong, tmp.resolve("out")));
        assertTrue(e.getMessage().contains("'model.norm.weight' has shape [32]") && e.getMessage().contains("[64]"),
                e.getMessage());
    }

    @Test
    void halfPrecisionDeltaAsPublishedIsCloseButLossy() throws Exception {
        Path base = tmp.resolve("base");
        perturbedBase(LLAMA2, base);
        new DeltaMaker(DType.F16, Long.MAX_VALUE).make(LLAMA2, base, tmp.resolve("delta16"));
        new DeltaApplier().apply(base, tmp.resolve("delta16"), tmp.resolve("out"));
        try (CheckpointReader m = Checkpoints.open(LLAMA2); CheckpointReader o = Checkpoints.open(tmp.resolve("out"))) {
            TensorData a = m.read("model.layers.0.self_attn.q_proj.weight");
            TensorData b = o.read("model.layers.0.self_attn.q_proj.weight");
            assertEquals(DType.F16, b.dtype());
            for (int i = 0; i < a.numel(); i++) {
                float x = Fp16.toFloat(a.data().getShort(2 * i));
                float y = Fp16.toFloat(b.data().getShort(2 * i));
                assertEquals(x, y, 2e-3, "element " + i); // a few ulps of the base's magnitude
            }
        }
    }
}
