package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.experiment.cell.MeraCellRunner;

/**
 * The configs under {@code experiments/} are what docs/RESULTS.md says produced its tables: each one validates
 * against the real GLUE data with the real runner (no training), and the grid committed beside its results (the
 * cells that {@code mera report} shows) is exactly the config's grid, so the committed report and the tables
 * regenerated from it are what running the shipped config computes. Results of cells no longer in the grid may
 * stay in the results file (the report leaves them out). A config whose grid has not started (no results file) is
 * only planned, and says so; at least one shipped config must have results. Configs that share a name are parts of
 * one grid run by several processes, and must plan the same cells. The superseded protocol-2 configs
 * under {@code experiments/protocol-v2/} are not checked: today's runner gives their cells other keys.
 */
@org.junit.jupiter.api.Tag("glue")
class ShippedConfigsTest {
    static final Path EXPERIMENTS = Path.of("experiments");

    @Test
    void shippedConfigsValidateAndMatchTheirCommittedGrids(@TempDir Path tmp) throws Exception {
        List<Path> configs;
        try (Stream<Path> files = Files.list(EXPERIMENTS)) {
            configs = files.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                    .sorted()
                    .toList();
        }
        assertFalse(configs.isEmpty(), "no experiment configs under " + EXPERIMENTS.toAbsolutePath());
        int unstarted = 0;
        java.util.Map<String, Set<String>> keysByName = new java.util.HashMap<>();
        java.util.Map<String, Path> firstByName = new java.util.HashMap<>();
        for (Path file : configs) {
            ExperimentConfig config = ExperimentConfig.load(file);
            // a throwaway cache: planning never trains, and cell keys do not depend on where adapters are cached
            ExperimentRunner runner = new ExperimentRunner(config, new MeraCellRunner(new ArtifactCache(tmp), false));
            Grid grid = runner.plan();
            assertTrue(grid.size() > 0, file + " expands to no cells");
            Set<String> keys = grid.cells().stream().map(Cell::key).collect(Collectors.toSet());
            assertEquals(grid.size(), keys.size(), file + ": two cells share a key");
            // Configs with one name are parts of one grid run by several processes (e.g. glue-minilm-part-b.yaml):
            // each must plan exactly the same cells, or the parts would import nothing from each other.
            Set<String> sameName = keysByName.putIfAbsent(config.name(), keys);
            if (sameName != null) {
                assertEquals(
                        sameName,
                        keys,
                        file + " and " + firstByName.get(config.name()) + " share the name '" + config.name()
                                + "' but plan different cells: a part of a grid must be the same grid");
            }
            firstByName.putIfAbsent(config.name(), file);
            // The report shows the cells of the grid.json beside the results; it must be this config's grid, or
            // the committed report (and RESULTS.md) came from another config, e.g. a staging copy.
            Path gridFile = config.outputDir().resolve(ExperimentRunner.GRID_FILE);
            if (!Files.exists(config.outputDir().resolve("results.jsonl"))) {
                // A grid not started yet has no committed report that could disagree with it; it must still plan.
                System.err.println("ShippedConfigsTest: " + file + " has no results yet (" + config.outputDir()
                        + "): checked that it validates and plans " + grid.size()
                        + " cells, no committed grid to compare");
                unstarted++;
                continue;
            }
            assertTrue(Files.isRegularFile(gridFile), file + ": no committed grid at " + gridFile);
            Set<String> committedGrid = new HashSet<>();
            for (JsonNode cell : new ObjectMapper().readTree(gridFile.toFile()).path("cells")) {
                committedGrid.add(cell.path("key").asText());
            }
            Set<String> notCommitted = new HashSet<>(keys);
            notCommitted.removeAll(committedGrid);
            Set<String> notInConfig = new HashSet<>(committedGrid);
            notInConfig.removeAll(keys);
            assertTrue(
                    notCommitted.isEmpty() && notInConfig.isEmpty(),
                    gridFile + " is not the grid of " + file + ": "
                            + notCommitted.size() + " of the config's " + keys.size() + " cells missing from it, "
                            + notInConfig.size()
                            + " of its " + committedGrid.size()
                            + " not in the config (was the last run a staging copy? running the "
                            + "shipped config rewrites it)");
            Set<String> finished = runner.finishedKeys();
            assertTrue(
                    finished.stream().anyMatch(keys::contains), file + ": no committed result is a cell of its grid");
        }
        assertTrue(unstarted < configs.size(), "none of the shipped configs has committed results");
    }
}
