package org.mera.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.experiment.ArtifactCache;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.cell.MeraCellRunner;
import org.mera.experiment.ResultRecord;
import org.mera.experiment.ResultStore;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Spark driver (local[2]) killed with SIGKILL in the middle of the tiny grid, then run again with the same config,
 * ends with exactly the local engine's results: no finished cell lost, none recorded twice.
 */
class KillDriverAndResumeTest {
    @Test
    void killedDriverResumesWithoutLoss(@TempDir Path tmp) throws Exception {
        Path inputs = TinyGrid.inputs(tmp.resolve("inputs"));
        ExperimentConfig reference = TinyGrid.load(TinyGrid.config(inputs, tmp.resolve("local.yaml"), tmp.resolve("local")));
        MeraCellRunner.register();
        try {
            ExperimentRunner.Summary ref = new ExperimentRunner(reference, new MeraCellRunner(new ArtifactCache(reference.effectiveCacheDir()),
                    false)).progressTo(new PrintStream(OutputStream.nullOutputStream()), false).run();
            assertTrue(ref.complete());
        } finally {
            org.mera.experiment.CellRunnerFactory.REGISTERED.set(null);
        }

        Path cfg = TinyGrid.config(inputs, tmp.resolve("spark.yaml"), tmp.resolve("spark"));
        Path results = tmp.resolve("spark/results.jsonl");
        Process first = launch(cfg, tmp.resolve("first.txt"));
        long start = System.nanoTime();
        // Kill once two cells are in (the source stage is over and cells are running), not by the clock.
        while (first.isAlive() && count(results) < 2 && System.nanoTime() - start < 300_000_000_000L) {
            Thread.sleep(20);
        }
        first.destroyForcibly();
        assertTrue(first.waitFor(60, TimeUnit.SECONDS));
        int kept = count(results);
        assertTrue(kept >= 2 && kept < TinyGrid.CELLS, "killed mid-grid with " + kept + " cells in: " + Files.readString(tmp.resolve("first.txt")));

        Process second = launch(cfg, tmp.resolve("second.txt"));
        assertTrue(second.waitFor(300, TimeUnit.SECONDS), "the resumed run did not finish");
        String log = Files.readString(tmp.resolve("second.txt"));
        assertEquals(0, second.exitValue(), log);
        assertTrue(log.contains(kept + " already done, " + (TinyGrid.CELLS - kept) + " to run"), log);
        assertTrue(log.contains("ended without closing its record (its process was killed)"), log);

        List<String> keys = new ArrayList<>();
        for (String line : Files.readAllLines(results)) {
            keys.add(org.mera.io.Json.CANONICAL.readValue(line, ResultRecord.class).key());
        }
        Set<String> unique = new HashSet<>(keys);
        assertEquals(keys.size(), unique.size(), "a cell recorded twice");
        TinyGrid.assertSameResults(tmp.resolve("local"), tmp.resolve("spark"));
    }

    private static int count(Path results) throws IOException {
        return Files.exists(results) ? ResultStore.read(results).byKey().size() : 0;
    }

    private static Process launch(Path config, Path log) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g"));
        cmd.addAll(SparkProcesses.javaOpens());
        cmd.addAll(List.of("-cp", cp, SparkGridProcessMain.class.getName(), config.toString(), "local[2]"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
