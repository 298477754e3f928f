package org.bayling.cli;

import java.io.PrintStream;
import org.apache.hadoop.conf.Configuration;
import org.bayling.spark.ExecutorMemory;
import org.bayling.spark.HadoopModelFiles;
import org.bayling.spark.TranslateOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code plan}: the memory plan {@code translate} would make with the same options, printed as a table, without
 * starting Spark or reading any weight. Exits 2 with the same one line as {@code translate} when the model
 * cannot fit.
 */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = CommandLine.PropertiesDefaultProvider.class,
        description = {"Print the memory plan of a translate run (weights, KV cache, activations, tokenizer, quality",
                "models, heap, runtime; executor settings) from config.json and checkpoint headers only.",
                "Takes translate's options; exit 2 when the model cannot fit, as translate would."})
public final class PlanCommand extends TranslateCommand {

    public PlanCommand() {
        super(System.out, System.err);
    }

    PlanCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    public Integer call() {
        TranslateOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            err.println("plan: " + e.getMessage());
            return ExitCodes.BAD_CONFIGURATION;
        }
        try {
            Configuration conf = hadoopConfiguration();
            HadoopModelFiles.check(options.translation().model(), conf);
            ExecutorMemory.Result r = ExecutorMemory.check(sparkConf(), conf, options.translation());
            out.println(r.plan().toTable());
            out.printf(java.util.Locale.ROOT, "  %-26s %12s%n", "checked against",
                    r.available() < 0 ? "unknown" : String.format(java.util.Locale.ROOT, "%.1f", r.available() / 1048576.0));
            out.println("  (" + r.availableFrom() + ")");
            out.println("  max batch tokens: " + r.settings().maxBatchTokens());
            r.sparkConf().forEach((k, v) -> out.println("  spark setting: --conf " + k + "=" + v));
            for (String note : r.notes()) {
                out.println("  note: " + note);
            }
            out.flush();
            return ExitCodes.OK;
        } catch (RuntimeException e) {
            return CommandFailure.report("plan", e, err, false);
        }
    }
}
