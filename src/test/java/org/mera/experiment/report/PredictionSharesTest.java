package org.mera.experiment.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PredictionSharesTest {
    @Test
    void sharesAreCountedPerClassAndACollapsedSetIsFlagged() {
        assertArrayEquals(new double[] {0.25, 0.5, 0.25}, PredictionShares.shares(new int[] {0, 1, 1, 2}, 3), 1e-12);
        assertEquals("40 / 60", PredictionShares.format(new PredictionShares.Shares(new double[] {0.4, 0.6}, 0, 5)));
        assertEquals(
                "3 / 97 (2 of 5 ≥ 95 % one class)",
                PredictionShares.format(new PredictionShares.Shares(new double[] {0.03, 0.97}, 2, 5)));
        assertEquals("–", PredictionShares.format(null));
    }
}
