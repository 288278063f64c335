package org.mera.experiment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configs under {@code experiments/} are what docs/RESULTS.md says produced its tables: each one validates
 * against the real GLUE data with the real runner (no training), and every result committed beside it is a cell
 * of its grid, so a report regenerated from the committed file shows only what re-running the config computes.
 */
class ShippedConfigsTest {
    static final Path EXPERIMENTS = Path.of("experiments");

    @Test
    void shippedConfigsValidateAndOwnTheirCommittedResults(@TempDir Path tmp) throws Exception {
        List<Path> configs;
        try (Stream<Path> files = Files.list(EXPERIMENTS)) {
            configs = files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(configs.isEmpty(), "no experiment configs under " + EXPERIMENTS.toAbsolutePath());
        for (Path file : configs) {
            ExperimentConfig config = ExperimentConfig.load(file);
            // a throwaway cache: planning never trains, and cell keys do not depend on where adapters are cached
            ExperimentRunner runner = new ExperimentRunner(config, new MeraCellRunner(new ArtifactCache(tmp), false));
            Grid grid = runner.plan();
            assertTrue(grid.size() > 0, file + " expands to no cells");
            Set<String> keys = grid.cells().stream().map(Cell::key).collect(Collectors.toSet());
            assertEquals(grid.size(), keys.size(), file + ": two cells share a key");
            Path results = config.outputDir().resolve(ExperimentRunner.RESULTS_FILE);
            assertTrue(Files.isRegularFile(results), file + ": no committed results at " + results);
            Set<String> finished = runner.finishedKeys();
            assertFalse(finished.isEmpty(), results + " holds no cells");
            Set<String> foreign = finished.stream().filter(k -> !keys.contains(k)).collect(Collectors.toSet());
            assertTrue(foreign.isEmpty(), results + " holds " + foreign.size() + " cells that " + file
                    + " does not produce (a changed config or data?), e.g. " + foreign.stream().sorted().limit(3).toList());
        }
    }
}
