package org.mera.experiment.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.cli.CompareCommand;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.ResultRecord;
import org.mera.experiment.ResultStore;
import org.mera.experiment.stats.PairedStatistics;
import picocli.CommandLine;

/** {@code mera compare} on the committed results of the two shipped GLUE grids (minilm and bert-base). */
class ResultComparisonTest {
    static final Path MINILM = Path.of("experiments/results/glue-minilm");
    static final Path BERT = Path.of("experiments/results/glue-bert-base");

    /** The stored primary metric ×100 of (task, method) per seed, read straight from the results and grid files. */
    private static TreeMap<Integer, Double> stored(Path dir, String task, String method) throws Exception {
        Set<String> grid = new HashSet<>();
        for (JsonNode cell : new ObjectMapper()
                .readTree(dir.resolve(ExperimentRunner.GRID_FILE).toFile())
                .path("cells")) {
            grid.add(cell.path("key").asText());
        }
        TreeMap<Integer, Double> out = new TreeMap<>();
        for (ResultRecord r : ResultStore.read(dir.resolve(ExperimentRunner.RESULTS_FILE))
                .byKey()
                .values()) {
            if (grid.contains(r.key()) && r.task().equals(task) && r.method().equals(method)) {
                out.put(r.seed(), 100 * r.primary());
            }
        }
        return out;
    }

    @Test
    void twoEncodersAreComparedSeedBySeedOnTheTasksBothHave() throws Exception {
        ResultComparison.Comparison c = ResultComparison.compare(MINILM, BERT);
        assertEquals(1, c.sections().size());
        ResultComparison.Section s = c.sections().get(0);
        assertEquals(List.of("minilm", "bert-base-uncased", 16), List.of(s.encoderA(), s.encoderB(), s.k()));
        Map<String, Map<String, ResultComparison.Line>> lines = ResultComparison.byMethod(s);
        assertEquals(
                Set.of("MRPC", "RTE", "MNLI", ResultComparison.AVERAGE),
                lines.get("adapter").keySet(),
                "bert-base has only MRPC, RTE and MNLI; minilm has all eight");

        ResultComparison.Line st = lines.get("mera-same-track").get("MRPC");
        TreeMap<Integer, Double> a = stored(MINILM, "MRPC", "mera-same-track");
        TreeMap<Integer, Double> b = stored(BERT, "MRPC", "mera-same-track");
        assertEquals(5, a.size());
        assertEquals(a.keySet(), st.differences().keySet());
        double mean = 0;
        long wins = 0;
        for (int seed : a.keySet()) {
            double d = b.get(seed) - a.get(seed);
            assertEquals(d, st.differences().get(seed), 1e-9, "seed " + seed);
            mean += d / a.size();
            wins += d > PairedStatistics.TIE_EPSILON ? 1 : 0;
        }
        assertEquals(mean, st.meanDifference(), 1e-9);
        assertEquals(wins, st.winsB());
        assertEquals(
                a.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow(),
                st.a().mean(),
                1e-9);
        assertEquals("f1", st.metric());

        // The average line: per seed, the mean over the three shared tasks, on each side.
        ResultComparison.Line avg = lines.get("adapter").get(ResultComparison.AVERAGE);
        assertEquals("MRPC, RTE, MNLI", avg.metric());
        double seed13 = 0;
        for (String task : List.of("MRPC", "RTE", "MNLI")) {
            seed13 += (stored(BERT, task, "adapter").get(13)
                            - stored(MINILM, task, "adapter").get(13))
                    / 3;
        }
        assertEquals(seed13, avg.differences().get(13), 1e-9);
    }

    @Test
    void onlySeedsBothSidesHaveAreCompared(@TempDir Path tmp) throws Exception {
        // B: the minilm results of seeds 13 and 21 only, as a grid stopped early would have them
        Path half = Files.createDirectories(tmp.resolve("half"));
        Files.copy(MINILM.resolve(ExperimentRunner.GRID_FILE), half.resolve(ExperimentRunner.GRID_FILE));
        Files.copy(MINILM.resolve(ExperimentRunner.CONFIG_FILE), half.resolve(ExperimentRunner.CONFIG_FILE));
        ObjectMapper json = new ObjectMapper();
        List<String> kept = Files.readAllLines(MINILM.resolve(ExperimentRunner.RESULTS_FILE)).stream()
                .filter(l -> Set.of(13, 21).contains(readSeed(json, l)))
                .toList();
        Files.write(half.resolve(ExperimentRunner.RESULTS_FILE), kept);

        ResultComparison.Section s =
                ResultComparison.compare(MINILM, half).sections().get(0);
        ResultComparison.Line sst2 = ResultComparison.byMethod(s).get("adapter").get("SST-2");
        assertEquals(Set.of(13, 21), sst2.differences().keySet());
        TreeMap<Integer, Double> a = stored(MINILM, "SST-2", "adapter");
        assertEquals((a.get(13) + a.get(21)) / 2, sst2.a().mean(), 1e-9, "A is read on the shared seeds only");
        assertEquals(sst2.a(), sst2.b());
        assertTrue(
                s.lines().stream().allMatch(l -> l.differences().size() == 2),
                s.lines().toString());
    }

    private static int readSeed(ObjectMapper json, String line) {
        try {
            return json.readTree(line).path("seed").asInt();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aFolderAgainstItselfDiffersByNothing() throws Exception {
        ResultComparison.Section s =
                ResultComparison.compare(MINILM, MINILM).sections().get(0);
        assertFalse(s.lines().isEmpty());
        for (ResultComparison.Line l : s.lines()) {
            assertTrue(l.differences().values().stream().allMatch(d -> d == 0.0), l.toString());
            assertEquals(0, l.winsB());
            assertEquals(l.a(), l.b());
        }
    }

    @Test
    void commandWritesMarkdownAndRejectsBadInput(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("cmp.md");
        assertEquals(
                0,
                new CommandLine(new CompareCommand())
                        .execute(
                                MINILM.toString(),
                                BERT.toString(),
                                "--labels",
                                "minilm,bert-base",
                                "--out",
                                out.toString()));
        String md = Files.readString(out);
        assertTrue(md.startsWith("# bert-base against minilm\n"), md);
        assertTrue(md.contains("## minilm (A), bert-base-uncased (B), k = 16"), md);
        assertTrue(md.contains("| mera-same-track | MNLI (accuracy) | 5 | "), md);
        assertTrue(md.contains("| adapter | **Average (MRPC, RTE, MNLI)** | 5 | "), md);

        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new CompareCommand());
        cmd.setErr(new PrintWriter(err));
        assertEquals(
                1, cmd.execute(MINILM.toString(), tmp.resolve("nothing-here").toString()));
        assertTrue(err.toString().contains("nothing-here"), err.toString());
        assertEquals(
                2,
                new CommandLine(new CompareCommand())
                        .setErr(new PrintWriter(new StringWriter()))
                        .execute(MINILM.toString(), BERT.toString(), "--labels", "only-one"));
    }
}
