package org.mera.spark;

import org.mera.experiment.ArtifactCache;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.cell.MeraCellRunner;

import java.nio.file.Path;

/** A Spark driver in its own JVM (config file, master), for {@link KillDriverAndResumeTest}: exit 0 when the grid is complete. */
public final class SparkGridProcessMain {
    private SparkGridProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        MeraCellRunner.register();
        ExperimentConfig config = ExperimentConfig.load(Path.of(args[0]));
        ExperimentRunner.Summary s = new ExperimentRunner(config, new MeraCellRunner(new ArtifactCache(config.effectiveCacheDir()), false))
                .engine(new SparkEngine(args[1])).progressTo(System.err, false).run();
        System.exit(s.complete() ? 0 : 3);
    }
}
