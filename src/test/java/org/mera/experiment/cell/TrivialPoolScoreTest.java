package org.mera.experiment.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mera.data.Example;
import org.mera.data.GlueTasks;

/** What learning nothing scores on a pool dev split, per metric, for the source-adapter table's "at chance" flag. */
class TrivialPoolScoreTest {
    private static List<Example> labels(String... ls) {
        return java.util.Arrays.stream(ls).map(l -> new Example("t", "u", l)).toList();
    }

    @Test
    void majorityAccuracyAlwaysPositiveF1AndZeroForCorrelationsAndMcc() {
        // RTE (accuracy): 3 of 4 in one class
        assertEquals(0.75, SourceAdapterStore.trivialScore(GlueTasks.RTE, labels("1", "1", "0", "1")), 1e-12);
        // MRPC (F1 of class 1): p = 0.5, always "1" has F1 2p/(1+p)
        assertEquals(2 * 0.5 / 1.5, SourceAdapterStore.trivialScore(GlueTasks.MRPC, labels("1", "0", "1", "0")), 1e-12);
        assertEquals(0.0, SourceAdapterStore.trivialScore(GlueTasks.COLA, labels("1", "1", "0")), 0.0);
        assertEquals(0.0, SourceAdapterStore.trivialScore(GlueTasks.STSB, labels("3.2", "1.0")), 0.0);
    }
}
