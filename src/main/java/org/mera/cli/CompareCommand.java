package org.mera.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mera.experiment.report.ResultComparison;
import org.mera.io.AtomicFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mera compare A_DIR B_DIR}: two experiment folders' results side by side, paired by seed. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        header = "Compare two experiment folders cell by cell, with paired statistics.",
        description = {
            "Compare two experiment folders cell by cell: for each method and task both have, each side's mean ± std "
                    + "on the seeds both have and B − A paired by seed (a seed is the same few-shot split in both), as a Markdown table, with a "
                    + "paired bootstrap 95%% CI over seeds and test examples (where both folders stored per-example predictions), a paired "
                    + "t-test p, Holm-adjusted p, wins/ties/losses and the verdict the CI allows. Use it for one "
                    + "grid run two ways (another head, encoder or source recipe). No training; only each folder's current grid counts."
        })
public final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "A_DIR", description = "the baseline experiment's output folder")
    Path dirA;

    @Parameters(index = "1", paramLabel = "B_DIR", description = "the experiment compared with it")
    Path dirB;

    @Option(
            names = "--labels",
            paramLabel = "A,B",
            hideParamSyntax = true, // two names, not "A,B[,A,B...]"
            split = ",",
            description = "names for the two sides in the table (default: the folders' names)")
    String[] labels;

    @Option(names = "--out", paramLabel = "FILE", description = "write the Markdown here instead of to standard output")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (labels != null && labels.length != 2) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--labels needs two names, A,B; got " + labels.length);
        }
        return CommandErrors.run("compare", spec.commandLine().getErr(), this::run);
    }

    private Integer run() throws Exception {
        String labelA =
                labels == null ? dirA.toAbsolutePath().normalize().getFileName().toString() : labels[0];
        String labelB =
                labels == null ? dirB.toAbsolutePath().normalize().getFileName().toString() : labels[1];
        String md = ResultComparison.markdown(ResultComparison.compare(dirA, dirB), labelA, labelB);
        if (out == null) {
            System.out.print(md);
        } else {
            AtomicFiles.writeString(out, md);
            System.out.println("wrote " + out);
        }
        return 0;
    }
}
