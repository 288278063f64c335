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
                stoppedEarly);
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
