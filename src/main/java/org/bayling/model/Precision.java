package org.bayling.model;

import ai.djl.Device;
import java.io.Serializable;
import java.util.Locale;
import org.bayling.model.checkpoint.DType;

/**
 * The numbers the decoder works in: the compute dtype (activations, KV cache, attention masks,
 * rotary tables; logits, log-softmax and search arithmetic are always float32) and how the weight
 * matrices are stored ({@link WeightStorage}). Chosen with {@code --dtype} and {@code --weights}.
 */
public record Precision(DType compute, WeightStorage weights) implements Serializable {

    /** Float32 everywhere: what Hugging Face's float32 model computes. */
    public static final Precision F32 = new Precision(DType.F32, WeightStorage.F32);

    public Precision {
        if (compute != DType.F32 && compute != DType.F16 && compute != DType.BF16) {
            throw new IllegalArgumentException("compute dtype must be f32, f16 or bf16, not " + compute);
        }
    }

    /**
     * Resolves the option values ({@code auto} or a type name). {@code --dtype auto}: float32 on CPU;
     * on a GPU bfloat16 when the checkpoint is bfloat16, else float16. {@code --weights auto}: the
     * compute dtype (weights stored as computed).
     *
     * @param checkpointDtype the checkpoint's {@code torch_dtype} (e.g. {@code float16}), may be null
     */
    public static Precision resolve(String dtype, String weights, Device device, String checkpointDtype) {
        DType compute;
        if (dtype == null || dtype.isBlank() || dtype.trim().equalsIgnoreCase("auto")) {
            boolean bf16Checkpoint = checkpointDtype != null && checkpointDtype.toLowerCase(Locale.ROOT).contains("bfloat16");
            compute = device != null && device.isGpu() ? (bf16Checkpoint ? DType.BF16 : DType.F16) : DType.F32;
        } else {
            compute = parseDtype(dtype, "--dtype", "auto, f32, f16 or bf16");
        }
        WeightStorage storage = weights == null || weights.isBlank() || weights.trim().equalsIgnoreCase("auto")
                ? WeightStorage.of(compute) : WeightStorage.parse(weights);
        return new Precision(compute, storage);
    }

    /** Parses {@code f32|f16|bf16} and their long names; the message names the option and what it takes. */
    static DType parseDtype(String value, String option, String expected) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "f32", "fp32", "float32", "float" -> DType.F32;
            case "f16", "fp16", "float16", "half" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new IllegalArgumentException(option + " '" + value + "' is not one of " + expected);
        };
    }

    /**
     * The dtype of the token embedding and the LM head: the storage dtype for float storage; with
     * int8 storage 16 bits (bfloat16, or float16 when computing in float16). They are 2-4% of a
     * BayLing model's weights, and the head decides every token, so they keep their precision.
     */
    public DType embeddingDtype() {
        if (weights != WeightStorage.INT8) {
            return weights.dtype();
        }
        return compute == DType.F16 ? DType.F16 : DType.BF16;
    }

    /** {@code f32}, {@code f16} or {@code bf16}. */
    public static String label(DType dtype) {
        return dtype.name().toLowerCase(Locale.ROOT);
    }

    /** E.g. {@code dtype bf16, weights int8}. */
    @Override
    public String toString() {
        return "dtype " + label(compute) + ", weights " + weights.label();
    }
}
