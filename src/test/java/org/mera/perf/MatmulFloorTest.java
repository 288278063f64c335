package org.mera.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mera.model.EncoderConfig;

/** The floor times the products a step computes: the forward's FLOPs as the model counts them, backward's by rule. */
class MatmulFloorTest {
    @Test
    void forwardProductsCountWhatTheModelCountsAndBackwardFollowsTheRules() {
        int b = 2;
        int t = 16;
        try (NDManager m = NDManager.newBaseManager()) {
            EncoderConfig c = new EncoderConfig("bert", 100, 32, 2, 4, 64, 64, 2, 1e-12f, 0.1f, 0.1f, 0);
            List<List<MatmulFloor.Product>> sets = MatmulFloor.products(m, c, b, t);
            double[] flops = sets.stream()
                    .mapToDouble(s ->
                            s.stream().mapToDouble(MatmulFloor.Product::flops).sum())
                    .toArray();
            long n = (long) b * t;
            assertEquals(c.forwardFlops(n, t), flops[0], 1e-6);
            // Input gradients: each projection once more; attention's backward has four products to its forward's two.
            double projections = 2.0 * n * c.numLayers() * (4.0 * 32 * 32 + 2.0 * 32 * 64);
            double attention = 2.0 * 2 * n * t * 32 * c.numLayers();
            assertEquals(projections + 2 * attention, flops[1], 1e-6);
            assertEquals(projections, flops[2], 1e-6);
            // Each product has the shape its role needs: x · Wᵀ gives [n, out], dy · W gives [n, in], dyᵀ · x [out,
            // in].
            for (List<MatmulFloor.Product> set : sets) {
                for (MatmulFloor.Product p : set) {
                    try (NDArray r = p.compute()) {
                        assertEquals(p.flops(), 2.0 * r.size() * inner(p), 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void floorsAddUpAndBecomeNamedRows() {
        MatmulFloor.Result r = MatmulFloor.run(
                new EncoderConfig("bert", 100, 32, 2, 4, 64, 64, 2, 1e-12f, 0.1f, 0.1f, 0), 2, 16, 0, 1);
        assertTrue(r.forwardSeconds() > 0 && r.inputGradSeconds() > 0 && r.weightGradSeconds() > 0, r.toString());
        assertEquals(r.forwardSeconds() + r.inputGradSeconds(), r.adapterStepFloor(), 1e-12);
        assertEquals(r.adapterStepFloor() + r.weightGradSeconds(), r.fullStepFloor(), 1e-12);
        List<BenchRow> rows = r.rows("tiny", 2, 16, 100);
        assertEquals("tiny forward, matrix products alone 2x16", rows.get(0).name());
        assertEquals("tiny full step, matrix products alone 2x16", rows.get(2).name());
        assertEquals(r.forwardFlops() / r.forwardSeconds() / 1e9, rows.get(0).gflops(), 1e-9);
    }

    private static long inner(MatmulFloor.Product p) {
        long[] a = p.a().getShape().getShape();
        return p.transposeA() ? a[a.length - 2] : a[a.length - 1];
    }
}
