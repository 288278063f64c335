package org.mera.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The encoder releases each layer's intermediate handles as soon as the layer's output exists, in evaluation
 * and in training alike, so a batch holds one layer's worth of handles at a time instead of every layer's until
 * the caller's scope ends (docs/performance.md has the peak memory this saves). Counted in live arrays, not
 * bytes. In training autograd keeps what the backward needs by itself: the gradients are exactly those of a
 * forward pass that keeps every handle.
 */
class InferenceMemoryTest {
    @Test
    void evaluationKeepsOnlyAFewArraysAliveWhateverTheDepth() throws Exception {
        PretrainedModel model = PretrainedModel.load(TestEncoders.minilm());
        try (NDManager m = NDManager.newBaseManager()) {
            BertEncoder encoder = model.newEncoder(m);
            Shape s = new Shape(2, 9);
            long[] ids = {101, 2023, 2003, 1037, 3231, 102, 0, 0, 0, 101, 2178, 2028, 2062, 1012, 2005, 2673, 2000, 102
            };
            long[] mask = {1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1};
            int before = m.getManagedArrays().size();
            int evalLive;
            float[] evalOut;
            try (NDScope scope = new NDScope()) {
                NDArray out = encoder.forward(m.create(ids, s), m.zeros(s, DataType.INT64), m.create(mask, s), false);
                evalLive = m.getManagedArrays().size() - before;
                evalOut = out.toFloatArray();
            }
            int trainingLive;
            float[] statesOut;
            try (NDScope scope = new NDScope()) {
                encoder.forward(m.create(ids, s), m.zeros(s, DataType.INT64), m.create(mask, s), true);
                trainingLive = m.getManagedArrays().size() - before;
                // hiddenStates keeps every layer's output (its callers need them) and computes the same last one
                var states =
                        encoder.hiddenStates(m.create(ids, s), m.zeros(s, DataType.INT64), m.create(mask, s), false);
                statesOut = states.get(states.size() - 1).toFloatArray();
            }
            assertTrue(evalLive < 40, "evaluation left " + evalLive + " arrays alive");
            assertTrue(trainingLive < 40, "a training-mode forward left " + trainingLive + " arrays alive");
            assertArrayEquals(evalOut, statesOut, 0f);
        }
    }

    @Test
    void gradientsAreThoseOfAForwardPassThatKeepsEveryHandle() throws Exception {
        PretrainedModel model = PretrainedModel.load(TestEncoders.minilm());
        try (NDManager m = NDManager.newBaseManager()) {
            BertEncoder encoder = model.newEncoder(m);
            List<Param> trained = new ArrayList<>();
            for (int i = 0; i < encoder.config().numLayers(); i++) {
                for (String name :
                        List.of("attention.self.query.weight", "intermediate.dense.bias", "output.LayerNorm.weight")) {
                    Param p = encoder.params().get("encoder.layer." + i + "." + name);
                    p.setTrainable(true);
                    trained.add(p);
                }
            }
            Shape s = new Shape(2, 9);
            long[] ids = {101, 2023, 2003, 1037, 3231, 102, 0, 0, 0, 101, 2178, 2028, 2062, 1012, 2005, 2673, 2000, 102
            };
            long[] mask = {1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1};
            List<float[]> released = gradients(
                    trained,
                    () -> encoder.forward(m.create(ids, s), m.zeros(s, DataType.INT64), m.create(mask, s), true));
            List<float[]> kept = gradients(trained, () -> {
                // The forward pass as it was before handles were released per layer: everything stays open.
                NDArray maskArray = m.create(mask, s);
                NDArray x = encoder.embeddings().forward(m.create(ids, s), m.zeros(s, DataType.INT64), maskArray, true);
                NDArray maskBias = maskArray
                        .toType(DataType.FLOAT32, false)
                        .neg()
                        .add(1f)
                        .mul(-3.0e38f)
                        .expandDims(1)
                        .expandDims(1);
                for (BertLayer layer : encoder.layers()) {
                    x = layer.forward(x, maskBias, true);
                }
                return x;
            });
            for (int i = 0; i < trained.size(); i++) {
                assertArrayEquals(
                        kept.get(i), released.get(i), 0f, trained.get(i).name());
            }
            assertTrue(
                    kept.stream().anyMatch(g -> {
                        for (float v : g) {
                            if (v != 0f) {
                                return true;
                            }
                        }
                        return false;
                    }),
                    "the gradients are all zero: the comparison would prove nothing");
        }
    }

    /** The gradients of sum(out²) for {@code params}, with dropout on and its mask stream restarted. */
    private static List<float[]> gradients(List<Param> params, java.util.function.Supplier<NDArray> forward) {
        Dropout.seed(11);
        List<float[]> out = new ArrayList<>();
        try (NDScope scope = new NDScope()) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(forward.get().square().sum());
            }
            for (Param p : params) {
                try (NDArray g = p.array().getGradient()) {
                    out.add(g.toFloatArray());
                }
                JniUtils.zeroGrad((PtNDArray) p.array());
            }
        }
        return out;
    }
}
