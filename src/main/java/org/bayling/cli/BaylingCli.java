package org.bayling.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code jobs/bayling}: the project's command line. Each subcommand parses its options and calls into the library. */
@Command(name = "bayling", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Distributed batch translation with BayLing on Apache Spark and DJL.",
        subcommands = {TranslateCommand.class, GenerateCommand.class, EvaluateCommand.class, ReportCommand.class, ApplyDeltaCommand.class, MakeDeltaCommand.class,
                BenchCommand.class, NotebookCommand.class, PlanCommand.class})
public final class BaylingCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true"); // weights come from paths only; DJL never downloads
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with the project's error handling: a precision this PyTorch build cannot run
     * (or another bad option value found while loading) is a configuration error, one line, exit 2.
     */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BaylingCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof org.bayling.model.UnsupportedPrecisionException) {
                commandLine.getErr().println(commandLine.getCommandName() + ": " + e.getMessage());
                return ExitCodes.BAD_CONFIGURATION;
            }
            throw e;
        });
        return cli;
    }
}
