package org.mera.experiment.cell;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mera.experiment.Hyperparameters;

/** A config is checked against Hyperparameters.KNOWN before any cell runs, so every key the store reads must be there. */
class SourceAdapterStoreKeysTest {
    @Test
    void everyKeyTheSourceAdaptersReadIsAKnownHyperparameter() {
        assertTrue(
                Hyperparameters.KNOWN.keySet().containsAll(SourceAdapterStore.SOURCE_KEYS),
                SourceAdapterStore.SOURCE_KEYS.toString());
    }
}
