package org.mera.adapter.fusion;

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
import org.mera.adapter.bottleneck.Bottleneck;
import org.mera.io.Tensor;
import org.mera.model.LayerNorm;
import org.mera.model.Linear;
import org.mera.model.Params;

/** The fusion block against a hand computation of AdapterHub's BertFusion + compose_fuse (dynamic config). */
class FusionLayerTest {
    private static final int H = 5;
    private static final int B = 3;
    private static final int TOKENS = 4;

    @Test
    void pfeifferFusionOfTwoAdaptersMatchesAHandComputation() {
        Random rnd = new Random(11);
        try (NDManager m = NDManager.newBaseManager()) {
            Params params = new Params(m);
            Map<String, Tensor> w = new LinkedHashMap<>();
            for (String n : List.of("a", "b")) {
                w.put(n + ".d.weight", Tensor.normal(rnd, 0.7f, B, H));
                w.put(n + ".d.bias", Tensor.normal(rnd, 0.3f, B));
                w.put(n + ".u.weight", Tensor.normal(rnd, 0.7f, H, B));
                w.put(n + ".u.bias", Tensor.normal(rnd, 0.3f, H));
            }
            for (String p : List.of("q", "k")) {
                w.put(p + ".weight", Tensor.normal(rnd, 0.6f, H, H));
                w.put(p + ".bias", Tensor.normal(rnd, 0.3f, H));
            }
            w.put("v.weight", Tensor.normal(rnd, 0.6f, H, H));
            w.put("ln.weight", Tensor.normal(rnd, 0.5f, H));
            w.put("ln.bias", Tensor.normal(rnd, 0.5f, H));
            Bottleneck a = new Bottleneck(
                    Linear.load(params, w, "a.d", B, H), Linear.load(params, w, "a.u", H, B), "relu", 1f);
            Bottleneck b = new Bottleneck(
                    Linear.load(params, w, "b.d", B, H), Linear.load(params, w, "b.u", H, B), "relu", 1f);
            Linear q = Linear.load(params, w, "q", H, H);
            Linear k = Linear.load(params, w, "k", H, H);
            Linear v = new Linear(params.take(w, "v.weight", H, H), null);
            LayerNorm ln = LayerNorm.load(params, w, "ln", H, 1e-12f);
            FusionOutput fusion = new FusionOutput(
                    List.of(a, b), new FusionLayer(q, k, v, FusionConfig.dynamic(), 0.1f), true, true, true);
            Tensor h = Tensor.normal(rnd, 1f, TOKENS, H);
            Tensor x = Tensor.normal(rnd, 1f, TOKENS, H);
            float[] got = fusion.apply(
                            m.create(h.data(), new Shape(1, TOKENS, H)),
                            m.create(x.data(), new Shape(1, TOKENS, H)),
                            ln,
                            false)
                    .toFloatArray();
            for (int t = 0; t < TOKENS; t++) {
                double[] ht = row(h, t);
                double[] xt = row(x, t);
                double[] at = layerNorm(add(ht, xt), w.get("ln.weight"), w.get("ln.bias"));
                double[][] ups = {up(w, "a", at), up(w, "b", at)};
                double[] qt = affine(w.get("q.weight"), w.get("q.bias"), at);
                double[] s = new double[2];
                double[][] vals = new double[2][];
                for (int i = 0; i < 2; i++) {
                    s[i] = dot(qt, affine(w.get("k.weight"), w.get("k.bias"), ups[i])); // no 1/sqrt(d)
                    vals[i] = affine(w.get("v.weight"), null, ups[i]);
                }
                double mx = Math.max(s[0], s[1]);
                double e0 = Math.exp(s[0] - mx);
                double e1 = Math.exp(s[1] - mx);
                double[] out = new double[H];
                for (int j = 0; j < H; j++) {
                    out[j] = (e0 * vals[0][j] + e1 * vals[1][j]) / (e0 + e1) + ht[j] + xt[j];
                }
                double[] expected = layerNorm(out, w.get("ln.weight"), w.get("ln.bias"));
                for (int j = 0; j < H; j++) {
                    assertEquals(expected[j], got[t * H + j], 1e-4, "token " + t + " feature " + j);
                }
            }
        }
    }

