package org.mera.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without autograd the encoder frees each layer's intermediates as soon as the layer's output exists, so an
 * evaluation batch holds one layer's worth at a time instead of every layer's until the caller's scope ends
 * (docs/performance.md has the peak memory this saves). Counted in live arrays, not bytes.
 */
class InferenceMemoryTest {
    @Test
    void evaluationKeepsOnlyAFewArraysAliveWhateverTheDepth() throws Exception {
        PretrainedModel model = PretrainedModel.load(TestEncoders.minilm());
        try (NDManager m = NDManager.newBaseManager()) {
            BertEncoder encoder = model.newEncoder(m);
            Shape s = new Shape(2, 9);
            long[] ids = {101, 2023, 2003, 1037, 3231, 102, 0, 0, 0, 101, 2178, 2028, 2062, 1012, 2005, 2673, 2000, 102};
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
                var states = encoder.hiddenStates(m.create(ids, s), m.zeros(s, DataType.INT64), m.create(mask, s), false);
                statesOut = states.get(states.size() - 1).toFloatArray();
            }
            int layers = encoder.config().numLayers();
            assertTrue(evalLive < 40, "evaluation left " + evalLive + " arrays alive");
            assertTrue(trainingLive > 10 * layers, "a training-mode forward keeps its intermediates (for backward): " + trainingLive);
            assertArrayEquals(evalOut, statesOut, 0f);
        }
    }
}
