package org.mera.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mera} command line: one subcommand per job. */
@Command(
        name = "mera",
        mixinStandardHelpOptions = true,
        version = "mera 0.1.0",
        description = "Merge pretrained adapters (MerA) and learn new tasks from a handful of examples.",
        subcommands = {
            DemoCommand.class,
            ModelsCommand.class,
            EncodeCommand.class,
            FillMaskCommand.class,
            TrainCommand.class,
            EvalCommand.class,
            PredictCommand.class,
            FewshotCommand.class,
            TaskCommand.class,
            MergeCommand.class,
            ExperimentCommand.class,
            ReportCommand.class,
            CompareCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Inherited by every subcommand, so {@code mera merge --debug ...} works as well as {@code mera --debug merge}. */
    @CommandLine.Option(
            names = "--debug",
            scope = CommandLine.ScopeType.INHERIT,
            description = "print the stack trace of every error (also MERA_DEBUG=1)")
    void setDebug(boolean debug) {
        if (debug) {
            System.setProperty("mera.debug", "true");
        }
    }

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        org.mera.experiment.cell.MeraCellRunner.register();
        System.exit(execute(args));
    }

    /** Runs one command line with the runner already registered (tests register their own) and returns its exit code. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with mera's error boundary ({@link CommandErrors}) installed. */
    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(CommandErrors.handler());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
