package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GridProgressTest {
    @Test
    void expectedDurationsFollowTheTaskAsWellAsTheMethod(@TempDir Path tmp) throws Exception {
        FakeGlue.create(tmp.resolve("glue"), ConfigAndGridTest.TASKS, List.of(16), List.of(13, 21));
        Grid grid = Grid.expand(
                ExperimentConfig.load(ConfigAndGridTest.yaml(
                        tmp,
                        "a.yaml",
                        "name: a",
                        "dataRoot: glue",
                        "outputDir: out",
                        "encoders: [e]",
                        "targets: [RTE, MNLI]",
                        "seeds: [13, 21]",
                        "methods: [adapter, full]")),
                "v",
                Hyperparameters.KNOWN);
        Cell rteAdapter = find(grid, "RTE", Method.ADAPTER);
        Cell rteFull = find(grid, "RTE", Method.FULL);
        Cell mnliAdapter = find(grid, "MNLI", Method.ADAPTER);
        Cell mnliFull = find(grid, "MNLI", Method.FULL);
        GridProgress p = new GridProgress(new PrintStream(OutputStream.nullOutputStream()), false, grid.size(), 0);
        assertTrue(Double.isNaN(p.expectedMs(rteAdapter)), "nothing measured yet");
        p.measured(rteAdapter, 100);
        p.measured(rteFull, 200);
        p.measured(mnliAdapter, 400);
        assertEquals(100, p.expectedMs(rteAdapter), 1e-9, "measured: its own median");
        // MNLI full never ran: full's median (200) times MNLI's median (400) over the overall median (200)
        assertEquals(200 * 400 / 200.0, p.expectedMs(mnliFull), 1e-9);
        p.measured(mnliFull, 1000);
        assertEquals(1000, p.expectedMs(mnliFull), 1e-9);
    }

    /** The cell that first trains a source adapter takes far longer than the rest; it must not set the estimate. */
    @Test
    void oneCellThatAlsoTrainedSourcesDoesNotInflateTheEstimate(@TempDir Path tmp) throws Exception {
        FakeGlue.create(tmp.resolve("glue"), ConfigAndGridTest.TASKS, List.of(16), List.of(13, 21, 42));
        Grid grid = Grid.expand(
                ExperimentConfig.load(ConfigAndGridTest.yaml(
                        tmp,
                        "a.yaml",
                        "name: a",
                        "dataRoot: glue",
                        "outputDir: out",
                        "encoders: [e]",
                        "targets: [RTE]",
                        "seeds: [13, 21, 42]",
                        "methods: [adapter]")),
                "v",
                Hyperparameters.KNOWN);
        List<Cell> cells = grid.cells();
        GridProgress p = new GridProgress(new PrintStream(OutputStream.nullOutputStream()), false, cells.size(), 0);
        p.measured(cells.get(0), 17 * 60_000);
        p.measured(cells.get(1), 2 * 60_000);
        p.measured(cells.get(2), 3 * 60_000);
        assertEquals(
                3 * 60_000,
                p.expectedMs(cells.get(0)),
                1e-9,
                "the median of 17, 2 and 3 minutes, not their mean (7.3)");
    }

    private static Cell find(Grid grid, String task, Method method) {
        return grid.cells().stream()
                .filter(c -> c.task().equals(task) && c.method() == method)
                .findFirst()
                .orElseThrow();
    }
}
