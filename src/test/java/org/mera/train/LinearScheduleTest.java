package org.mera.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LinearScheduleTest {
    private static final float EPS = 1e-7f;

    @Test
    void warmupRisesToThePeakThenDecaysLinearly() {
        LinearSchedule s = new LinearSchedule(1f, 4, 10);
        float[] expected = {
            0.25f, 0.5f, 0.75f, 1f, // warmup: the last warmup step is at the peak
            1f, 5f / 6, 4f / 6, 3f / 6, 2f / 6, 1f / 6
        }; // decay: (10 - step) / (10 - 4)
        for (int step = 0; step < 10; step++) {
            assertEquals(expected[step], s.rate(step), EPS, "step " + step);
        }
        assertEquals(0f, s.rate(10), EPS, "0 at totalSteps");
        assertEquals(0f, s.rate(25), EPS, "never negative past the end");
    }

    @Test
    void noWarmupStartsAtThePeak() {
        LinearSchedule s = new LinearSchedule(2e-5f, 0, 4);
        assertEquals(2e-5f, s.rate(0), EPS);
        assertEquals(1e-5f, s.rate(2), EPS);
        assertEquals(0.5e-5f, s.rate(3), EPS);
    }

    @Test
    void edgeCasesDoNotDivideByZero() {
        // Warmup over the whole run: a ramp, then 0.
        LinearSchedule allWarmup = new LinearSchedule(1f, 4, 4);
        assertEquals(0.25f, allWarmup.rate(0), EPS);
        assertEquals(1f, allWarmup.rate(3), EPS);
        assertEquals(0f, allWarmup.rate(4), EPS);
        // A one-step run trains at the peak.
        assertEquals(3e-4f, new LinearSchedule(3e-4f, 0, 1).rate(0), EPS);
        // Warmup rounded from a ratio can exceed a tiny run; the rate still stays within [0, peak].
        LinearSchedule longWarmup = new LinearSchedule(1f, 5, 2);
        assertEquals(0.2f, longWarmup.rate(0), EPS);
        assertEquals(0.4f, longWarmup.rate(1), EPS);
    }
}
