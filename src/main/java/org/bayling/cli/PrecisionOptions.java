package org.bayling.cli;

import picocli.CommandLine.Option;

/** {@code --dtype} and {@code --weights}, shared by {@code translate}, {@code generate} and {@code bench}. */
public final class PrecisionOptions {

    @Option(names = "--dtype", defaultValue = "auto", paramLabel = "auto|f32|f16|bf16",
            description = "Compute dtype (activations, KV cache). auto: f32 on CPU; on a GPU bf16 for bfloat16 checkpoints,"
                    + " else f16. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--weights", defaultValue = "auto", paramLabel = "auto|f32|f16|bf16|int8",
            description = "How weight matrices are held: auto (as computed), f32, f16, bf16 or int8 (weight-only,"
                    + " per-row scales). Default: ${DEFAULT-VALUE}.")
    String weights;
}
