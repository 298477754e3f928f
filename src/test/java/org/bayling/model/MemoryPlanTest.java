package org.bayling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bayling.model.checkpoint.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16: the memory plan's arithmetic, its refusal line, and what the process may use. */
class MemoryPlanTest {

    @TempDir
    Path tmp;

    static ModelConfig config(int hidden, int layers, int heads, int kvHeads, int ff) throws Exception {
        return ModelConfig.parse("{\"hidden_size\": " + hidden + ", \"intermediate_size\": " + ff
                + ", \"num_hidden_layers\": " + layers + ", \"num_attention_heads\": " + heads
                + ", \"num_key_value_heads\": " + kvHeads + ", \"vocab_size\": 32000, \"max_position_embeddings\": 2048}",
                "config.json");
    }

    static final MemoryPlan.Workload ONE = new MemoryPlan.Workload(1, 16, 64, 1);
    static final MemoryPlan.Extras NONE = new MemoryPlan.Extras(0, 0, 0, 0);

    @Test
    void weightsOfTheSevenBShapeInEachStorage() throws Exception {
        ModelConfig c = config(4096, 32, 32, 32, 11008);
        MemoryPlan f32 = MemoryPlan.of(c, DType.F16, Precision.F32, ONE, NONE, true);
        assertEquals(6_738_415_616L, f32.parameters(), "LLaMA-7B's parameter count");
        long normsAndRotate = (32L * 2 * 4096 + 4096) * 4; // norms are folded into matrices, not stored
        assertEquals(6_738_415_616L * 4 - normsAndRotate + 128L * 128 * 4, f32.weights());
        MemoryPlan f16 = MemoryPlan.of(c, DType.F16, new Precision(DType.F32, WeightStorage.F16), ONE, NONE, true);
        assertEquals((6_738_415_616L - 32L * 2 * 4096 - 4096) * 2 + 128L * 128 * 4, f16.weights());
        // int8: one byte per projection weight, a bfloat16 scale per output row; embedding and head at 16 bits
        MemoryPlan int8 = MemoryPlan.of(c, DType.F16, new Precision(DType.F32, WeightStorage.INT8), ONE, NONE, true);
        long layer = 4096L * 4096 * 4 + 3 * 4096L * 11008;
        long rows = 3 * 4096 + 4096 + 2 * 11008 + 4096;
        assertEquals(32 * (layer + rows * 2) + 2 * 32000L * 4096 * 2 + 128L * 128 * 4, int8.weights());
        // the dequantizing path (GPUs) keeps float32 scales
        MemoryPlan gpu = MemoryPlan.of(c, DType.F16, new Precision(DType.F32, WeightStorage.INT8), ONE, NONE, false);
        assertEquals(32 * rows * 2, gpu.weights() - int8.weights());
    }

    @Test
    void kvCacheIsLayersTimesTwoTimesKvHeadsTimesHeadDimTimesTokensTimesBytes() throws Exception {
        ModelConfig tinyLlama = config(2048, 22, 32, 4, 5632); // GQA: 4 KV heads of 64
        MemoryPlan.Workload w = new MemoryPlan.Workload(8, 100, 256, 2);
        MemoryPlan f32 = MemoryPlan.of(tinyLlama, DType.F16, Precision.F32, w, NONE, true);
        assertEquals(22L * 2 * 4 * 64 * (8 * 256) * 4 * 2, f32.kvCache());
        MemoryPlan f16 = MemoryPlan.of(tinyLlama, DType.F16, new Precision(DType.F16, WeightStorage.F16), w, NONE, true);
        assertEquals(f32.kvCache() / 2, f16.kvCache());
        assertEquals(f32.peakBytes(),
                f32.weights() + Math.max(f32.loading() + f32.residue(), f32.kvCache() + f32.activations()));
    }

    @Test
    void theCacheGrowsAsKvCacheDoes() {
        assertEquals(64, MemoryPlan.cacheCapacity(10, 20));
        assertEquals(128, MemoryPlan.cacheCapacity(65, 65));
        assertEquals(1024, MemoryPlan.cacheCapacity(10, 1000), "decode steps double it");
        assertEquals(1000, MemoryPlan.cacheCapacity(1000, 1000), "a prefill grows it to the prompt");
        assertEquals(2000, MemoryPlan.cacheCapacity(1000, 1025));
    }

