package org.bayling.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bayling.model.Precision;
import org.bayling.bench.StepProfile.Frame;
import org.junit.jupiter.api.Test;

/** Which part of a decode step a sample is charged to, and a real profiled run on the tiny model. */
class StepProfileTest {

    private static List<Frame> stack(String... typeAndMethod) {
        return java.util.stream.IntStream.range(0, typeAndMethod.length / 2)
                .mapToObj(i -> new Frame(typeAndMethod[2 * i], typeAndMethod[2 * i + 1])).toList();
    }

    private static final String JNI = "ai.djl.pytorch.jni.PyTorchLibrary";
    private static final String OPS = "org.bayling.model.TorchOps";
    private static final String MODEL = "org.bayling.model.LlamaModel";

    @Test
    void productsAreChargedToTheWeightsTheyRead() {
        assertEquals("products_attention", StepProfile.part(stack(JNI, "moduleRunMethod", OPS, "run", OPS, "call",
                OPS, "linearOneDnn", "org.bayling.model.Projection$Prepacked", "apply", MODEL, "attention", MODEL, "forward")));
        assertEquals("products_mlp", StepProfile.part(stack(JNI, "moduleRunMethod", OPS, "run", OPS, "call",
                OPS, "int8Linear", "org.bayling.model.Projection$Int8", "apply", MODEL, "mlp", MODEL, "forward")));
        assertEquals("product_lm_head", StepProfile.part(stack(JNI, "moduleRunMethod", OPS, "run", OPS, "call",
                OPS, "linearAs", "org.bayling.model.Projection$Dense", "apply", MODEL, "logitsAndLogSumExp")));
    }

    @Test
    void otherOperationsByTheirTorchOpsMethod() {
        assertEquals("attention_core", StepProfile.part(stack(JNI, "moduleRunMethod", OPS, "run", OPS, "call",
                OPS, "attend", MODEL, "attention", MODEL, "forward")));
        assertEquals("rms_norm", StepProfile.part(stack(JNI, "moduleRunMethod", OPS, "run", OPS, "call",
                OPS, "rmsNorm", MODEL, "rmsNorm", MODEL, "forward")));
        assertEquals("log_sum_exp", StepProfile.part(stack(JNI, "moduleRunMethod", OPS, "run",
                OPS, "logitsWithLogSumExp", MODEL, "logitsAndLogSumExp")));
        // DJL's own calls (the residual adds) and TorchOps calls outside the named operations are "other"
        assertEquals("other", StepProfile.part(stack(JNI, "torchAdd", "ai.djl.pytorch.engine.PtNDArray", "add",
                MODEL, "forward")));
        assertEquals("other", StepProfile.part(stack(JNI, "moduleRunMethod", OPS, "run", OPS, "call",
                OPS, "cast", MODEL, "forward")));
    }

    @Test
    void aProfiledRunSharesItsSamplesAmongTheParts() throws Exception {
        Map<String, Object> report = DecoderBenchmark.run(Path.of("models/tiny-bayling"), Precision.F32, List.of(2), 8,
                16, 0, true);
        @SuppressWarnings("unchecked")
        Map<String, Object> run = ((List<Map<String, Object>>) report.get("runs")).get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> profile = (Map<String, Object>) run.get("step_profile");
        assertTrue(((Number) profile.get("samples")).intValue() > 20, "samples: " + profile);
        assertTrue(((Number) profile.get("mean_ms_per_step")).doubleValue() > 0);
        @SuppressWarnings("unchecked")
        Map<String, Number> shares = (Map<String, Number>) profile.get("share_pct");
        assertEquals(StepProfile.PARTS, List.copyOf(shares.keySet()));
        assertEquals(100, shares.values().stream().mapToDouble(Number::doubleValue).sum(), 0.5);
        assertTrue(shares.get("products_mlp").doubleValue() > 0, "a decode step multiplies by the MLP: " + shares);
    }
}
