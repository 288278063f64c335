package org.mera.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class DropoutTest {
    @Test
    void dropsTheRequestedFractionAndRescalesTheRest() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ones = m.ones(new Shape(8, 12, 64, 64)); // several chunks
            Dropout.seed(1);
            float[] y = Dropout.apply(ones, 0.1f, true).toFloatArray();
            int zeros = 0;
            for (float v : y) {
                if (v == 0f) {
                    zeros++;
                } else {
                    assertEquals(1f / 0.9f, v, 1e-6f);
                }
            }
            double fraction = zeros / (double) y.length;
            // 393 216 draws: the standard error of the fraction is 4.8e-4.
            assertEquals(0.1, fraction, 0.003, "dropped fraction");
        }
    }

    @Test
    void sameSeedSameMasksAndEachCallDrawsAFreshOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ones = m.ones(new Shape(3, 70_001)); // a ragged last chunk and an odd length
            Dropout.seed(42);
            float[] first = Dropout.apply(ones, 0.3f, true).toFloatArray();
            float[] second = Dropout.apply(ones, 0.3f, true).toFloatArray();
            Dropout.seed(42);
            assertArrayEquals(first, Dropout.apply(ones, 0.3f, true).toFloatArray());
            assertFalse(java.util.Arrays.equals(first, second), "a second call must draw a new mask");
            Dropout.seed(43);
            assertFalse(java.util.Arrays.equals(
                    first, Dropout.apply(ones, 0.3f, true).toFloatArray()));
        }
    }

    @Test
    void gradientIsTheMask() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(4, 1000));
            x.setRequiresGradient(true);
            Dropout.seed(7);
            float[] y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = Dropout.apply(x, 0.25f, true);
                y = out.toFloatArray();
                gc.backward(out.sum());
            }
            float[] g = x.getGradient().toFloatArray();
            float[] xs = x.toFloatArray();
            for (int i = 0; i < g.length; i++) {
                assertTrue(g[i] == 0f || Math.abs(g[i] - 1f / 0.75f) < 1e-6f, "gradient entry " + g[i]);
                assertEquals(xs[i] * g[i], y[i], 1e-5f);
            }
        }
    }

    @Test
    void identityOutsideTraining() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(10));
            assertSame(x, Dropout.apply(x, 0.5f, false));
            assertSame(x, Dropout.apply(x, 0f, true));
        }
    }
}
