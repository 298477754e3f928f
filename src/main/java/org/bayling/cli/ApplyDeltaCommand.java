package org.bayling.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.bayling.model.checkpoint.CheckpointException;
import org.bayling.model.checkpoint.DType;
import org.bayling.model.checkpoint.DeltaApplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code apply-delta}: restores BayLing-7B/13B v1.0 from LLaMA weights plus the published deltas. */
@Command(name = "apply-delta", mixinStandardHelpOptions = true,
        description = "Adds weight deltas (BayLing v1.0) to the original LLaMA weights and writes a safetensors checkpoint"
                + " with the delta's config and tokenizer files.")
public final class ApplyDeltaCommand implements Callable<Integer> {

    @Option(names = "--base", required = true, paramLabel = "DIR", description = "Original LLaMA checkpoint (Hugging Face layout).")
    Path base;

    @Option(names = "--delta", required = true, paramLabel = "DIR", description = "Delta checkpoint.")
    Path delta;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Directory for the restored model.")
    Path output;

    @Option(names = "--dtype", paramLabel = "f16|bf16|f32", converter = DTypeOption.class,
            description = "Output dtype (default: the model dtype recorded in the delta, else the base dtype).")
    DType dtype;

    @Option(names = "--max-shard-size", paramLabel = "SIZE", converter = DTypeOption.Size.class, defaultValue = "5GB",
            description = "Largest output shard (default: ${DEFAULT-VALUE}).")
    long maxShardBytes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            DeltaApplier.Result r = new DeltaApplier(dtype, maxShardBytes).apply(base, delta, output);
            spec.commandLine().getOut().printf("apply-delta: wrote %d tensors to %s (%d weight files, %d config/tokenizer files)%n",
                    r.tensors(), output, r.weightFiles().size(), r.sideFiles().size());
            return 0;
        } catch (CheckpointException e) {
            spec.commandLine().getErr().println("apply-delta: " + e.getMessage());
            return 1;
        }
    }
}
