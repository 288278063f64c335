package org.mera.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mera.io.Tensor;

class ClassificationHeadTest {
    static final int H = 4;

    static Map<String, Tensor> weights() {
        Random rnd = new Random(3);
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("heads.t.1.weight", Tensor.normal(rnd, 0.5f, H, H));
        w.put("heads.t.1.bias", Tensor.normal(rnd, 0.5f, H));
        w.put("heads.t.4.weight", Tensor.normal(rnd, 0.5f, 2, H));
        w.put("heads.t.4.bias", Tensor.normal(rnd, 0.5f, 2));
        return w;
    }

    @Test
    void meanPoolingReadsTheAverageOfTheRealTokensOnly() {
        try (NDManager m = NDManager.newBaseManager();
                Params pMean = new Params(m);
                Params pFirst = new Params(m)) {
            ClassificationHead mean = ClassificationHead.load(
                    pMean, "t", weights(), H, List.of("a", "b"), 0.1f, ClassificationHead.Pooling.MEAN);
            ClassificationHead first = ClassificationHead.load(
                    pFirst, "t", weights(), H, List.of("a", "b"), 0.1f, ClassificationHead.Pooling.FIRST_TOKEN);
            float[] hidden = new float[2 * 3 * H];
            Random rnd = new Random(5);
            for (int i = 0; i < hidden.length; i++) {
                hidden[i] = (float) rnd.nextGaussian();
            }
            int[] mask = {1, 1, 0, 1, 0, 0};
            // The mean of the kept rows, computed here, put where a first-token head reads.
            float[] pooled = new float[2 * H];
            for (int b = 0; b < 2; b++) {
                int kept = 0;
                for (int t = 0; t < 3; t++) {
                    if (mask[b * 3 + t] == 1) {
                        kept++;
                        for (int d = 0; d < H; d++) {
                            pooled[b * H + d] += hidden[(b * 3 + t) * H + d];
                        }
                    }
                }
                for (int d = 0; d < H; d++) {
                    pooled[b * H + d] /= kept;
                }
            }
            NDArray maskArray = m.create(mask, new Shape(2, 3));
            float[] viaMean = mean.forward(m.create(hidden, new Shape(2, 3, H)), maskArray, false)
                    .toFloatArray();
            float[] viaFirst = first.forward(m.create(pooled, new Shape(2, 1, H)), m.ones(new Shape(2, 1)), false)
                    .toFloatArray();
            assertArrayEquals(viaFirst, viaMean, 1e-5f);
            // Padding is invisible to it: other values under the mask change nothing.
            hidden[2 * H] = 100f;
            hidden[(3 + 2) * H + 1] = -100f;
            assertArrayEquals(
                    viaMean,
                    mean.forward(m.create(hidden, new Shape(2, 3, H)), maskArray, false)
                            .toFloatArray(),
                    0f);
            assertEquals(ClassificationHead.Pooling.MEAN, mean.pooling());
        }
    }

    @Test
    void poolingNamesParseAndAnUnknownOneIsNamed() {
        assertEquals(ClassificationHead.Pooling.MEAN, ClassificationHead.Pooling.parse("mean"));
        assertEquals(ClassificationHead.Pooling.FIRST_TOKEN, ClassificationHead.Pooling.parse("cls"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ClassificationHead.Pooling.parse("max"));
        assertTrue(e.getMessage().contains("'max'") && e.getMessage().contains("cls, mean"), e.getMessage());
    }
}
