package org.mera.experiment.stats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mera.experiment.CellPredictions;
import org.mera.experiment.Method;
import org.mera.experiment.ResultRecord;

/**
 * The per-example predictions of an output folder's shown cells, found by what a report table knows about a value:
 * encoder, k, task, seed and row label. Cells finished before predictions were stored simply have none, and every
 * lookup that needs one returns null, so old folders still report (their statistics say so).
 */
public final class PredictionIndex {
    private final Map<String, List<ResultRecord>> byCell = new LinkedHashMap<>();
    /** Per encoder, k and task, its single sources in the order the records first name them (as ResultTables). */
    private final Map<String, Set<String>> sourcesSeen = new LinkedHashMap<>();

    private final Map<String, CellPredictions> byKey;
    private final Map<String, Set<String>> expectedSources;

    PredictionIndex(
            List<ResultRecord> records, Map<String, CellPredictions> byKey, Map<String, Set<String>> expectedSources) {
        for (ResultRecord r : records) {
            byCell.computeIfAbsent(cellKey(r.encoder(), r.k(), r.task(), r.seed(), r.method()), x -> new ArrayList<>())
                    .add(r);
            if (r.method().equals(Method.SINGLE.id()) && r.source() != null) {
                sourcesSeen
                        .computeIfAbsent(
                                ResultTables.groupKey(r.encoder(), r.task(), r.k()),
                                x -> new java.util.LinkedHashSet<>())
                        .add(r.source());
            }
        }
        this.byKey = byKey;
        this.expectedSources = expectedSources;
    }

    static PredictionIndex empty() {
        return new PredictionIndex(List.of(), Map.of(), Map.of());
    }

    /**
     * Reads the predictions file of every record that has one (in {@code dir}, or the folder {@code origin} names
     * for a cell read from another part of the grid); a damaged file is an error naming it.
     */
    public static PredictionIndex load(
            Path dir, List<ResultRecord> shown, Map<String, Set<String>> expectedSources, Map<String, Path> origin)
            throws IOException {
        Map<String, CellPredictions> byKey = new LinkedHashMap<>();
        for (ResultRecord r : shown) {
            Path f = CellPredictions.file(origin.getOrDefault(r.key(), dir), r.key());
            if (Files.isRegularFile(f)) {
                byKey.put(r.key(), CellPredictions.read(f));
            }
        }
        return new PredictionIndex(shown, byKey, expectedSources);
    }

    /** The stored predictions of one cell by its key; null when it has none. */
    public CellPredictions ofCell(String key) {
        return byKey.get(key);
    }

    /** How many of the shown cells have predictions. */
    public int count() {
        return byKey.size();
    }

    private static String cellKey(String encoder, int k, String task, int seed, String method) {
        return encoder + "\u0000" + k + "\u0000" + task + "\u0000" + seed + "\u0000" + method;
    }

    /**
     * The prediction sets behind one table value: one for a method's row, a single source's row and the source
     * chosen on dev, one per source for the mean over single sources (every expected source must have them); null
     * where any is missing.
     */
    public List<CellPredictions> sets(String encoder, int k, String task, int seed, String rowLabel) {
        if (rowLabel.equals(ResultTables.SINGLE_MEAN)) {
            List<ResultRecord> singles =
                    byCell.getOrDefault(cellKey(encoder, k, task, seed, Method.SINGLE.id()), List.of());
            Set<String> expected = expectedSources.get(ResultTables.groupKey(encoder, task, k));
            List<CellPredictions> out = new ArrayList<>();
            for (ResultRecord r : singles) {
                if (expected == null || expected.contains(r.source())) {
                    CellPredictions p = byKey.get(r.key());
                    if (p == null) {
                        return null;
                    }
                    out.add(p);
                }
            }
            return out.isEmpty() || (expected != null && out.size() != expected.size()) ? null : out;
        }
        if (rowLabel.equals(ResultTables.SINGLE_DEV) || ResultTables.sourceOf(rowLabel) != null) {
            List<ResultRecord> singles =
                    byCell.getOrDefault(cellKey(encoder, k, task, seed, Method.SINGLE.id()), List.of());
            ResultRecord r;
            if (rowLabel.equals(ResultTables.SINGLE_DEV)) {
                // the same expected sources, in the same order, as the table's row (ResultTables.singleRows)
                String group = ResultTables.groupKey(encoder, task, k);
                r = ResultTables.chosenOnDev(
                        singles, expectedSources.getOrDefault(group, sourcesSeen.getOrDefault(group, Set.of())));
            } else {
                String source = ResultTables.sourceOf(rowLabel);
                List<ResultRecord> matches =
                        singles.stream().filter(x -> source.equals(x.source())).toList();
                r = matches.size() == 1 ? matches.get(0) : null; // two results for one cell: no single answer
            }
            return r == null || !byKey.containsKey(r.key()) ? null : List.of(byKey.get(r.key()));
        }
        List<ResultRecord> rs = byCell.get(cellKey(encoder, k, task, seed, rowLabel));
        if (rs == null || rs.size() != 1 || !byKey.containsKey(rs.get(0).key())) {
            return null;
        }
        return List.of(byKey.get(rs.get(0).key()));
    }

    /**
     * The test-file rows this seed's cells left out because its own k-shot split holds them (the runner's {@code
     * testRowsInKShotIndexes}, indexes into the test file), ascending; empty when none were.
     */
    public int[] removedTestRows(String encoder, int k, String task, int seed) {
        for (ResultRecord r : recordsOfSeed(encoder, k, task, seed)) {
            if (r.extra().get("testRowsInKShotIndexes") instanceof List<?> rows) {
                return rows.stream()
                        .mapToInt(x -> ((Number) x).intValue())
                        .sorted()
                        .toArray();
            }
        }
        return new int[0];
    }

    /** Any cell's predictions for this task and seed (they share the test labels and k-shot training split); null if none. */
    public CellPredictions any(String encoder, int k, String task, int seed) {
        for (ResultRecord r : recordsOfSeed(encoder, k, task, seed)) {
            CellPredictions p = byKey.get(r.key());
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /** Every record of one task and seed, whatever its method, in the order the index holds them. */
    private List<ResultRecord> recordsOfSeed(String encoder, int k, String task, int seed) {
        String prefix = encoder + "\u0000" + k + "\u0000" + task + "\u0000" + seed + "\u0000";
        List<ResultRecord> out = new ArrayList<>();
        byCell.forEach((key, records) -> {
            if (key.startsWith(prefix)) {
                out.addAll(records);
            }
        });
        return out;
    }
}
