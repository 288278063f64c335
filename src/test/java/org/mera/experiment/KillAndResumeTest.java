package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.io.Json;

/**
 * The must-show property: a grid killed (SIGKILL, in a real subprocess) at random moments several times,
 * then completed, holds exactly the results of an uninterrupted run: no cell missing, none doubled, no
 * line half-written.
 */
class KillAndResumeTest {
    private static final List<String> TASKS = List.of("MRPC", "RTE", "MNLI", "QNLI", "SST-2");

    @Test
    void killedAndResumedGridEqualsUninterruptedRun(@TempDir Path tmp) throws Exception {
        Path data = FakeGlue.create(tmp.resolve("glue"), TASKS, List.of(16), ExperimentConfig.DEFAULT_SEEDS);
        Path referenceOut = tmp.resolve("reference");
        Path killedOut = tmp.resolve("killed");

        // Uninterrupted reference, in this JVM, same code and runner.
        ExperimentConfig reference =
                ExperimentConfig.load(writeConfig(tmp.resolve("reference.yaml"), data, referenceOut));
        ExperimentRunner.Summary ref = new ExperimentRunner(reference, new CheapCellRunner(0))
                .progressTo(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), false)
                .run();
        int total = ref.cellsTotal();
        assertEquals(50, total, "2 targets x 5 seeds x (adapter + 3 single + mera-ot)");
        assertTrue(ref.complete());

        Path config = writeConfig(tmp.resolve("killed.yaml"), data, killedOut);
        Path results = killedOut.resolve(ExperimentRunner.RESULTS_FILE);
        Random random = new Random(20240607L);
        int killsMidGrid = 0;
        int previous = 0;
        List<Integer> countsAfterKills = new ArrayList<>();
        for (int attempt = 0; attempt < 6 && previous < total; attempt++) {
            Process p = launch(config, tmp.resolve("stderr-" + attempt + ".txt"));
            // Wait until this process has added at least one cell (so every kill lands mid-work), then a random extra.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (p.isAlive() && lineCount(results) <= previous && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(random.nextInt(120));
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "killed process did not end");
            int now = ResultStore.read(results).byKey().size();
            countsAfterKills.add(now);
            if (now < total) {
                killsMidGrid++;
            }
            assertTrue(now >= previous, "a kill lost finished cells: " + previous + " -> " + now);
            previous = now;
        }
        assertTrue(
                killsMidGrid >= 3, "expected several kills in the middle of the grid, got counts " + countsAfterKills);

        Process last = launch(config, tmp.resolve("stderr-final.txt"));
        assertTrue(last.waitFor(120, TimeUnit.SECONDS), "final run did not finish");
        assertEquals(0, last.exitValue(), "final run failed: " + Files.readString(tmp.resolve("stderr-final.txt")));

        // Every line is whole, every key once, and the content equals the uninterrupted run's.
        byte[] bytes = Files.readAllBytes(results);
        assertEquals('\n', bytes[bytes.length - 1], "results file ends with a complete line");
        List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
        assertEquals(total, lines.size(), "one line per cell, none doubled; counts after kills: " + countsAfterKills);
        Set<String> keys = new HashSet<>();
        for (String line : lines) {
            ResultRecord r = Json.CANONICAL.readValue(line, ResultRecord.class);
            assertTrue(keys.add(r.key()), "key written twice: " + r.key());
        }
        Map<String, ResultRecord> expected = ResultStore.read(referenceOut.resolve(ExperimentRunner.RESULTS_FILE))
                .byKey();
        Map<String, ResultRecord> actual = ResultStore.read(results).byKey();
        assertEquals(expected.keySet(), actual.keySet());
        for (String key : expected.keySet()) {
            assertEquals(expected.get(key).metrics(), actual.get(key).metrics(), "metrics of " + key);
            assertEquals(expected.get(key).extra(), actual.get(key).extra(), "extra of " + key);
            // The predictions are written before the line that commits the cell: every line has them, whole.
            assertEquals(
                    CellPredictions.read(CellPredictions.file(referenceOut, key)),
                    CellPredictions.read(CellPredictions.file(killedOut, key)),
                    "predictions of " + key);
        }

        // Each kill is a separate run; more than one process contributed results.
        long runs = actual.values().stream().map(ResultRecord::runId).distinct().count();
        assertTrue(runs >= 3, "results came from " + runs + " processes");
    }

    private static Path writeConfig(Path file, Path data, Path out) throws IOException {
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "name: kill-test",
                        "dataRoot: " + data,
                        "outputDir: " + out,
                        "encoders: [tiny]",
                        "targets: [MRPC, RTE]",
                        "methods: [adapter, single, mera-ot]",
                        "sources: [MNLI, QNLI, SST-2]",
                        ""));
        return file;
    }

    private static Process launch(Path config, Path stderr) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        cp,
                        GridProcessMain.class.getName(),
                        config.toString(),
                        "15")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile())
                .start();
    }

    private static int lineCount(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        int n = 0;
        for (byte b : Files.readAllBytes(file)) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }
}
