package org.mera.experiment.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.random.MersenneTwister;
import org.junit.jupiter.api.Test;
import org.mera.experiment.CellPredictions;

class PairedStatisticsTest {
    /** Three seeds, 40 binary examples, two methods with different (seeded) error rates. */
    private static List<List<CellPredictions>> side(int[] gold, double errorRate, long seed) {
        List<List<CellPredictions>> out = new ArrayList<>();
        Random r = new Random(seed);
        for (int s = 0; s < 3; s++) {
            int[] p = new int[gold.length];
            for (int i = 0; i < gold.length; i++) {
                p[i] = r.nextDouble() < errorRate ? 1 - gold[i] : gold[i];
            }
            out.add(List.of(CellPredictions.classification(2, p, gold, new int[] {16, 16})));
        }
        return out;
    }

    /** F1 of class 1, written out from its definition rather than through Metrics. */
    private static double f1(int[] p, int[] g, int[] idx) {
        int tp = 0;
        int fp = 0;
        int fn = 0;
        for (int i : idx) {
            tp += p[i] == 1 && g[i] == 1 ? 1 : 0;
            fp += p[i] == 1 && g[i] == 0 ? 1 : 0;
            fn += p[i] == 0 && g[i] == 1 ? 1 : 0;
        }
        return 2 * tp + fp + fn == 0 ? 0 : 2.0 * tp / (2 * tp + fp + fn);
    }

    /** R type 7: h = (n − 1)·q, linear interpolation between the order statistics around h. */
    private static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    @Test
    void bootstrapIntervalMatchesADirectComputation() {
        int[] gold = new int[40];
        Random g = new Random(1);
        for (int i = 0; i < gold.length; i++) {
            gold[i] = g.nextInt(2);
        }
        List<List<CellPredictions>> a = side(gold, 0.15, 2);
        List<List<CellPredictions>> b = side(gold, 0.35, 3);
        int resamples = 500;
        long seed = 77;

        // Independent computation: the documented procedure written as a plain loop with the same generator.
        MersenneTwister rng = new MersenneTwister(seed);
        double[] expected = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            int[] seeds = new int[3];
            for (int j = 0; j < 3; j++) {
                seeds[j] = rng.nextInt(3);
            }
            int[] idx = new int[gold.length];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = rng.nextInt(gold.length);
            }
            double sum = 0;
            for (int s : seeds) {
                sum += f1(a.get(s).get(0).predictedClasses(), gold, idx)
                        - f1(b.get(s).get(0).predictedClasses(), gold, idx);
            }
            expected[r] = 100 * sum / 3;
        }
        double[] actual = PairedStatistics.bootstrap("f1", a, b, resamples, seed);
        assertArrayEquals(expected, actual, 1e-9);

        double[] sorted = expected.clone();
        Arrays.sort(sorted);
        PairedStatistics.Interval ci = PairedStatistics.percentileInterval(actual, 0.95);
        assertEquals(quantile(sorted, 0.025), ci.low(), 1e-9);
        assertEquals(quantile(sorted, 0.975), ci.high(), 1e-9);
        assertTrue(ci.low() < ci.high());
    }

    @Test
    void aDegenerateExampleHasItsClosedFormInterval() {
        // A is always right, B always wrong: every resample's accuracy difference is exactly 100 points.
        int[] gold = {0, 1, 1, 0, 1};
        int[] wrong = Arrays.stream(gold).map(x -> 1 - x).toArray();
        List<List<CellPredictions>> a = List.of(
                List.of(CellPredictions.classification(2, gold, gold, new int[] {2, 2})),
                List.of(CellPredictions.classification(2, gold, gold, new int[] {2, 2})));
        List<List<CellPredictions>> b = List.of(
                List.of(CellPredictions.classification(2, wrong, gold, new int[] {2, 2})),
                List.of(CellPredictions.classification(2, wrong, gold, new int[] {2, 2})));
        PairedStatistics.Interval ci = PairedStatistics.interval("accuracy", a, b);
        assertEquals(100, ci.low(), 1e-12);
        assertEquals(100, ci.high(), 1e-12);
        assertEquals(Verdict.SUPPORTED, Verdict.of(ci.low(), ci.high()));
        PairedStatistics.Interval reverse = PairedStatistics.interval("accuracy", b, a);
        assertEquals(Verdict.CONTRADICTED, Verdict.of(reverse.low(), reverse.high()));
        // Identical predictions: the difference is 0 in every resample, an interval [0, 0] that contains zero.
        PairedStatistics.Interval same = PairedStatistics.interval("accuracy", a, a);
        assertEquals(0, same.low());
        assertEquals(0, same.high());
        assertEquals("no support", Verdict.of(same.low(), same.high()).words());
    }

    @Test
    void pValueSignsAndHolmHaveTheirTextbookValues() {
        // t = mean / (sd / √n) = 2 / (1 / √3) = 2√3 with 2 degrees of freedom; for df 2 the two-sided p is 1 − t / √(2
        // + t²).
        double t = 2 * Math.sqrt(3);
        assertEquals(1 - t / Math.sqrt(2 + t * t), PairedStatistics.tTestP(List.of(1.0, 2.0, 3.0)), 1e-9);
        assertTrue(Double.isNaN(PairedStatistics.tTestP(List.of(1.0, 1.0, 1.0))), "no spread: no test");
        assertTrue(Double.isNaN(PairedStatistics.tTestP(List.of(1.0))));

        assertEquals(
                new PairedStatistics.Signs(1, 2, 1),
                PairedStatistics.Signs.of(List.of(0.04, -0.05, 0.2, -1.0)),
                "differences within ±0.05 points are ties");

        double[] adjusted = PairedStatistics.holm(new double[] {0.01, 0.04, 0.03, Double.NaN, 0.5});
        // m = 4 tests: 0.01·4 = 0.04; 0.03·3 = 0.09; 0.04·2 = 0.08 → 0.09 (monotone); 0.5·1 = 0.5.
        assertEquals(0.04, adjusted[0], 1e-12);
        assertEquals(0.09, adjusted[1], 1e-12);
        assertEquals(0.09, adjusted[2], 1e-12);
        assertTrue(Double.isNaN(adjusted[3]));
        assertEquals(0.5, adjusted[4], 1e-12);
    }
}
