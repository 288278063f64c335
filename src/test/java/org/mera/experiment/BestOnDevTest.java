package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The choice --save-best makes: the k-shot dev split decides, the test set never does. */
class BestOnDevTest {
    /** A finished cell with these dev and test scores, and the {@code extra} the runner recorded. */
    private static ResultRecord record(Cell c, double dev, double test, Map<String, Object> extra) {
        return ResultRecord.of(
                c,
                new CellResult(Map.of(c.primaryMetric(), test, "dev_" + c.primaryMetric(), dev), extra),
                1,
                "2026-12-08T00:00:00Z",
                "run");
    }

    @Test
    void theDevSplitChoosesTheMethodThenTheSeedAndFusionIsPassedOver(@TempDir Path tmp) throws Exception {
        FakeGlue.create(tmp.resolve("glue"), ConfigAndGridTest.TASKS, List.of(16), List.of(13, 21));
        Grid grid = Grid.expand(
                ExperimentConfig.load(ConfigAndGridTest.yaml(
                        tmp,
                        "a.yaml",
                        "name: a",
                        "dataRoot: glue",
                        "outputDir: out",
                        "encoders: [e]",
                        "targets: [MRPC, RTE]",
                        "seeds: [13, 21]",
                        "methods: [adapter, full, fusion, single, mera-ot]",
                        "sources: [MNLI, QNLI]")),
                "v1",
                Hyperparameters.KNOWN);
        Map<String, ResultRecord> finished = new HashMap<>();
        for (Cell c : grid.cells()) {
            double dev = switch (c.methodLabel()) {
                case "fusion" -> 0.90; // best on dev, but cannot be saved
                case "single[QNLI]" -> c.seed() == 13 ? 0.625 : 0.875; // next best: mean 0.75, seed 21 the better
                case "mera-ot" -> 0.75; // the same mean: the grid's method order breaks the tie (single first)
                case "full" -> 0.60;
                default -> 0.50;
            };
            // the test scores would pick another method: they must not matter
            double test = c.methodLabel().equals("adapter") ? 0.99 : 0.40;
            if (!(c.task().equals("RTE") && c.methodLabel().equals("single[QNLI]") && c.seed() == 21)) {
                finished.put(c.key(), record(c, dev, test, Map.of("lr", 3e-4)));
            }
        }
        BestOnDev.Result r = BestOnDev.choose(grid, finished, c -> c.method() != Method.FUSION);
        assertEquals(2, r.choices().size(), r.toString());
        BestOnDev.Choice mrpc = r.choices().get(0);
        assertEquals("MRPC", mrpc.task());
        assertEquals("single[QNLI]", mrpc.standing().method());
        assertEquals(21, mrpc.cell().seed(), "the seed with the better dev score");
        assertEquals(0.875, mrpc.dev(), 1e-12);
        assertEquals(3e-4, mrpc.lr(), 1e-12, "the learning rate the cell chose");
        assertEquals(List.of("fusion"), mrpc.passedOver());
        assertEquals("fusion", mrpc.ranking().get(0).method());
        // RTE's single[QNLI] lacks a seed: not a candidate; mera-ot is the best savable method there
        BestOnDev.Choice rte = r.choices().get(1);
        assertEquals("mera-ot", rte.standing().method());
        assertEquals(13, rte.cell().seed(), "a tie between seeds keeps the first");
        assertTrue(
                rte.ranking().stream().noneMatch(s -> s.method().equals("single[QNLI]")),
                rte.ranking().toString());

        // a one-rate grid records no choice: its rate is the one that trained, not the default lr
        Grid oneRate = Grid.expand(
                ExperimentConfig.load(ConfigAndGridTest.yaml(
                        tmp,
                        "b.yaml",
                        "name: b",
                        "dataRoot: glue",
                        "outputDir: out",
                        "encoders: [e]",
                        "targets: [MRPC]",
                        "seeds: [13]",
                        "methods: [adapter]",
                        "hyperparameters:",
                        "  default: {lrGrid: [2.0e-4]}")),
                "v1",
                Hyperparameters.KNOWN);
        Cell only = oneRate.cells().get(0);
        ResultRecord noChoice = record(only, 0.5, 0.5, Map.of());
        assertEquals(2e-4, BestOnDev.learningRate(only, noChoice), 1e-15);

        BestOnDev.Result none = BestOnDev.choose(grid, finished, c -> false);
        assertEquals(0, none.choices().size());
        assertTrue(
                none.none().get(0).reason().contains("can be saved"),
                none.none().toString());
    }
}