    @Test
    void theRefusalIsOneLineNamingOnlyTheStoragesThatFit() throws Exception {
        ModelConfig c = config(4096, 32, 32, 32, 11008);
        MemoryPlan.Extras extras = MemoryPlan.Extras.command(1_282_341);
        MemoryPlan.Workload w = new MemoryPlan.Workload(1, 100, 512, 1);
        MemoryCheck.ModelFacts facts = new MemoryCheck.ModelFacts(c, List.of(), 1_282_341);
        MemoryPlan f32 = facts.plan(Precision.F32, w, extras, true);
        long available = 22_000_000_000L;
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> MemoryCheck.require(f32, available, "available", MemoryCheck.replanner(facts, f32, true)));
        String m = e.getMessage();
        assertTrue(m.matches("model needs ~2\\d\\.\\d GB in f32 \\(weights 27\\.0 GB, KV cache 0\\.\\d GB\\); ~22 GB available;"
                + " use --weights int8 \\(~\\d\\.\\d GB\\) or --weights f16 \\(~1\\d\\.\\d GB\\)"), m);
        assertFalse(m.contains("\n"));
        // with 12 GB only int8 fits
        String twelve = MemoryCheck.refusal(f32, 12_000_000_000L, "available", MemoryCheck.replanner(facts, f32, true));
        assertTrue(twelve.endsWith("use --weights int8 (~" + String.format(java.util.Locale.ROOT, "%.1f",
                MemoryPlan.gb(facts.plan(new Precision(DType.F32, WeightStorage.INT8), w, extras, true).peakBytes())) + " GB)"),
                twelve);
        // with 4 GB nothing fits
        String four = MemoryCheck.refusal(f32, 4_000_000_000L, "available", MemoryCheck.replanner(facts, f32, true));
        assertTrue(four.contains("; even --weights int8 needs ~"), four);
        // a plan that fits passes
        MemoryCheck.require(f32, f32.peakBytes(), "available", MemoryCheck.replanner(facts, f32, true));
    }

    @Test
    void availableMemoryIsTheSmallerOfHostAndCgroupUnlessSet() throws Exception {
        Path proc = Files.createDirectories(tmp.resolve("proc/self"));
        Files.writeString(proc.resolve("status"), "Name:\tjava\nVmHWM:\t  400000 kB\nVmRSS:\t  300000 kB\n");
        Files.writeString(tmp.resolve("proc/meminfo"), "MemTotal:       24000000 kB\nMemFree:  1 kB\nMemAvailable:   20000000 kB\n");
        Files.writeString(proc.resolve("cgroup"), "0::/job.slice\n");
        Path cg = Files.createDirectories(tmp.resolve("cgroup/job.slice"));
        Files.writeString(cg.resolve("memory.max"), "max\n");
        AvailableMemory host = AvailableMemory.detect(tmp.resolve("proc"), tmp.resolve("cgroup"), null);
        assertEquals((20_000_000L + 300_000L) * 1024, host.bytes(), "MemAvailable plus what this process holds");
        Files.writeString(cg.resolve("memory.max"), "8589934592\n");
        Files.writeString(cg.resolve("memory.current"), String.valueOf(1024L * 300_000 + 1_000_000_000L));
        AvailableMemory group = AvailableMemory.detect(tmp.resolve("proc"), tmp.resolve("cgroup"), null);
        assertEquals(8589934592L - 1_000_000_000L, group.bytes(), "the limit less what others in the group use");
        assertEquals("cgroup memory limit", group.source());
        assertEquals(4L << 30, AvailableMemory.detect(tmp.resolve("proc"), tmp.resolve("cgroup"), "4g").bytes());
        assertEquals(40L << 30, AvailableMemory.detect(tmp.resolve("proc"), tmp.resolve("cgroup"), "40g").bytes(),
                "the setting replaces what was detected");
        // cgroup v1
        Files.writeString(proc.resolve("cgroup"), "12:memory:/docker/abc\n");
        Path v1 = Files.createDirectories(tmp.resolve("cgroup/memory/docker/abc"));
        Files.writeString(v1.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
        assertEquals(host.bytes(), AvailableMemory.detect(tmp.resolve("proc"), tmp.resolve("cgroup"), null).bytes(),
                "v1's unlimited value is no limit");
        Files.writeString(v1.resolve("memory.limit_in_bytes"), "2147483648\n");
        Files.writeString(v1.resolve("memory.usage_in_bytes"), String.valueOf(1024L * 300_000));
        assertEquals(2147483648L, AvailableMemory.detect(tmp.resolve("proc"), tmp.resolve("cgroup"), null).bytes());
        // nothing readable: unknown, and every plan passes
        AvailableMemory none = AvailableMemory.detect(tmp.resolve("nothing"), tmp.resolve("nothing"), null);
        assertFalse(none.known());
    }

    @Test
    void sizesAreReadAsSparkWritesThem() {
        assertEquals(22L << 30, AvailableMemory.parseSize("22g"));
        assertEquals(1500L << 20, AvailableMemory.parseSize("1500m"));
        assertEquals(22L << 30, AvailableMemory.parseSize("22GB"));
        assertEquals(123, AvailableMemory.parseSize("123"));
        assertThrows(IllegalArgumentException.class, () -> AvailableMemory.parseSize("lots"));
    }
}
