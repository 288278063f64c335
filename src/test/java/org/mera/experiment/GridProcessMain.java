package org.mera.experiment;

import java.nio.file.Path;

/**
 * Runs a grid with {@link CheapCellRunner} in its own JVM, so that {@link KillAndResumeTest} can kill it
 * at arbitrary moments. Arguments: CONFIG.yaml SLEEP_MS.
 */
public final class GridProcessMain {
    private GridProcessMain() {}

    public static void main(String[] args) throws Exception {
        ExperimentConfig config = ExperimentConfig.load(Path.of(args[0]));
        ExperimentRunner.Summary s = new ExperimentRunner(config, new CheapCellRunner(Long.parseLong(args[1])))
                .progressTo(System.err, false)
                .run();
        System.out.println(
                "ran " + s.cellsRun() + " of " + s.cellsTotal() + " (done before: " + s.cellsDoneBefore() + ")");
        System.exit(s.complete() ? 0 : 3);
    }
}
