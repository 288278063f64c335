package org.mera.experiment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GridProgressTest {
    @Test
    void expectedDurationsFollowTheTaskAsWellAsTheMethod(@TempDir Path tmp) throws Exception {
        FakeGlue.create(tmp.resolve("glue"), ConfigAndGridTest.TASKS, List.of(16), List.of(13, 21));
        Grid grid = Grid.expand(ExperimentConfig.load(ConfigAndGridTest.yaml(tmp, "a.yaml", "name: a", "dataRoot: glue",
                "outputDir: out", "encoders: [e]", "targets: [RTE, MNLI]", "seeds: [13, 21]", "methods: [adapter, full]")),
                "v", Hyperparameters.KNOWN);
        Cell rteAdapter = find(grid, "RTE", Method.ADAPTER);
        Cell rteFull = find(grid, "RTE", Method.FULL);
        Cell mnliAdapter = find(grid, "MNLI", Method.ADAPTER);
        Cell mnliFull = find(grid, "MNLI", Method.FULL);
        GridProgress p = new GridProgress(new PrintStream(OutputStream.nullOutputStream()), false, grid.size(), 0);
        assertTrue(Double.isNaN(p.expectedMs(rteAdapter)), "nothing measured yet");
        p.measured(rteAdapter, 100);
        p.measured(rteFull, 200);
        p.measured(mnliAdapter, 400);
        assertEquals(100, p.expectedMs(rteAdapter), 1e-9, "measured: its own mean");
        // MNLI full never ran: full's mean (200) times MNLI's mean (400) over the overall mean (700 / 3)
        assertEquals(200 * 400 / (700 / 3.0), p.expectedMs(mnliFull), 1e-9);
        p.measured(mnliFull, 1000);
        assertEquals(1000, p.expectedMs(mnliFull), 1e-9);
    }

    private static Cell find(Grid grid, String task, Method method) {
        return grid.cells().stream().filter(c -> c.task().equals(task) && c.method() == method).findFirst().orElseThrow();
    }
}
