package org.mera.experiment;

/**
 * The real CLI ({@code org.mera.cli.Main}) with {@link CheapCellRunner} as its cell runner, in its own JVM, so that
 * {@link InterruptAndResumeTest} can signal it as a user's Ctrl-C or {@code kill} would. Property
 * {@code mera.test.cellSleepMs}: how long each cell takes.
 */
public final class CliProcessMain {
    private CliProcessMain() {}

    public static void main(String[] args) {
        long sleepMs = Long.getLong("mera.test.cellSleepMs", 0);
        CellRunnerFactory.register((cfg, cache) -> new CheapCellRunner(sleepMs));
        System.exit(org.mera.cli.Main.execute(args));
    }
}
