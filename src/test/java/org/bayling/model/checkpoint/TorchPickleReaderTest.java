package org.bayling.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.bayling.SharedData;
import org.bayling.model.checkpoint.TestFiles.Pickle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchPickleReaderTest {

    static final Path BIN = SharedData.fixture("tiny-llama2-bin").resolve("pytorch_model.bin");
    static final Path SAFETENSORS = SharedData.fixture("tiny-llama2").resolve("model.safetensors");

    @TempDir
    Path tmp;

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
        }
    }

    @Test
    void binLoadsToTheSameTensorsAsSafetensors() throws Exception {
        try (TorchPickleReader bin = TorchPickleReader.open(BIN); SafetensorsReader st = SafetensorsReader.open(SAFETENSORS)) {
            Set<String> binNames = bin.names().stream().filter(n -> !n.endsWith("rotary_emb.inv_freq"))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(st.names()), binNames);
            assertEquals(23, bin.names().size());
            for (String n : st.names()) {
                TensorData a = st.read(n);
                TensorData b = bin.read(n);
                assertEquals(a.dtype(), b.dtype(), n);
                assertArrayEquals(a.shape(), b.shape(), n);
                assertEquals(a.data(), b.data(), n); // ByteBuffer.equals compares the remaining bytes
                assertTrue(b.data().isDirect(), "mapped, not copied: " + n);
                assertEquals(b.byteSize(), b.data().capacity(), n);
            }
        }
    }

    @Test
    void legacyInvFreqBuffersAreReadAsFloat32() throws Exception {
        try (TorchPickleReader bin = TorchPickleReader.open(BIN)) {
            TensorData inv = bin.read("model.layers.1.self_attn.rotary_emb.inv_freq");
            assertEquals(DType.F32, inv.dtype());
            assertArrayEquals(new long[] {8}, inv.shape());
            float[] v = TestFiles.floatsOf(inv.data());
            for (int i = 0; i < 8; i++) { // 1 / 10000^(2i/16), head_dim 16
                assertEquals(1.0 / Math.pow(10000, 2.0 * i / 16), v[i], 1e-7, "inv_freq[" + i + "]");
            }
        }
    }

    private Path craftedBin(byte[] pickle, Map<String, byte[]> storages) throws Exception {
        return TestFiles.torchZip(tmp.resolve("pytorch_model.bin"), "archive", pickle, "little", storages);
    }

    /** GLOBAL module name, argument, TUPLE1, REDUCE: what a malicious __reduce__ pickles to. */
    private static byte[] callPickle(String module, String name, String argument) {
        return new Pickle().proto(2).global(module, name).str(argument).op(0x85).reduce().stop().bytes();
    }

    @Test
    void forbiddenGlobalsAreRefusedAndNothingRuns() throws Exception {
        Path marker = tmp.resolve("pwned");
        String cmd = "touch " + marker;
        String[][] attacks = {
            {"os", "system", cmd},
            {"posix", "system", cmd},
            {"builtins", "eval", "__import__('os').system('" + cmd + "')"},
            {"subprocess", "check_call", cmd},
            {"torch", "load", cmd},
        };
        for (String[] a : attacks) {
            Path bin = craftedBin(callPickle(a[0], a[1], a[2]), Map.of());
            CheckpointException e = assertThrows(CheckpointException.class, () -> TorchPickleReader.open(bin));
            assertMentions(e, bin.toString(), "archive/data.pkl", "forbidden global '" + a[0] + "." + a[1] + "'");
        }
        assertFalse(Files.exists(marker), "nothing was executed");
    }

    @Test
    void forbiddenGlobalInsideAStateDictIsRefused() throws Exception {
        Pickle p = new Pickle().proto(2).op('}').mark()
                .str("model.norm.weight").tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1})
                .str("evil").global("os", "system").str("touch " + tmp.resolve("pwned")).op(0x85).reduce()
                .op('u').stop();
        Path bin = craftedBin(p.bytes(), Map.of("0", TestFiles.floats(1, 2)));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchPickleReader.open(bin));
        assertMentions(e, "forbidden global 'os.system'");
        assertFalse(Files.exists(tmp.resolve("pwned")));
    }

    @Test
    void otherRoutesToCodeAreRefused() throws Exception {
        // protocol 4 STACK_GLOBAL
        byte[] stackGlobal = new Pickle().proto(4).shortStr("builtins").shortStr("exec").op(0x93)
                .shortStr("print(1)").op(0x85).reduce().stop().bytes();
        assertMentions(assertThrows(CheckpointException.class, () -> TorchPickleReader.open(craftedBin(stackGlobal, Map.of()))),
                "forbidden global 'builtins.exec'");
        // INST instantiates a class named inline
        byte[] inst = new Pickle().proto(2).mark().str("id").op('i').bytes();
        byte[] instFull = concat(inst, "os\nsystem\n".getBytes(), new byte[] {'.'});
        assertMentions(assertThrows(CheckpointException.class, () -> TorchPickleReader.open(craftedBin(instFull, Map.of()))),
                "forbidden global 'os.system'");
        // an allowed global that is data, not a callable
        byte[] storageCall = new Pickle().proto(2).global("torch", "FloatStorage").op(')').reduce().stop().bytes();
        assertMentions(assertThrows(CheckpointException.class, () -> TorchPickleReader.open(craftedBin(storageCall, Map.of()))),
                "'torch.FloatStorage' may not be called");
        // NEWOBJ (0x81) and OBJ ('o') are not implemented at all
        byte[] newobj = new Pickle().proto(2).global("collections", "OrderedDict").op(')').op(0x81).stop().bytes();
        assertMentions(assertThrows(CheckpointException.class, () -> TorchPickleReader.open(craftedBin(newobj, Map.of()))),
                "unsupported pickle opcode 0x81");
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void offsetsStridesAndSharedStoragesAreHonoured() throws Exception {
        // storage 0 holds 0..5; 'view' is its transpose-like view (3, 2) with stride (1, 3),
        // 'tail' starts at element 4, 'matrix' is the contiguous (2, 3) view of the same storage
        Pickle p = new Pickle().proto(2).op('}').mark()
                .str("view").tensor("FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3})
                .str("tail").tensor("FloatStorage", "0", 6, 4, new long[] {2}, new long[] {1})
                .str("matrix").tensor("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1})
                .str("column").tensor("FloatStorage", "0", 6, 1, new long[] {2, 1}, new long[] {3, 1})
                .op('u').stop();
        Path bin = craftedBin(p.bytes(), Map.of("0", TestFiles.floats(0, 1, 2, 3, 4, 5)));
        try (TorchPickleReader r = TorchPickleReader.open(bin)) {
            assertEquals(Set.of("view", "tail", "matrix", "column"), r.names());
            TensorData view = r.read("view");
            assertArrayEquals(new long[] {3, 2}, view.shape());
            assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, TestFiles.floatsOf(view.data()));
            assertArrayEquals(new float[] {4, 5}, TestFiles.floatsOf(r.read("tail").data()));
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, TestFiles.floatsOf(r.read("matrix").data()));
            assertArrayEquals(new float[] {1, 4}, TestFiles.floatsOf(r.read("column").data()));
        }
    }

    @Test
    void viewBeyondItsStorageIsRefused() throws Exception {
        Pickle p = new Pickle().proto(2).op('}').mark()
                .str("w").tensor("FloatStorage", "0", 6, 3, new long[] {2, 3}, new long[] {3, 1}).op('u').stop();
        Path bin = craftedBin(p.bytes(), Map.of("0", TestFiles.floats(0, 1, 2, 3, 4, 5)));
        // refused when the file is opened (headers are checked whole), before any tensor is read
        assertMentions(assertThrows(CheckpointException.class, () -> TorchPickleReader.open(bin)),
                "tensor 'w'", "reaches element 8 of storage '0', which has 6 elements");
        // storage record shorter than the storage it claims
        Path shortBin = craftedBin(new Pickle().proto(2).op('}').mark()
                .str("w").tensor("HalfStorage", "0", 6, 0, new long[] {6}, new long[] {1}).op('u').stop().bytes(),
                Map.of("0", new byte[8]));
        assertMentions(assertThrows(CheckpointException.class, () -> TorchPickleReader.open(shortBin)),
                "storage record 'archive/data/0' holds 8 bytes", "6 elements of F16 = 12 bytes");
    }

    @Test
    void tensorsAreReadLazilyAndAMissingStorageIsRefusedWhenOpened() throws Exception {
        Pickle complete = new Pickle().proto(2).op('}').mark()
                .str("a").tensor("BFloat16Storage", "0", 2, 0, new long[] {2}, new long[] {1})
                .op('u').stop();
        byte[] a = {(byte) 0x80, 0x3F, 0x00, (byte) 0xC0}; // bf16 1.0, -2.0
        Path ok = craftedBin(complete.bytes(), Map.of("0", a));
        try (TorchPickleReader r = TorchPickleReader.open(ok)) {
            TensorData t = r.read("a");
            assertEquals(DType.BF16, t.dtype());
            assertEquals(1.0f, Bf16.toFloat(t.data().getShort(0)));
            assertEquals(-2.0f, Bf16.toFloat(t.data().getShort(2)));
        }
        // storage 1 is missing from the archive: the header check names it, before any data is read
        Pickle p = new Pickle().proto(2).op('}').mark()
                .str("a").tensor("BFloat16Storage", "0", 2, 0, new long[] {2}, new long[] {1})
                .str("b").tensor("BFloat16Storage", "1", 2, 0, new long[] {2}, new long[] {1})
                .op('u').stop();
        Path bin = craftedBin(p.bytes(), Map.of("0", a));
        assertMentions(assertThrows(CheckpointException.class, () -> TorchPickleReader.open(bin)),
                bin.toString(), "tensor 'b'", "storage record 'archive/data/1' is missing");
    }

    @Test
    void bigEndianAndNonZipFilesAreRefused() throws Exception {
        byte[] pkl = new Pickle().proto(2).op('}').stop().bytes();
        Path big = TestFiles.torchZip(tmp.resolve("big.bin"), "archive", pkl, "big", Map.of());
        assertMentions(assertThrows(CheckpointException.class, () -> TorchPickleReader.open(big)),
                big.toString(), "big-endian checkpoints are not supported");
        Path legacy = Files.write(tmp.resolve("legacy.bin"), new Pickle().proto(2).op('}').stop().bytes());
        assertMentions(assertThrows(CheckpointException.class, () -> TorchPickleReader.open(legacy)),
                "not a zip archive", "legacy");
        Path empty = TestFiles.torchZip(tmp.resolve("empty.bin"), "archive", pkl, "little", Map.of());
        assertMentions(assertThrows(CheckpointException.class, () -> TorchPickleReader.open(empty)), "holds no tensors");
        Path truncated = craftedBin(new Pickle().proto(2).op('}').mark().str("x").bytes(), Map.of());
        assertMentions(assertThrows(CheckpointException.class, () -> TorchPickleReader.open(truncated)),
                "pickle ends without a STOP opcode");
        byte[] cut = new Pickle().proto(2).op('}').str("model.embed_tokens.weight").bytes();
        Path cutBin = craftedBin(java.util.Arrays.copyOf(cut, cut.length - 5), Map.of());
        assertMentions(assertThrows(CheckpointException.class, () -> TorchPickleReader.open(cutBin)),
                "truncated or corrupt");
    }

    @Test
    void shardedBinWithIndex() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("sharded"));
        Pickle p1 = new Pickle().proto(2).op('}').mark()
                .str("x").tensor("HalfStorage", "0", 2, 0, new long[] {2}, new long[] {1}).op('u').stop();
        Pickle p2 = new Pickle().proto(2).op('}').mark()
                .str("y").tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1}).op('u').stop();
        TestFiles.torchZip(dir.resolve("pytorch_model-00001-of-00002.bin"), "pytorch_model-00001-of-00002", p1.bytes(),
                "little", Map.of("0", new byte[] {0x00, 0x3C, 0x00, (byte) 0xC0}));
        TestFiles.torchZip(dir.resolve("pytorch_model-00002-of-00002.bin"), "archive", p2.bytes(), "little",
                Map.of("0", TestFiles.floats(0.5f)));
        Files.writeString(dir.resolve("pytorch_model.bin.index.json"), "{\"metadata\": {\"total_size\": 8},"
                + " \"weight_map\": {\"x\": \"pytorch_model-00001-of-00002.bin\", \"y\": \"pytorch_model-00002-of-00002.bin\"}}");
        try (CheckpointReader r = Checkpoints.open(dir)) {
            assertEquals(Set.of("x", "y"), r.names());
            TensorData x = r.read("x");
            assertEquals(DType.F16, x.dtype());
            assertEquals(1.0f, Fp16.toFloat(x.data().getShort(0)));
            assertEquals(-2.0f, Fp16.toFloat(x.data().getShort(2)));
            assertArrayEquals(new float[] {0.5f}, TestFiles.floatsOf(r.read("y").data()));
        }
        Files.delete(dir.resolve("pytorch_model-00002-of-00002.bin"));
        assertMentions(assertThrows(CheckpointException.class, () -> Checkpoints.open(dir)),
                "pytorch_model.bin.index.json", "shard 'pytorch_model-00002-of-00002.bin'", "does not exist");
    }

    @Test
    void zip64ArchiveWithManyRecords() throws Exception {
        // more than 65535 entries makes the writer use the zip64 end-of-central-directory record
        Map<String, byte[]> storages = new LinkedHashMap<>();
        for (int i = 0; i < 70_000; i++) {
            storages.put(Integer.toString(i), new byte[0]);
        }
        storages.put("70000", TestFiles.floats(1.5f, 2.5f));
        Pickle p = new Pickle().proto(2).op('}').mark()
                .str("w").tensor("FloatStorage", "70000", 2, 0, new long[] {2}, new long[] {1}).op('u').stop();
        Path bin = craftedBin(p.bytes(), storages);
        try (TorchPickleReader r = TorchPickleReader.open(bin)) {
            assertArrayEquals(new float[] {1.5f, 2.5f}, TestFiles.floatsOf(r.read("w").data()));
        }
    }

    @Test
    void memoIndicesBeyondTheRemainingBytes() throws Exception {
        // LONG_BINPUT / LONG_BINGET with index 100000 near the end of a short pickle (real state dicts of
        // hundreds of tensors memoize thousands of objects)
        Pickle p = new Pickle().proto(2).op('}').mark().str("w")
                .tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1})
                .op('r').op(0xA0).op(0x86).op(0x01).op(0x00) // LONG_BINPUT 100000
                .str("v").op('j').op(0xA0).op(0x86).op(0x01).op(0x00) // LONG_BINGET 100000
                .op('u').stop();
        Path bin = craftedBin(p.bytes(), Map.of("0", TestFiles.floats(7)));
        try (TorchPickleReader r = TorchPickleReader.open(bin)) {
            assertEquals(Set.of("w", "v"), r.names());
            assertArrayEquals(new float[] {7}, TestFiles.floatsOf(r.read("v").data()));
        }
    }

    @Test
    void orderedDictStateDictWithMetadataAndParameters() throws Exception {
        // what older transformers saved: an OrderedDict with a _metadata attribute set by BUILD,
        // and a tensor wrapped by _rebuild_parameter
        Pickle p = new Pickle().proto(2).global("collections", "OrderedDict").op(')').reduce().mark()
                .str("w").global("torch._utils", "_rebuild_parameter").mark()
                .tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}).op(0x88)
                .global("collections", "OrderedDict").op(')').reduce().tuple().reduce()
                .op('u')
                .op('}').str("_metadata").op('}').str("").op('}').str("version").integer(1).op('s').op('s').op('s')
                .op('b').stop();
        Path bin = craftedBin(p.bytes(), new LinkedHashMap<>(Map.of("0", TestFiles.floats(3, -4))));
        try (TorchPickleReader r = TorchPickleReader.open(bin)) {
            assertEquals(Set.of("w"), r.names());
            assertArrayEquals(new float[] {3, -4}, TestFiles.floatsOf(r.read("w").data()));
        }
    }
}
