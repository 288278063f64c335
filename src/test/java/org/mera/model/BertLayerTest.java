package org.mera.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mera.io.Tensor;

/**
 * One BertLayer against transformers' BertLayer on small pseudo-random weights (scripts/oracle/bert_layer_fixture.py:
 * the same formula makes the weights there and here), with a padded token, in eval mode.
 */
class BertLayerTest {
    private static final int H = 8;
    private static final int HEADS = 2;
    private static final int F = 16;
    private static final int B = 2;
    private static final int T = 3;
    private static final List<String> NAMES = List.of(
            "attention.self.query.weight",
            "attention.self.query.bias",
            "attention.self.key.weight",
            "attention.self.key.bias",
            "attention.self.value.weight",
            "attention.self.value.bias",
            "attention.output.dense.weight",
            "attention.output.dense.bias",
            "attention.output.LayerNorm.weight",
            "attention.output.LayerNorm.bias",
            "intermediate.dense.weight",
            "intermediate.dense.bias",
            "output.dense.weight",
            "output.dense.bias",
            "output.LayerNorm.weight",
            "output.LayerNorm.bias");

    // transformers 5.17.0, torch 2.13.0+cpu; scripts/oracle/bert_layer_fixture.py (printed with 8 significant digits,
    // more than a float holds: the literals round to the float32 values torch computed)
    @SuppressWarnings("FloatingPointLiteralPrecision")
    private static final float[] EXPECTED = {
        -0.41986135f,
        -0.89049011f,
        1.3015816f,
        1.3807473f,
        -1.6640663f,
        -0.72522157f,
        0.89470357f,
        0.1835195f,
        0.67194629f,
        -1.3015835f,
        -0.25165898f,
        1.6680323f,
        0.8886959f,
        0.55720425f,
        -0.61803293f,
        -1.1232253f,
        0.53006077f,
        0.78625238f,
        -0.55573612f,
        -1.7476698f,
        -1.1425296f,
        -0.11541062f,
        1.2690367f,
        -0.065400921f,
        -0.5354197f,
        -0.92030972f,
        1.2286214f,
        1.5909467f,
        -1.3952426f,
        -0.99060184f,
        0.69223976f,
        0.56667364f,
        0.83958322f,
        -1.2158813f,
        -0.34430599f,
        1.3325747f,
        0.75252557f,
        0.75839251f,
        -0.44259691f,
        -1.3683828f,
        0.12694834f,
        0.92910367f,
        -0.60948062f,
        -1.2051946f,
        -1.1698861f,
        -0.57479835f,
        1.4606432f,
        0.12097951f,
    };

    /** Float32 both sides, ~1e-6 apart; an unmasked pad (0.2 off) or a GELU scaled by 0.999 (4e-4 off) fail. */
    private static final float TOLERANCE = 1e-5f;

    /** The fixture's formula: scale * sin(1.3 i + 0.7 k + 0.1) for entry i of tensor number k. */
    private static float[] values(int k, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (scale * Math.sin(1.3 * i + 0.7 * k + 0.1));
        }
        return v;
    }

    private static Map<String, Tensor> weights(String prefix) {
        Map<String, Tensor> w = new HashMap<>();
        for (int k = 0; k < NAMES.size(); k++) {
            String name = NAMES.get(k);
            int out = name.startsWith("intermediate") ? F : H;
            int in = name.startsWith("output.dense") ? F : H;
            boolean matrix =
                    name.endsWith("dense.weight") || (name.startsWith("attention.self") && name.endsWith(".weight"));
            boolean norm = name.contains("LayerNorm");
            float[] v = values(k, matrix ? out * in : out, matrix ? 0.5 : norm && name.endsWith("weight") ? 0.2 : 0.1);
            if (norm && name.endsWith("weight")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] += 1f; // float32 sum, as numpy adds 1.0 to the float32 array
                }
            }
            w.put(prefix + name, matrix ? new Tensor(v, out, in) : new Tensor(v, out));
        }
        return w;
    }

    @Test
    void matchesTransformersBertLayer() {
        EncoderConfig config = new EncoderConfig("bert", 10, H, 1, HEADS, F, 16, 2, 1e-12f, 0f, 0f, 0);
        try (NDManager m = NDManager.newBaseManager();
                Params params = new Params(m)) {
            Map<String, Tensor> w = weights("encoder.layer.0.");
            BertLayer layer = new BertLayer(config, params, w, "encoder.layer.0.");
            for (String name : w.keySet()) {
                assertTrue(params.contains(name), "the layer uses " + name);
            }
            NDArray x = m.create(values(NAMES.size(), B * T * H, 1.0), new Shape(B, T, H));
            // Second sequence's last token is padding; mera's additive mask (BertEncoder) puts -3e38 there.
            NDArray maskBias = m.create(new float[] {0, 0, 0, 0, 0, -3.0e38f}, new Shape(B, 1, 1, T));
            float[] out = layer.forward(x, maskBias, false).toFloatArray();
            assertEquals(EXPECTED.length, out.length);
            assertArrayEquals(EXPECTED, out, TOLERANCE);
        }
    }
}
