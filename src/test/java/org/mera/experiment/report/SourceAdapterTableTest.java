package org.mera.experiment.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A source adapter within a point of what learning nothing scores on its pool dev split is marked at chance. */
class SourceAdapterTableTest {
    private static SourceAdapterTable.Row row(Double score, Double trivial) {
        return new SourceAdapterTable.Row(
                "wn-synonym", "minilm", 900, 0, Map.of(), 100, 0, "accuracy", score, 200, 100, 200, 0, 60, trivial);
    }

    @Test
    void theScoreCellSaysWhatLearningNothingScoresAndFlagsAChanceAdapter() {
        assertEquals(
                "53.5 (accuracy); learning nothing: 53.0 (at or below chance: this adapter learned nothing)",
                SourceAdapterTable.cells(row(0.535, 0.53)).get(6));
        assertEquals(
                "61.0 (accuracy); learning nothing: 53.0",
                SourceAdapterTable.cells(row(0.61, 0.53)).get(6));
        assertEquals(
                "61.0 (accuracy)", SourceAdapterTable.cells(row(0.61, null)).get(6), "older cells record none");
    }
}