    /**
     * The layer computes K and V once per token (see FusionLayer); AdapterHub applies them to each adapter's output.
     * Outputs and the gradients of every fusion weight must agree with that direct form, for both value orders.
     */
    @Test
    void rewrittenProjectionsGiveAdapterHubsOutputsAndGradients() {
        Random rnd = new Random(5);
        int n = 3;
        for (boolean valueBeforeSoftmax : new boolean[] {true, false}) {
            try (NDManager m = NDManager.newBaseManager()) {
                Params params = new Params(m);
                Map<String, Tensor> w = new LinkedHashMap<>();
                for (String p : List.of("q", "k")) {
                    w.put(p + ".weight", Tensor.normal(rnd, 0.6f, H, H));
                    w.put(p + ".bias", Tensor.normal(rnd, 0.3f, H));
                }
                w.put("v.weight", Tensor.normal(rnd, 0.6f, H, H));
                Linear q = Linear.load(params, w, "q", H, H);
                Linear k = Linear.load(params, w, "k", H, H);
                Linear v = new Linear(params.take(w, "v.weight", H, H), null);
                List<org.mera.model.Param> trained = List.of(q.weight(), q.bias(), k.weight(), k.bias(), v.weight());
                trained.forEach(p -> p.setTrainable(true));
                FusionConfig dyn = FusionConfig.dynamic();
                FusionConfig config = new FusionConfig(
                        dyn.key(),
                        dyn.query(),
                        dyn.value(),
                        dyn.queryBeforeLn(),
                        dyn.regularization(),
                        dyn.residualBefore(),
                        dyn.temperature(),
                        valueBeforeSoftmax,
                        dyn.valueInitialized(),
                        dyn.dropoutProb());
                FusionLayer layer = new FusionLayer(q, k, v, config, 0f);
                NDArray queryIn =
                        m.create(Tensor.normal(rnd, 1f, B * TOKENS * H).data(), new Shape(B, TOKENS, H));
                NDArray residual =
                        m.create(Tensor.normal(rnd, 1f, B * TOKENS * H).data(), new Shape(B, TOKENS, H));
                List<NDArray> ups = new java.util.ArrayList<>();
                for (int i = 0; i < n; i++) {
                    ups.add(m.create(Tensor.normal(rnd, 1f, B * TOKENS * H).data(), new Shape(B, TOKENS, H)));
                }
                NDArray target = m.create(Tensor.normal(rnd, 1f, B * TOKENS * H).data(), new Shape(B, TOKENS, H));

                float[][] fast = outputAndGradients(() -> layer.forward(queryIn, ups, residual, true), target, trained);
                float[][] direct = outputAndGradients(
                        () -> {
                            // AdapterHub's BertFusion, literally: K and V applied to every adapter's output
                            NDArray stacked = ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(ups), 2);
                            NDArray kk = k.forward(stacked, true);
                            NDArray vv = valueBeforeSoftmax ? v.forward(stacked, true) : stacked;
                            NDArray probs = q.forward(queryIn, true)
                                    .expandDims(2)
                                    .mul(kk)
                                    .sum(new int[] {3})
                                    .softmax(-1);
                            NDArray ctx = probs.expandDims(3).mul(vv).sum(new int[] {2});
                            return (valueBeforeSoftmax ? ctx : v.forward(ctx, true)).add(residual);
                        },
                        target,
                        trained);
                for (int i = 0; i < fast.length; i++) {
                    assertEquals(direct[i].length, fast[i].length);
                    for (int j = 0; j < fast[i].length; j++) {
                        assertEquals(
                                direct[i][j],
                                fast[i][j],
                                1e-3 * (1 + Math.abs(direct[i][j])),
                                (i == 0
                                                ? "output"
                                                : "gradient of "
                                                        + trained.get(i - 1).name()) + " [" + j
                                        + "], valueBeforeSoftmax=" + valueBeforeSoftmax);
                    }
                }
            }
        }
    }

    /** The output, then each parameter's gradient of sum((output - target)²). */
    private static float[][] outputAndGradients(
            java.util.function.Supplier<NDArray> f, NDArray target, List<org.mera.model.Param> ps) {
        float[][] out = new float[ps.size() + 1][];
        try (ai.djl.training.GradientCollector gc =
                ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray y = f.get();
            out[0] = y.toFloatArray();
            gc.backward(y.sub(target).square().sum());
        }
        for (int i = 0; i < ps.size(); i++) {
            NDArray g = ps.get(i).array().getGradient();
            out[i + 1] = g.toFloatArray();
            g.close();
            ai.djl.pytorch.jni.JniUtils.zeroGrad(
                    (ai.djl.pytorch.engine.PtNDArray) ps.get(i).array());
        }
        return out;
    }

    @Test
    void configsOutsideTheSupportedSetAreRefusedClearly() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new FusionConfig(true, true, true, false, true, false, true, true, true, null));
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
        assertEquals(0.1f, FusionConfig.dynamic().effectiveDropout(0.1f));
        // AdapterHub's `dropout_prob or attention_probs_dropout_prob`: 0 falls back to the encoder's rate too.
        assertEquals(
                0.1f,
                new FusionConfig(true, true, true, false, true, false, false, true, true, 0.0).effectiveDropout(0.1f));
        assertEquals(
                0.3f,
                new FusionConfig(true, true, true, false, true, false, false, true, true, 0.3).effectiveDropout(0.1f),
                1e-7);
    }

    private static double[] up(Map<String, Tensor> w, String n, double[] in) {
        double[] z = affine(w.get(n + ".d.weight"), w.get(n + ".d.bias"), in);
        for (int i = 0; i < z.length; i++) {
            z[i] = Math.max(0, z[i]);
        }
        return affine(w.get(n + ".u.weight"), w.get(n + ".u.bias"), z);
    }

    private static double[] affine(Tensor weight, Tensor bias, double[] in) {
        int out = weight.dim(0);
        double[] y = new double[out];
        for (int i = 0; i < out; i++) {
            double s = bias == null ? 0 : bias.data()[i];
            for (int j = 0; j < in.length; j++) {
                s += weight.get(i, j) * in[j];
            }
            y[i] = s;
        }
        return y;
    }

    private static double[] layerNorm(double[] v, Tensor gamma, Tensor beta) {
        double mean = 0;
        for (double d : v) {
            mean += d / v.length;
        }
        double var = 0;
        for (double d : v) {
            var += (d - mean) * (d - mean) / v.length;
        }
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (v[i] - mean) / Math.sqrt(var + 1e-12) * gamma.data()[i] + beta.data()[i];
        }
        return out;
    }

    private static double[] row(Tensor t, int r) {
        double[] out = new double[t.dim(1)];
        for (int j = 0; j < out.length; j++) {
            out[j] = t.get(r, j);
        }
        return out;
    }

    private static double[] add(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
