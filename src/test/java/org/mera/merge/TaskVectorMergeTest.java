package org.mera.merge;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;

class TaskVectorMergeTest {
    private static float[] combine(TaskVectorMerge.Kind kind, float[][] v, double[] w, double density, String sign) {
        return new TaskVectorMerge(kind).combine("k", v, w, density, sign, 0);
    }

    @Test
    void taskArithmeticIsTheWeightedSum() {
        float[][] v = {{1, -2, 3}, {4, 5, -6}};
        assertArrayEquals(
                new float[] {1 * 0.5f + 4 * 2, -2 * 0.5f + 5 * 2, 3 * 0.5f - 6 * 2},
                combine(TaskVectorMerge.Kind.TASK_ARITHMETIC, v, new double[] {0.5, 2}, 1, "total"),
                1e-6f);
    }

    @Test
    void magnitudePruneKeepsTheLargestEntries() {
        assertArrayEquals(new float[] {0, -5, 0, 4}, TaskVectorMerge.magnitudePrune(new float[] {1, -5, 2, 4}, 0.5));
        assertArrayEquals(new float[] {0, -5, 0, 0}, TaskVectorMerge.magnitudePrune(new float[] {1, -5, 2, 4}, 0.3));
    }

    @Test
    void tiesMatchesAHandComputedCase() {
        // Hand computation (density 2/3 keeps 2 of 3 entries per vector; equal magnitudes: earlier index first):
        // t1 = [3, -1, 2] -> [3, 0, 2]; t2 = [-4, 1, 1] -> [-4, 1, 0]; t3 = [2, 2, -3] -> [2, 0, -3]
        // total: sums [1, 1, -1] -> signs [+, +, -]; agreeing weighted entries (w = 1, 1, 2):
        // e0: t1 3 and t3 2·2 -> 7/2; e1: t2 1 -> 1; e2: t3 2·(-3) -> -6
        float[][] v = {{3, -1, 2}, {-4, 1, 1}, {2, 2, -3}};
        double[] w = {1, 1, 2};
        assertArrayEquals(
                new float[] {3.5f, 1f, -6f}, combine(TaskVectorMerge.Kind.TIES, v, w, 2.0 / 3, "total"), 1e-6f);
        // frequency: sign counts [1, 1, 0] -> [+, +, +] (0 goes to +); e2: t1 2 -> 2
        assertArrayEquals(
                new float[] {3.5f, 1f, 2f}, combine(TaskVectorMerge.Kind.TIES, v, w, 2.0 / 3, "frequency"), 1e-6f);
    }

    @Test
    void dareKeepsADensityFractionRescaledAndIsSeeded() {
        float[] v = new float[20000];
        java.util.Arrays.fill(v, 1f);
        float[] p = TaskVectorMerge.randomPrune(v, 0.25, new SplittableRandom(1));
        int kept = 0;
        for (float x : p) {
            assertTrue(x == 0f || x == 4f);
            kept += x == 0 ? 0 : 1;
        }
        assertEquals(0.25, kept / 20000.0, 0.02);
        double mean = 0;
        for (float x : p) {
            mean += x / 20000.0;
        }
        assertEquals(1.0, mean, 0.08, "rescaling preserves the expectation");

        AdapterWeights a = RandomAdapters.create("a", BottleneckConfig.pfeiffer(), OtMergeTest.ENC, 2, 4, 0.1, 1);
        AdapterWeights b = RandomAdapters.create("b", BottleneckConfig.pfeiffer(), OtMergeTest.ENC, 2, 4, 0.1, 2);
        MergeOptions o = MergeOptions.defaults().withDensity(0.5).withSeed(7);
        AdapterWeights m1 = MergeMethods.get("dare").merge(List.of(a, b), o);
        AdapterWeights m2 = MergeMethods.get("dare").merge(List.of(a, b), o);
        AdapterWeights m3 = MergeMethods.get("dare").merge(List.of(a, b), o.withSeed(8));
        assertEquals(0.0, OtMergeTest.maxAbsDiff(m1, m2), "same seed, same result");
        assertTrue(OtMergeTest.maxAbsDiff(m1, m3) > 0, "another seed, another mask");
        assertEquals("7", m1.merge().parameters().get("seed"));
        AdapterWeights dt = MergeMethods.get("dare-ties").merge(List.of(a, b), o);
        assertEquals("dare-ties", dt.merge().method());
    }

    @Test
    void tiesAtFullDensityOfIdenticalAdaptersIsTheIdentity() {
        AdapterWeights a = RandomAdapters.create("a", BottleneckConfig.pfeiffer(), OtMergeTest.ENC, 2, 4, 0.1, 3);
        AdapterWeights m = MergeMethods.get("ties")
                .merge(List.of(a, a.renamed("b")), MergeOptions.defaults().withDensity(1.0));
        assertEquals(0.0, OtMergeTest.maxAbsDiff(a, m));
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> MergeMethods.get("ties")
                        .merge(
                                List.of(a, a.renamed("b")),
                                MergeOptions.defaults().withDensity(0)));
        assertTrue(e.getMessage().contains("density"));
    }
}
