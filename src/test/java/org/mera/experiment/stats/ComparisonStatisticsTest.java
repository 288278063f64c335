package org.mera.experiment.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.mera.experiment.CellPredictions;

/**
 * Holm's families are per task: a target's adjusted p-values do not move when another target's comparisons land; and
 * a seed whose own k-shot split held a test row still pairs with the others.
 */
class ComparisonStatisticsTest {
    private static ResultTables.Paired paired(String task) {
        return new ResultTables.Paired(task, "a", "b", new TreeMap<>());
    }

    @Test
    void eachTaskIsItsOwnHolmFamily() {
        List<ResultTables.Paired> mrpcOnly = List.of(paired("MRPC"), paired("MRPC"), paired("MRPC"));
        double[] pMrpc = {0.01, 0.04, 0.30};
        // Holm over three: 3·0.01, max(0.03, 2·0.04), max(0.08, 1·0.30)
        assertArrayEquals(new double[] {0.03, 0.08, 0.30}, ComparisonStatistics.holmByTask(mrpcOnly, pMrpc), 1e-12);

        List<ResultTables.Paired> both = new ArrayList<>(mrpcOnly);
        both.add(1, paired("QNLI"));
        both.add(paired("QNLI"));
        double[] pBoth = {0.01, 0.002, 0.04, 0.30, 0.5};
        double[] adjusted = ComparisonStatistics.holmByTask(both, pBoth);
        // MRPC's as before, wherever its lines sit; QNLI's a family of two: 2·0.002, max(0.004, 0.5)
        assertArrayEquals(new double[] {0.03, 0.004, 0.08, 0.30, 0.5}, adjusted, 1e-12);
        // one family over all five would have given MRPC's smallest 4·0.01
        assertArrayEquals(new double[] {0.04, 0.01, 0.12, 0.6, 0.6}, PairedStatistics.holm(pBoth), 1e-12);
    }

    @Test
    void aLineWithoutATestStaysOutOfItsFamily() {
        List<ResultTables.Paired> lines = List.of(paired("RTE"), paired("RTE"));
        assertArrayEquals(
                new double[] {0.02, Double.NaN},
                ComparisonStatistics.holmByTask(lines, new double[] {0.02, Double.NaN}),
                0.0);
    }

    private static final int[] GOLD = {1, 0, 1, 1, 0, 0, 1, 0};
    private static final int[] A = {1, 0, 0, 1, 0, 1, 1, 0};
    private static final int[] B = {0, 0, 1, 1, 1, 1, 1, 1};

    /** The predictions of one cell whose test set left out the test-file rows {@code removed}. */
    private static CellPredictions without(int[] predicted, int... removed) {
        java.util.Set<Integer> r = new java.util.HashSet<>();
        for (int x : removed) {
            r.add(x);
        }
        int[] rows = java.util.stream.IntStream.range(0, GOLD.length)
                .filter(i -> !r.contains(i))
                .toArray();
        return CellPredictions.classification(2, predicted, GOLD, new int[] {16, 16})
                .keep(rows);
    }

    @Test
    void aTestRowOneSeedLeftOutIsLeftOutOfEverySeedsBootstrap() {
        // QQP seed 87: one k-shot training pair is also a test row (row 2 here), so that seed's cells score one
        // example fewer; the three seeds must still pair, on the rows all of them kept.
        TreeMap<Integer, Double> differences = new TreeMap<>(java.util.Map.of(13, 1.0, 21, 2.0, 87, 3.0));
        java.util.Map<Integer, int[]> removed = java.util.Map.of(13, new int[0], 21, new int[0], 87, new int[] {2});
        java.util.function.IntFunction<List<CellPredictions>> a = seed -> List.of(without(A, removed.get(seed)));
        java.util.function.IntFunction<List<CellPredictions>> b = seed -> List.of(without(B, removed.get(seed)));
        String[] note = new String[1];
        PairedStatistics.Interval ci =
                ComparisonStatistics.interval(differences, "accuracy", note, a, b, removed::get, removed::get);
        assertNull(note[0]);
        assertTrue(ci.exists());
        // the same as the bootstrap of all three seeds on the seven rows every seed kept
        List<List<CellPredictions>> a7 = new ArrayList<>();
        List<List<CellPredictions>> b7 = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            a7.add(List.of(without(A, 2)));
            b7.add(List.of(without(B, 2)));
        }
        assertEquals(PairedStatistics.interval("accuracy", a7, b7), ci);

        // without knowing which row seed 87 left out, its examples cannot be lined up with the others'
        String[] unknown = new String[1];
        PairedStatistics.Interval none =
                ComparisonStatistics.interval(differences, "accuracy", unknown, a, b, s -> new int[0], s -> new int[0]);
        assertFalse(none.exists());
        assertTrue(unknown[0].contains("cannot be paired"), unknown[0]);
    }

    @Test
    void theRowsASeedLeftOutAreReadFromItsCellsRecords() {
        org.mera.experiment.ResultRecord seed87 = qqpAdapter(
                87, java.util.Map.of("testRows", 999, "testRowsInKShot", 1, "testRowsInKShotIndexes", List.of(401)));
        org.mera.experiment.ResultRecord seed13 =
                qqpAdapter(13, java.util.Map.of("testRows", 1000, "testRowsInKShot", 0));
        PredictionIndex index = new PredictionIndex(List.of(seed87, seed13), java.util.Map.of(), java.util.Map.of());
        assertArrayEquals(new int[] {401}, index.removedTestRows("minilm", 16, "QQP", 87));
        assertArrayEquals(new int[0], index.removedTestRows("minilm", 16, "QQP", 13));
        assertArrayEquals(new int[0], index.removedTestRows("minilm", 16, "MRPC", 87));
    }

    private static org.mera.experiment.ResultRecord qqpAdapter(int seed, java.util.Map<String, Object> extra) {
        return new org.mera.experiment.ResultRecord(
                "k" + seed,
                "minilm",
                "QQP",
                16,
                seed,
                "adapter",
                null,
                List.of(),
                "f1",
                java.util.Map.of("f1", 0.5),
                extra,
                1,
                "2026-12-07T00:00:00Z",
                "run");
    }
}
