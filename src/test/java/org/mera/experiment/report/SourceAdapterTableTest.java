package org.mera.experiment.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A source adapter within a point of what learning nothing scores on its pool dev split is marked at chance; one that
 * ran out of budget before its patience is marked, and still improving when its best state is its last evaluation.
 */
class SourceAdapterTableTest {
    private static SourceAdapterTable.Row row(Double score, Double trivial) {
        return row(score, trivial, 200, 100, true);
    }

    private static SourceAdapterTable.Row row(
            Double score, Double trivial, int steps, int bestStep, Boolean stoppedEarly) {
        return new SourceAdapterTable.Row(
                "wn-synonym",
                "minilm",
                900,
                0,
                Map.of(),
                100,
                0,
                "accuracy",
                score,
                steps,
                bestStep,
                200,
                0,
                60,
                trivial,
                stoppedEarly,
                null);
    }

    /** A cell of target {@code task} and {@code seed} that merged STS-B's source adapter, recorded as {@code info}. */
    private static org.mera.experiment.ResultRecord cellUsing(String task, int seed, Map<String, Object> info) {
        return new org.mera.experiment.ResultRecord(
                task + seed,
                "minilm",
                task,
                16,
                seed,
                "mera-average",
                null,
                java.util.List.of("STS-B"),
                "accuracy",
                Map.of("accuracy", 0.6),
                Map.of("sourceAdapters", Map.of("STS-B", info)),
                1,
                "2026-12-07T00:00:00Z",
                "run");
    }

    private static Map<String, Object> trained(double score, int bestStep, String weights) {
        Map<String, Object> info = new java.util.LinkedHashMap<>();
        info.put("poolDevMetric", "pearson");
        info.put("poolDevScore", score);
        info.put("steps", bestStep + 500);
        info.put("bestStep", bestStep);
        info.put("stepBudget", 2000);
        info.put("seconds", 600.0);
        if (weights != null) {
            info.put("weightsSha256", weights);
        }
        return info;
    }

    @Test
    void aSourceTrainedTwiceIntoDifferentWeightsShowsEachVersionWithTheCellsThatUsedIt() {
        java.util.List<SourceAdapterTable.Row> rows = SourceAdapterTable.rows(java.util.List.of(
                cellUsing("RTE", 13, trained(0.8636, 1700, null)),
                cellUsing("RTE", 21, trained(0.8636, 1700, null)),
                cellUsing("MRPC", 13, trained(0.8641, 1600, "aa")),
                cellUsing("MRPC", 21, trained(0.8641, 1600, "aa"))));
        assertEquals(2, rows.size());
        assertEquals(
                "STS-B (version 1 of 2, used by RTE seeds 13, 21)",
                SourceAdapterTable.cells(rows.get(0)).get(0));
        assertEquals(
                "STS-B (version 2 of 2, used by MRPC seeds 13, 21)",
                SourceAdapterTable.cells(rows.get(1)).get(0));
        assertEquals("86.4 (pearson)", SourceAdapterTable.cells(rows.get(1)).get(6));
    }

    @Test
    void aSourceTrainedAgainIntoTheSameStateIsOneRowAndWeightHashesDecideWhereBothHaveOne() {
        // the older record has no hash: the same score, steps and best step are the same version
        assertEquals(
                1,
                SourceAdapterTable.rows(java.util.List.of(
                                cellUsing("RTE", 13, trained(0.8636, 1700, null)),
                                cellUsing("MRPC", 13, trained(0.8636, 1700, "aa"))))
                        .size());
        java.util.List<SourceAdapterTable.Row> hashed = SourceAdapterTable.rows(java.util.List.of(
                cellUsing("RTE", 13, trained(0.8636, 1700, "aa")), cellUsing("MRPC", 13, trained(0.8636, 1700, "bb"))));
        assertEquals(2, hashed.size(), "equal scores but different weights are two versions");
        assertEquals(
                "STS-B",
                SourceAdapterTable.cells(SourceAdapterTable.rows(java.util.List.of(
                                        cellUsing("RTE", 13, trained(0.8636, 1700, "aa")),
                                        cellUsing("RTE", 21, trained(0.8636, 1700, "aa"))))
                                .get(0))
                        .get(0));
    }

    @Test
    void aSourceThatUsedItsWholeBudgetSaysSoAndWhetherItWasStillImproving() {
        java.util.List<String> stopped = SourceAdapterTable.cells(row(0.61, 0.53, 150, 50, true));
        assertEquals(java.util.List.of("150", "50"), stopped.subList(7, 9));
        java.util.List<String> budget = SourceAdapterTable.cells(row(0.61, 0.53, 200, 150, false));
        assertEquals(java.util.List.of("200 (budget)", "150"), budget.subList(7, 9));
        java.util.List<String> improving = SourceAdapterTable.cells(row(0.61, 0.53, 200, 200, false));
        assertEquals(java.util.List.of("200 (budget)", "200 (still improving)"), improving.subList(7, 9));
        java.util.List<String> older = SourceAdapterTable.cells(row(0.61, 0.53, 200, 200, null));
        assertEquals(java.util.List.of("200", "200"), older.subList(7, 9), "records without it say nothing");
    }

    @Test
    void theScoreCellSaysWhatLearningNothingScoresAndFlagsAChanceAdapter() {
        assertEquals(
                "53.5 (accuracy); learning nothing: 53.0 (within a point of it, or below: at chance, this adapter learned next to nothing)",
                SourceAdapterTable.cells(row(0.535, 0.53)).get(6));
        assertEquals(
                "61.0 (accuracy); learning nothing: 53.0",
                SourceAdapterTable.cells(row(0.61, 0.53)).get(6));
        assertEquals(
                "61.0 (accuracy)", SourceAdapterTable.cells(row(0.61, null)).get(6), "older cells record none");
    }
}
