package org.mera.experiment.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.experiment.ArtifactCache;
import org.mera.experiment.Cell;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.SourceSpec;

/**
 * {@code experiments/<grid>-sources-*.yaml} train some of {@code <grid>.yaml}'s source adapters with {@code
 * --sources-only}, with their own source list and order (to split the work over processes or thread counts): they are
 * useful only if each adapter they make has the cache key the grid's cells look up, i.e. the pools are cleaned against
 * the same evaluation data and the source hyperparameters are the same. Computed here on the real GLUE pools.
 */
@Tag("glue")
class SourcesOnlyConfigsTest {
    static final Path EXPERIMENTS = Path.of("experiments");

    @Test
    void sourcesOnlyConfigsMakeTheAdaptersTheirGridLooksUp(@TempDir Path tmp) throws Exception {
        List<Path> parts;
        try (Stream<Path> files = Files.list(EXPERIMENTS)) {
            parts = files.filter(p -> p.getFileName().toString().matches(".+-sources-.+\\.yaml"))
                    .sorted()
                    .toList();
        }
        assertFalse(parts.isEmpty(), "no *-sources-*.yaml under " + EXPERIMENTS.toAbsolutePath());
        for (Path part : parts) {
            String name = part.getFileName().toString();
            Path gridFile = EXPERIMENTS.resolve(name.substring(0, name.indexOf("-sources-")) + ".yaml");
            assertTrue(Files.exists(gridFile), part + ": no grid " + gridFile + " beside it");
            ExperimentConfig partConfig = ExperimentConfig.load(part);
            ExperimentConfig gridConfig = ExperimentConfig.load(gridFile);
            assertEquals(
                    gridConfig.effectiveCacheDir().normalize(),
                    partConfig.effectiveCacheDir().normalize(),
                    part + " must train into its grid's artifact cache");
            Map<String, String> partKeys = keys(partConfig, tmp);
            Map<String, String> gridKeys = keys(gridConfig, tmp);
            assertFalse(partKeys.isEmpty(), part + " trains no source adapter");
            for (Map.Entry<String, String> e : partKeys.entrySet()) {
                assertEquals(
                        gridKeys.get(e.getKey()),
                        e.getValue(),
                        part + ": source adapter " + e.getKey() + " has another cache key than " + gridFile
                                + "'s cells look up");
            }
        }
    }

    /** Per source task: the cache key of its adapter, from the first cell of the grid that uses it. */
    private static Map<String, String> keys(ExperimentConfig config, Path tmp) throws Exception {
        Map<String, String> keys = new LinkedHashMap<>();
        for (Cell cell : new ExperimentRunner(config, new MeraCellRunner(new ArtifactCache(tmp), false))
                .plan()
                .cells()) {
            for (String s : cell.sourcesUsed()) {
                if (!keys.containsKey(s) && cell.sourceSpec(s) instanceof SourceSpec.Task) {
                    keys.put(s, SourceAdapterStore.cacheKey(cell, s));
                }
            }
        }
        return keys;
    }
}
