package org.mera.experiment;

import java.nio.file.Path;
import org.mera.experiment.cell.MeraCellRunner;

/** Runs a grid with the real {@link MeraCellRunner} in its own JVM, for {@link RealKillAndResumeTest}. */
public final class RealGridProcessMain {
    private RealGridProcessMain() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        ExperimentConfig config = ExperimentConfig.load(Path.of(args[0]));
        ExperimentRunner.Summary s = new ExperimentRunner(
                        config, new MeraCellRunner(new ArtifactCache(config.effectiveCacheDir()), false))
                .progressTo(System.err, false)
                .run();
        System.exit(s.complete() ? 0 : 3);
    }
}
