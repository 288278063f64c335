package org.mera.experiment.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Holm's families are per task: a target's adjusted p-values do not move when another target's comparisons land. */
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
}
