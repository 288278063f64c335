package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.experiment.cell.MeraCellRunner;
import org.mera.io.Json;

/**
 * The real runner (source adapters trained and cached, merged, fine-tuned) on a tiny encoder and real GLUE
 * slices: a grid killed at random points and re-run ends with exactly the results of an uninterrupted run,
 * no cell missing or doubled.
 */
@Tag("glue")
class RealKillAndResumeTest {
    @Test
    void killedRealGridEqualsUninterruptedRun(@TempDir Path tmp) throws Exception {
        Path encoder = TinyGlue.encoder(tmp.resolve("tiny-bert"));
        Path data = TinyGlue.data(tmp.resolve("glue"), List.of(13, 21));
        Path referenceOut = tmp.resolve("reference");
        Path killedOut = tmp.resolve("killed");

        ExperimentConfig reference =
                ExperimentConfig.load(config(tmp.resolve("reference.yaml"), encoder, data, referenceOut));
        ExperimentRunner.Summary ref = new ExperimentRunner(
                        reference, new MeraCellRunner(new ArtifactCache(reference.effectiveCacheDir()), false))
                .progressTo(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), false)
                .run();
        assertTrue(ref.complete());
        int total = ref.cellsTotal();
        assertEquals(2 * 4, total, "2 seeds x (adapter, single x 2, mera-ot)");

        Path cfg = config(tmp.resolve("killed.yaml"), encoder, data, killedOut);
        Path results = killedOut.resolve(ExperimentRunner.RESULTS_FILE);
        Random random = new Random(11);
        int kills = 0;
        int previous = 0;
        for (int attempt = 0; attempt < 4 && previous < total; attempt++) {
            Process p = launch(cfg, tmp.resolve("stderr-" + attempt + ".txt"));
            // Kill at a random moment by progress, not by the clock (a fast machine finished the whole grid inside
            // a fixed delay): once the run has made 0 or 1 more cells, and at least 1.5 s after its start (so the
            // first kill can land while source adapters train), after a further random 0-0.5 s.
            int target = Math.min(total - 3, previous + random.nextInt(2));
            long start = System.nanoTime();
            while (p.isAlive()
                    && (count(results) < target || System.nanoTime() - start < 1_500_000_000L)
                    && System.nanoTime() - start < 120_000_000_000L) {
                Thread.sleep(20);
            }
            Thread.sleep(random.nextInt(500));
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            int now = Files.exists(results) ? ResultStore.read(results).byKey().size() : 0;
            assertTrue(now >= previous, "a kill lost finished cells");
            if (now < total) {
                kills++;
            }
            previous = now;
        }
        assertTrue(kills >= 2, "expected kills in the middle of the grid");
        Process last = launch(cfg, tmp.resolve("stderr-final.txt"));
        assertTrue(last.waitFor(300, TimeUnit.SECONDS), "final run did not finish");
        assertEquals(0, last.exitValue(), Files.readString(tmp.resolve("stderr-final.txt")));

        List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
        assertEquals(total, lines.size(), "one line per cell, none doubled");
        Set<String> keys = new HashSet<>();
        for (String line : lines) {
            assertTrue(
                    keys.add(Json.CANONICAL.readValue(line, ResultRecord.class).key()), "a key written twice");
        }
        Map<String, ResultRecord> expected = ResultStore.read(referenceOut.resolve(ExperimentRunner.RESULTS_FILE))
                .byKey();
        Map<String, ResultRecord> actual = ResultStore.read(results).byKey();
        assertEquals(expected.keySet(), actual.keySet());
        for (String key : expected.keySet()) {
            assertEquals(
                    expected.get(key).metrics(),
                    actual.get(key).metrics(),
                    "metrics of " + expected.get(key).method());
        }
    }

    private static int count(Path results) throws IOException {
        return Files.exists(results) ? ResultStore.read(results).byKey().size() : 0;
    }

    private static Path config(Path file, Path encoder, Path data, Path out) throws IOException {
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "name: real-kill-test",
                        "dataRoot: " + data,
                        "outputDir: " + out,
                        "cacheDir: " + out.resolve("cache"),
                        "encoders: [" + encoder + "]",
                        "targets: [RTE]",
                        "seeds: [13, 21]",
                        "methods: [adapter, single, mera-ot]",
                        "sources: [MRPC, SST-2]",
                        "hyperparameters:",
                        "  default: {lr: 0.001, epochs: 2, batchSize: 8, sourceSteps: 6, sourceBatchSize: 16}",
                        ""));
        return file;
    }

    private static Process launch(Path config, Path stderr) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx1g", "-cp", cp, RealGridProcessMain.class.getName(), config.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile())
                .start();
    }
}
