package org.mera.experiment.report;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.ResultRecord;
import org.mera.experiment.ResultStore;
import org.mera.experiment.RunInfo;
import org.mera.experiment.stats.PredictionIndex;
import org.mera.experiment.stats.ResultTables;
import org.mera.io.Json;

/**
 * Everything a report reads from an experiment output folder: the finished cells of its current grid ({@code
 * grid.json}; results of cells a config change replaced are counted, not shown), the cells still to run, the config,
 * the run records and the per-example predictions, optionally joined with other folders that ran parts of the same
 * grid.
 */
public record ResultsFolder(
        String name,
        List<ResultRecord> shown,
        List<ResultRecord> stale,
        int gridCells,
        List<Map<String, Object>> missing,
        Map<String, Object> config,
        List<RunInfo> runs,
        List<String> taskOrder,
        List<String> methodOrder,
        Map<String, Set<String>> expectedSources,
        int expectedSeeds,
        boolean tornTail,
        PredictionIndex predictions,
        Map<Path, Integer> includedFrom) {
    /** How many results belong to cells no longer in the grid (a config or runner change replaced them). */
    public int staleIgnored() {
        return stale.size();
    }

    /** Whether a test runner, not training, made these results. */
    public boolean synthetic() {
        return runs.stream().anyMatch(RunInfo::synthetic);
    }

    private static final ObjectMapper JSON = Json.LENIENT;

    public static ResultsFolder read(Path dir) throws IOException {
        return read(dir, List.of());
    }

    @SuppressWarnings("unchecked")
    public static ResultsFolder read(Path dir, List<Path> include) throws IOException {
        Path resultsFile = dir.resolve(ExperimentRunner.RESULTS_FILE);
        if (!Files.isRegularFile(resultsFile)) {
            throw new IOException("no results file " + resultsFile + " (is " + dir + " an experiment output folder?)");
        }
        ResultStore.Contents contents = ResultStore.read(resultsFile);
        Map<String, Object> config = readMap(dir.resolve(ExperimentRunner.CONFIG_FILE));
        Map<String, Object> grid = readMap(dir.resolve(ExperimentRunner.GRID_FILE));
        // Cells of this grid that other folders (parts of it run elsewhere) finished and this one has not.
        Map<String, ResultRecord> records = new LinkedHashMap<>(contents.byKey());
        Map<String, Path> origin = new HashMap<>();
        Map<Path, Integer> includedFrom = new LinkedHashMap<>();
        Set<String> gridKeys = new HashSet<>();
        if (grid.get("cells") instanceof List<?> cs) {
            for (Object c : cs) {
                gridKeys.add((String) ((Map<String, Object>) c).get("key"));
            }
        }
        List<Path> runDirs = new ArrayList<>(List.of(dir));
        for (Path other : include) {
            Path theirs = other.resolve(ExperimentRunner.RESULTS_FILE);
            if (!Files.isRegularFile(theirs)) {
                throw new IOException(
                        "no results file " + theirs + " to include (is " + other + " an experiment output folder?)");
            }
            if (gridKeys.isEmpty()) {
                throw new IOException(dir.resolve(ExperimentRunner.GRID_FILE) + " is missing: without this folder's"
                        + " grid, cells of " + other + " cannot be matched to it");
            }
            int n = 0;
            for (Map.Entry<String, ResultRecord> e :
                    ResultStore.read(theirs).byKey().entrySet()) {
                if (gridKeys.contains(e.getKey()) && records.putIfAbsent(e.getKey(), e.getValue()) == null) {
                    origin.put(e.getKey(), other);
                    n++;
                }
            }
            includedFrom.put(other, n);
            runDirs.add(other);
        }
        contents = new ResultStore.Contents(
                records, contents.validBytes(), contents.tornTail(), contents.duplicatesIgnored());
        List<ResultRecord> shown = new ArrayList<>();
        List<Map<String, Object>> missing = new ArrayList<>();
        Map<String, Set<String>> expectedSources = new LinkedHashMap<>();
        List<String> methodOrder = new ArrayList<>();
        int gridCells;
        List<ResultRecord> stale = new ArrayList<>();
        if (grid.containsKey("cells")) {
            List<Map<String, Object>> cells = (List<Map<String, Object>>) grid.get("cells");
            gridCells = cells.size();
            Set<String> current = new HashSet<>();
            for (Map<String, Object> c : cells) {
                String key = (String) c.get("key");
                current.add(key);
                ResultRecord r = contents.byKey().get(key);
                if (r != null) {
                    shown.add(r);
                } else {
                    missing.add(c);
                }
                if (c.get("source") != null) {
                    expectedSources
                            .computeIfAbsent(
                                    ResultTables.groupKey(
                                            (String) c.get("encoder"),
                                            (String) c.get("task"),
                                            ((Number) c.get("k")).intValue()),
                                    x -> new LinkedHashSet<>())
                            .add((String) c.get("source"));
                }
            }
            for (String key : contents.byKey().keySet()) {
                if (!current.contains(key)) {
                    stale.add(contents.byKey().get(key));
                }
            }
        } else {
            shown.addAll(contents.byKey().values());
            gridCells = shown.size();
        }
        List<String> taskOrder = config.get("targets") instanceof List<?> l ? (List<String>) l : List.of();
        if (config.get("methods") instanceof List<?> l) {
            methodOrder.addAll((List<String>) l);
        }
        int seeds = config.get("seeds") instanceof List<?> l ? l.size() : 0;
        List<RunInfo> runs = new ArrayList<>();
        Set<String> runFiles = new HashSet<>();
        for (Path runDir : runDirs) {
            Path runsDir = runDir.resolve(ExperimentRunner.RUNS_DIR);
            if (!Files.isDirectory(runsDir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(runsDir)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".json"))
                        .sorted()
                        .toList()) {
                    if (!runFiles.add(p.getFileName().toString())) {
                        continue; // the same run, imported into both folders
                    }
                    try {
                        runs.add(JSON.readValue(p.toFile(), RunInfo.class));
                    } catch (IOException e) {
                        throw new IOException("run record " + p + " is not readable: " + e.getMessage(), e);
                    }
                }
            }
        }
        runs.sort(java.util.Comparator.comparing(
                RunInfo::runId, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder())));
        String name =
                config.get("name") instanceof String s ? s : dir.getFileName().toString();
        return new ResultsFolder(
                name,
                shown,
                stale,
                gridCells,
                missing,
                config,
                runs,
                taskOrder,
                methodOrder,
                expectedSources,
                seeds,
                contents.tornTail(),
                PredictionIndex.load(dir, shown, expectedSources, origin),
                includedFrom);
    }

    private static Map<String, Object> readMap(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        try {
            return JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
            throw new IOException(file + " is not readable JSON: " + e.getMessage(), e);
        }
    }
}
