package org.mera.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mera.adapter.bottleneck.Bottleneck;
import org.mera.adapter.bottleneck.PfeifferOutput;
import org.mera.adapter.lora.LoraConfig;
import org.mera.adapter.lora.LoraWeights;
import org.mera.data.Batch;
import org.mera.io.Tensor;
import org.mera.model.BertEncoder;
import org.mera.model.ClassificationHead;
import org.mera.model.LayerNorm;
import org.mera.model.Linear;
import org.mera.model.Param;
import org.mera.model.Params;
import org.mera.model.TestEncoders;
import org.mera.train.TaskModel;
import org.mera.train.TrainOptions;
import org.mera.train.Trainer;

class AdapterBehaviourTest {
    private static Path minilm;
    private static Batch batch;

    @BeforeAll
    static void setUp() throws Exception {
        minilm = TestEncoders.minilm();
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder()
                .optTokenizerPath(minilm.resolve("tokenizer.json"))
                .build()) {
            List<Encoding> enc = List.of(
                    tok.encode("A gripping, beautifully acted film."),
                    tok.encode("Dull and far too long.", "Yes."),
                    tok.encode("I loved every minute of it."));
            batch = TestEncoders.batch(enc, new int[] {1, 0, 1});
        }
    }

    private static float[] hidden(BertEncoder enc) {
        NDManager m = enc.manager();
        Shape s = new Shape(batch.size(), batch.seqLen());
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            return enc.forward(
                            m.create(batch.inputIds(), s),
                            m.create(batch.typeIds(), s),
                            m.create(batch.attentionMask(), s),
                            false)
                    .toFloatArray();
        }
    }

    private static Map<String, Tensor> zeroUp(BertEncoder enc, String arch) {
        // A fresh adapter whose up-projections are zero: the encoder must not notice it.
        Map<String, Tensor> w = new LinkedHashMap<>();
        Random rnd = new Random(1);
        int h = enc.config().hiddenSize();
        int b = h / 16;
        for (int i = 0; i < enc.layers().size(); i++) {
            for (boolean att : arch.equals(Adapters.HOULSBY) ? new boolean[] {true, false} : new boolean[] {false}) {
                String p = Adapters.bottleneckPrefix(enc, i, att, "zero");
                w.put(p + "adapter_down.0.weight", Tensor.normal(rnd, 0.5f, b, h));
                w.put(p + "adapter_down.0.bias", Tensor.normal(rnd, 0.5f, b));
                w.put(p + "adapter_up.weight", Tensor.zeros(h, b));
                w.put(p + "adapter_up.bias", Tensor.zeros(h));
            }
        }
        return w;
    }

    /**
     * PEFT's rank_pattern and alpha_pattern change a module's rank and alpha, and so its scaling alpha/r: a LoRA
     * read with them must equal the same update written with one rank and alpha for all (a rank-2 module padded
     * with zeros to rank 4, B multiplied by the scaling ratio).
     */
    @Test
    void rankAndAlphaPatternsSetEachModulesScaling() throws Exception {
        Random rnd = new Random(5);
        LoraConfig uniform = LoraConfig.of(4, 8, List.of("query", "value"), null);
        LoraConfig patterned = uniform.withPatterns(Map.of("layer.1.attention.self.query", 2), Map.of("value", 16.0));
        Map<String, Tensor> withPatterns = new LinkedHashMap<>();
        Map<String, Tensor> equivalent = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(minilm, m)) {
            int h = enc.config().hiddenSize();
            for (int i = 0; i < enc.layers().size(); i++) {
                for (String t : List.of("query", "value")) {
                    String ka = Adapters.loraKey(enc, i, t, "lora_A");
                    String kb = Adapters.loraKey(enc, i, t, "lora_B");
                    int r = patterned.rank(LoraWeights.moduleName(ka.replace(".lora_A.weight", "")));
                    assertEquals(i == 1 && t.equals("query") ? 2 : 4, r);
                    Tensor a = Tensor.normal(rnd, 0.3f, r, h);
                    Tensor b = Tensor.normal(rnd, 0.3f, h, r);
                    withPatterns.put(ka, a);
                    withPatterns.put(kb, b);
                    double ratio = patterned.scaling(LoraWeights.moduleName(ka.replace(".lora_A.weight", "")))
                            / uniform.scaling();
                    assertEquals(t.equals("value") ? 2.0 : i == 1 ? 2.0 : 1.0, ratio, 1e-12);
                    Tensor a4 = Tensor.zeros(4, h);
                    Tensor b4 = Tensor.zeros(h, 4);
                    System.arraycopy(a.data(), 0, a4.data(), 0, a.numel());
                    for (int row = 0; row < h; row++) {
                        for (int c = 0; c < r; c++) {
                            b4.data()[row * 4 + c] = (float) (b.data()[row * r + c] * ratio);
                        }
                    }
                    equivalent.put(ka, a4);
                    equivalent.put(kb, b4);
                }
            }
        }
        float[] patternedOut;
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(minilm, m)) {
            Adapters.addLora(enc, patterned, withPatterns);
            patternedOut = hidden(enc);
        }
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(minilm, m)) {
            Adapters.addLora(enc, uniform, equivalent);
            assertArrayEquals(patternedOut, hidden(enc), 1e-4f);
        }
        // ignoring alpha_pattern (the old behaviour) gives other outputs, so the comparison above can fail
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(minilm, m)) {
            Adapters.addLora(
                    enc, uniform.withPatterns(Map.of("layer.1.attention.self.query", 2), Map.of()), withPatterns);
            float[] out = hidden(enc);
            double max = 0;
            for (int i = 0; i < out.length; i++) {
                max = Math.max(max, Math.abs(out[i] - patternedOut[i]));
            }
            assertTrue(max > 1e-3, "alpha_pattern made no difference: " + max);
        }
    }

    @Test
    void zeroEffectAdaptersAndLoraLeaveOutputsUnchanged() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(minilm, m)) {
            float[] base = hidden(enc);
            Adapters.addBottleneck(enc, "zero", Adapters.PFEIFFER, 16, "relu", zeroUp(enc, Adapters.PFEIFFER), 0);
            assertArrayEquals(base, hidden(enc), 1e-6f);
        }
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(minilm, m)) {
            float[] base = hidden(enc);
            Adapters.addBottleneck(enc, "zero", Adapters.HOULSBY, 16, "swish", zeroUp(enc, Adapters.HOULSBY), 0);
            assertArrayEquals(base, hidden(enc), 1e-6f);
            Adapters.addLora(enc, 8, 16, 0.1f, List.of("query", "value"), false, null, 3);
            assertArrayEquals(base, hidden(enc), 1e-6f);
        }
        // and a non-zero adapter does change them (so the comparison above can fail)
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(minilm, m)) {
            float[] base = hidden(enc);
            Adapters.addBottleneck(enc, "fresh", Adapters.PFEIFFER, 16, "relu", null, 0);
            float[] after = hidden(enc);
            double max = 0;
            for (int i = 0; i < base.length; i++) {
                max = Math.max(max, Math.abs(base[i] - after[i]));
            }
            assertTrue(max > 1e-3, "fresh adapter changed nothing: " + max);
        }
    }

    @Test
    void pfeifferGradientMatchesFiniteDifferences() {
        int h = 6;
        int b = 3;
        Random rnd = new Random(7);
        try (NDManager m = NDManager.newBaseManager()) {
            Params params = new Params(m);
            Map<String, Tensor> w = new LinkedHashMap<>();
            w.put("d.weight", Tensor.normal(rnd, 0.5f, b, h));
            w.put("d.bias", Tensor.normal(rnd, 0.5f, b));
            w.put("u.weight", Tensor.normal(rnd, 0.5f, h, b));
            w.put("u.bias", Tensor.normal(rnd, 0.5f, h));
            w.put("ln.weight", Tensor.normal(rnd, 0.5f, h));
            w.put("ln.bias", Tensor.normal(rnd, 0.5f, h));
            Linear down = Linear.load(params, w, "d", b, h);
            Linear up = Linear.load(params, w, "u", h, b);
            LayerNorm ln = LayerNorm.load(params, w, "ln", h, 1e-5f);
            PfeifferOutput adapter = new PfeifferOutput(new Bottleneck(down, up, "relu", 1f));
            NDArray hIn = m.create(Tensor.normal(rnd, 1f, 4, h).data(), new Shape(4, h));
            NDArray xIn = m.create(Tensor.normal(rnd, 1f, 4, h).data(), new Shape(4, h));
            NDArray r = m.create(Tensor.normal(rnd, 1f, 4, h).data(), new Shape(4, h));
            List<Param> checked = List.of(down.weight(), down.bias(), up.weight(), up.bias());
            checked.forEach(p -> p.setTrainable(true));
            float[][] analytic = new float[checked.size()][];
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = adapter.apply(hIn, xIn, ln, false).mul(r).sum();
                gc.backward(loss);
            }
            for (int i = 0; i < checked.size(); i++) {
                analytic[i] = checked.get(i).array().getGradient().toFloatArray();
            }
            double eps = 1e-2;
            for (int i = 0; i < checked.size(); i++) {
                NDArray a = checked.get(i).array();
                float[] v = a.toFloatArray();
                for (int k = 0; k < v.length; k++) {
                    float orig = v[k];
                    v[k] = (float) (orig + eps);
                    a.set(v);
                    double plus =
                            adapter.apply(hIn, xIn, ln, false).mul(r).sum().getFloat();
                    v[k] = (float) (orig - eps);
                    a.set(v);
                    double minus =
                            adapter.apply(hIn, xIn, ln, false).mul(r).sum().getFloat();
                    v[k] = orig;
                    a.set(v);
                    double numeric = (plus - minus) / (2 * eps);
                    assertEquals(
                            numeric,
                            analytic[i][k],
                            2e-2 * Math.max(1, Math.abs(numeric)),
                            checked.get(i).name() + "[" + k + "]");
                }
            }
        }
    }

    @Test
    void adapterTuningLeavesTheEncoderBitIdenticalAndChangesTheAdapter() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(minilm, m)) {
            Map<String, float[]> before = new LinkedHashMap<>();
            for (Param p : enc.params().all()) {
                before.put(p.name(), p.array().toFloatArray());
            }
            Adapters.addBottleneck(enc, "sst", Adapters.PFEIFFER, 16, "relu", null, 0);
            ClassificationHead head = ClassificationHead.create(enc.params(), "sst", 384, List.of("0", "1"), 0.1f, 0);
            TaskModel model = new TaskModel(enc, head);
            String adapterKey = Adapters.bottleneckPrefix(enc, 0, false, "sst") + "adapter_up.weight";
            float[] adapterBefore = enc.params().get(adapterKey).array().toFloatArray();
            Trainer.train(
                    model,
                    e -> List.of(batch, batch),
                    List.of(),
                    p -> 0,
                    TrainOptions.defaults().withMaxSteps(3).withProgress(false));
            for (Map.Entry<String, float[]> e : before.entrySet()) {
                assertArrayEquals(
                        e.getValue(), enc.params().get(e.getKey()).array().toFloatArray(), 0f, e.getKey());
            }
            assertNotEquals(
                    0, diff(adapterBefore, enc.params().get(adapterKey).array().toFloatArray()));
            List<String> trainable = new ArrayList<>();
            model.trainable().forEach(p -> trainable.add(p.name()));
            assertEquals(6 * 4 + 4, trainable.size(), trainable.toString());
        }
    }

    private static double diff(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s;
    }
}
