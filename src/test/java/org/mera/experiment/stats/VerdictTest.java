package org.mera.experiment.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class VerdictTest {
    @Test
    void wordsFollowTheIntervalAndNothingElse() {
        assertEquals("no support", Verdict.of(-0.4, 3.1).words(), "an interval across zero supports nothing");
        assertEquals("no support", Verdict.of(0.0, 2.0).words(), "touching zero is containing it");
        assertEquals("no support", Verdict.of(-2.0, 0.0).words());
        assertEquals("supported", Verdict.of(0.1, 9.0).words());
        assertEquals("contradicted", Verdict.of(-9.0, -0.1).words());
        assertEquals(
                "no per-example predictions", Verdict.of(Double.NaN, Double.NaN).words());
        assertThrows(IllegalArgumentException.class, () -> Verdict.of(2, 1));
    }
}
