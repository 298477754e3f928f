package org.bayling.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bayling.notebook.NotebookRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code notebook}: executes the project's Java notebooks without Jupyter ({@link NotebookRunner}). */
@Command(name = "notebook", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs Java notebooks (.ipynb) without Jupyter: code cells in order through JShell on this",
            "command's classpath; stdout, expression values and Display tables/charts/Markdown are written back",
            "into the notebook. The first cell that does not compile or throws stops that notebook (its error is",
            "stored in the cell). Paths under the project root are written relative to it, so outputs do not",
            "depend on where the project is checked out.",
            "",
            "  jobs/bayling notebook notebooks/*.ipynb                       refresh the committed outputs",
            "  jobs/bayling notebook --out target/notebooks notebooks/*.ipynb  execute into copies",
            ""},
        footer = {"", "Exit codes: 0 every notebook ran, 1 a cell failed, 2 bad options."})
public class NotebookCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", description = "Write executed notebooks here (default: in place).")
    Path out;

    @Parameters(arity = "1..*", paramLabel = "NOTEBOOK", description = "Notebooks to run, in order.")
    List<Path> notebooks;

    @Override
    public Integer call() throws IOException {
        PrintWriter console = spec.commandLine().getOut();
        NotebookRunner runner = NotebookRunner.onCurrentClasspath();
        int failed = 0;
        for (Path nb : notebooks) {
            Path target = out == null ? nb : out.resolve(nb.getFileName());
            long t0 = System.nanoTime();
            try {
                runner.run(nb, target);
                console.printf(Locale.ROOT, "notebook %s: ok (%.1f s) -> %s%n", nb, (System.nanoTime() - t0) / 1e9, target);
            } catch (NotebookRunner.CellFailure e) {
                failed++;
                console.println("notebook FAILED: " + e.getMessage() + " -> " + target);
            }
            console.flush();
        }
        console.printf("notebooks: %d ran, %d failed%n", notebooks.size() - failed, failed);
        console.flush();
        return failed == 0 ? 0 : 1;
    }
}
