package org.bayling.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.bayling.model.checkpoint.CheckpointException;
import org.bayling.model.checkpoint.DType;
import org.bayling.model.checkpoint.DeltaApplier;
import org.bayling.model.checkpoint.DeltaMaker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code make-delta}: the inverse of {@code apply-delta}, delta = model - base. */
@Command(name = "make-delta", mixinStandardHelpOptions = true,
        description = "Writes weight deltas (model - base) that apply-delta turns back into the model.")
public final class MakeDeltaCommand implements Callable<Integer> {

    @Option(names = "--base", required = true, paramLabel = "DIR", description = "Base checkpoint.")
    Path base;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Fine-tuned checkpoint.")
    Path model;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Directory for the delta.")
    Path output;

    @Option(names = "--dtype", paramLabel = "f16|bf16|f32|f64", converter = DTypeOption.class,
            description = "Delta dtype (default: the narrowest of f32/f64 that restores the model bit for bit; f16 is lossy).")
    DType dtype;

    @Option(names = "--max-shard-size", paramLabel = "SIZE", converter = DTypeOption.Size.class, defaultValue = "5GB",
            description = "Largest output shard (default: ${DEFAULT-VALUE}).")
    long maxShardBytes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            DeltaApplier.Result r = new DeltaMaker(dtype, maxShardBytes).make(model, base, output);
            spec.commandLine().getOut().printf("make-delta: wrote %d tensors to %s (%d weight files)%n",
                    r.tensors(), output, r.weightFiles().size());
            return 0;
        } catch (CheckpointException e) {
            spec.commandLine().getErr().println("make-delta: " + e.getMessage());
            return 1;
        }
    }
}
