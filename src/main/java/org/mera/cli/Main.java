package org.mera.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mera} command line: one subcommand per job. */
@Command(name = "mera", mixinStandardHelpOptions = true, version = "mera 0.1.0",
        description = "Merge pretrained adapters (MerA) and learn new tasks from a handful of examples.",
        subcommands = {DemoCommand.class, ModelsCommand.class, EncodeCommand.class, FillMaskCommand.class, TrainCommand.class,
            EvalCommand.class, PredictCommand.class, FewshotCommand.class, TaskCommand.class, MergeCommand.class, ExperimentCommand.class, ReportCommand.class, CompareCommand.class,
            BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        org.mera.experiment.MeraCellRunner.register();
        int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        System.exit(code);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
