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
                .setHelpFactory(Main::help)
                .setExecutionExceptionHandler(CommandErrors.handler());
    }

    /**
     * picocli's help, except that an option without a {@code paramLabel} shows its name in capitals ({@code
     * --batch-size=BATCH_SIZE}, argparse's convention) instead of the Java field behind it ({@code <batchSize>}).
     */
    private static CommandLine.Help help(CommandLine.Model.CommandSpec spec, CommandLine.Help.ColorScheme colors) {
        return new CommandLine.Help(spec, colors) {
            @Override
            public CommandLine.Help.IParamLabelRenderer parameterLabelRenderer() {
                CommandLine.Help.IParamLabelRenderer plain = super.parameterLabelRenderer();
                return new CommandLine.Help.IParamLabelRenderer() {
                    @Override
                    public CommandLine.Help.Ansi.Text renderParameterLabel(
                            CommandLine.Model.ArgSpec arg,
                            CommandLine.Help.Ansi ansi,
                            java.util.List<CommandLine.Help.Ansi.IStyle> styles) {
                        CommandLine.Help.Ansi.Text text = plain.renderParameterLabel(arg, ansi, styles);
                        String label = arg.paramLabel();
                        if (!label.matches("<[A-Za-z0-9]+>")) {
                            return text; // set by hand
                        }
                        String name = arg instanceof CommandLine.Model.OptionSpec o
                                ? o.longestName().replaceFirst("^-+", "")
                                : label.substring(1, label.length() - 1);
                        String capitals = name.replaceAll("([a-z])([A-Z])", "$1_$2")
                                .replace('-', '_')
                                .toUpperCase(java.util.Locale.ROOT);
                        return ansi.new Text(text.plainString().replace(label, capitals), colors);
                    }

                    @Override
                    public String separator() {
                        return plain.separator();
                    }
                };
            }
        };
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
