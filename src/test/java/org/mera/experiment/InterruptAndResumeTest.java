package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.io.Json;

/**
 * Issue 23, item 6, on the real CLI in a child process: SIGTERM (what Process.destroy sends, as {@code kill} does;
 * Ctrl-C's SIGINT takes the same path) in the middle of a grid leaves whole result lines only, closes the run record
 * as "interrupted" and prints how to resume; a run killed with SIGKILL leaves its record "running", which the next
 * run closes as "killed"; resuming completes the grid with every cell exactly once.
 */
class InterruptAndResumeTest {
    private static final List<String> TASKS = List.of("MRPC", "RTE", "SST-2");

    @Test
    void sigtermAndSigkillMidGridAreClosedAndResumed(@TempDir Path tmp) throws Exception {
        Path data = FakeGlue.create(tmp.resolve("glue"), TASKS, List.of(16), List.of(13, 21, 42));
        Path out = tmp.resolve("out");
        Path config = tmp.resolve("grid.yaml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "name: interrupt-test",
                        "dataRoot: " + data,
                        "outputDir: " + out,
                        "encoders: [tiny]",
                        "targets: [MRPC, RTE]",
                        "seeds: [13, 21, 42]",
                        "methods: [adapter, single]",
                        "sources: [SST-2]",
                        ""));
        Path results = out.resolve(ExperimentRunner.RESULTS_FILE);
        int total = 2 * 3 * 2;

        Path err1 = tmp.resolve("stderr-1.txt");
        Process p = launch(config, err1);
        awaitLines(p, results, 2);
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the interrupted process did not end");
        assertEquals(143, p.exitValue(), "ended by SIGTERM (128 + 15): " + Files.readString(err1));
        int afterTerm = wholeLines(results);
        assertTrue(afterTerm >= 2 && afterTerm < total, "interrupted mid-grid, after " + afterTerm + " cells");
        String stderr = Files.readString(err1);
        assertTrue(stderr.contains("mera: experiment 'interrupt-test' interrupted: "), stderr);
        assertTrue(stderr.contains("To resume, run mera experiment " + config + " --no-report"), stderr);
        Map<String, String> status = statuses(out);
        assertEquals(
                List.of(ExperimentRunner.INTERRUPTED), new ArrayList<>(status.values()), "one run, closed: " + status);

        Path err2 = tmp.resolve("stderr-2.txt");
        p = launch(config, err2);
        awaitLines(p, results, afterTerm + 1);
        p.destroyForcibly(); // SIGKILL: no hook runs, the record stays "running"
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the killed process did not end");
        int afterKill = wholeLines(results);
        assertTrue(afterKill > afterTerm, "the second run added cells");
        assertTrue(statuses(out).containsValue(ExperimentRunner.RUNNING), "a SIGKILLed run cannot close its record");

        Path err3 = tmp.resolve("stderr-3.txt");
        p = launch(config, err3);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the resumed run did not finish");
        String last = Files.readString(err3);
        assertEquals(0, p.exitValue(), last);
        assertTrue(
                last.contains("ended without closing its record (its process was killed); marked it 'killed'"), last);
        assertTrue(last.contains(afterKill + " already done"), last);
        status = statuses(out);
        assertEquals(3, status.size(), status.toString());
        assertEquals(
                List.of(ExperimentRunner.INTERRUPTED, ExperimentRunner.KILLED, "complete"),
                new ArrayList<>(status.values()),
                "records in run order: " + status);

        List<String> lines = Files.readAllLines(results);
        assertEquals(total, lines.size(), "every cell once");
        assertEquals(total, ResultStore.read(results).byKey().size(), "no key twice");
        Map<String, Long> perRun = new HashMap<>();
        ResultStore.read(results).byKey().values().forEach(r -> perRun.merge(r.runId(), 1L, Long::sum));
        assertEquals(3, perRun.size(), "each of the three runs recorded cells: " + perRun);
    }

    private static Process launch(Path config, Path stderr) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-Dmera.test.cellSleepMs=150",
                        "-cp",
                        cp,
                        CliProcessMain.class.getName(),
                        "experiment",
                        config.toString(),
                        "--no-report")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile())
                .start();
    }

    /** Waits (bounded) until the results file holds {@code n} lines, so that a signal lands mid-grid. */
    private static void awaitLines(Process p, Path results, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (p.isAlive() && wholeLines(results) < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(p.isAlive(), "the process ended before the signal");
        assertTrue(wholeLines(results) >= n, "no progress within the bound");
    }

    /** Lines ending in a newline; a torn last line would make the file not end with one. */
    private static int wholeLines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] b = Files.readAllBytes(file);
        int n = 0;
        for (byte x : b) {
            n += x == '\n' ? 1 : 0;
        }
        assertTrue(b.length == 0 || b[b.length - 1] == '\n', "a half-written line in " + file);
        return n;
    }

    /** Each run record's status, in run order (by start time). */
    private static Map<String, String> statuses(Path out) throws IOException {
        java.util.TreeMap<String, String> byStart = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.list(out.resolve(ExperimentRunner.RUNS_DIR))) {
            for (Path f : s.toList()) {
                var record = Json.CANONICAL.readTree(f.toFile());
                byStart.put(
                        record.get("startedAt").asText() + " " + f.getFileName(),
                        record.get("status").asText());
            }
        }
        return new java.util.LinkedHashMap<>(byStart);
    }
}
