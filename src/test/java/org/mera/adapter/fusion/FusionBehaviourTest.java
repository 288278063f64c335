package org.mera.adapter.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.adapter.AdapterLocation;
import org.mera.adapter.Adapters;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.data.Batch;
import org.mera.io.Tensor;
import org.mera.model.BertEncoder;
import org.mera.model.ClassificationHead;
import org.mera.model.Param;
import org.mera.model.TestEncoders;
import org.mera.train.TaskModel;
import org.mera.train.TrainOptions;
import org.mera.train.Trainer;

/** AdapterFusion on the real MiniLM encoder (6 layers, H = 384). */
class FusionBehaviourTest {
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

    static float[] hidden(BertEncoder enc) {
        NDManager m = enc.manager();
        Shape s = new Shape(batch.size(), batch.seqLen());
        try (NDScope scope = new NDScope()) {
            return enc.forward(
                            m.create(batch.inputIds(), s),
                            m.create(batch.typeIds(), s),
                            m.create(batch.attentionMask(), s),
                            false)
                    .toFloatArray();
        }
    }

    /** A random, clearly non-zero adapter (so fusing it changes outputs). */
    static AdapterWeights randomAdapter(BertEncoder enc, String name, BottleneckConfig config, long seed) {
        Random rnd = new Random(seed);
        int h = enc.config().hiddenSize();
        int b = config.bottleneckSize(h);
        String prefix = Adapters.modelPrefix(enc);
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (int i = 0; i < enc.layers().size(); i++) {
            for (AdapterLocation loc : AdapterLocation.values()) {
                if (loc == AdapterLocation.ATTENTION ? !config.mhAdapter() : !config.outputAdapter()) {
                    continue;
                }
                w.put(
                        AdapterWeights.key(prefix, i, loc, name, "adapter_down.0.weight"),
                        Tensor.normal(rnd, 0.1f, b, h));
                w.put(AdapterWeights.key(prefix, i, loc, name, "adapter_down.0.bias"), Tensor.normal(rnd, 0.1f, b));
                w.put(AdapterWeights.key(prefix, i, loc, name, "adapter_up.weight"), Tensor.normal(rnd, 0.1f, h, b));
                w.put(AdapterWeights.key(prefix, i, loc, name, "adapter_up.bias"), Tensor.normal(rnd, 0.1f, h));
            }
        }
        return AdapterWeights.fromTensors(
                name,
                config,
                new EncoderInfo("all-minilm-l6-v2", "bert", "BertAdapterModel", h),
                null,
                w,
                null,
                "test adapter " + name);
    }

    /** Fresh AdapterHub init but with V exactly the identity. */
    static Map<String, Tensor> identityValueFusion(BertEncoder enc, String name, boolean houlsby) {
        Random rnd = new Random(5);
        int h = enc.config().hiddenSize();
        String prefix = Adapters.modelPrefix(enc);
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (int i = 0; i < enc.layers().size(); i++) {
            for (AdapterLocation loc :
                    houlsby ? AdapterLocation.values() : new AdapterLocation[] {AdapterLocation.OUTPUT}) {
                for (String p : List.of("query", "key")) {
                    w.put(FusionWeights.key(prefix, i, loc, name, p) + ".weight", Tensor.normal(rnd, 0.02f, h, h));
                    w.put(FusionWeights.key(prefix, i, loc, name, p) + ".bias", Tensor.normal(rnd, 0.02f, h));
                }
                Tensor eye = Tensor.zeros(h, h);
                for (int j = 0; j < h; j++) {
                    eye.set(j, j, 1f);
                }
                w.put(FusionWeights.key(prefix, i, loc, name, "value") + ".weight", eye);
            }
        }
        return w;
    }

    @Test
    void fusionOfOneAdapterWithIdentityValueIsExactlyThatAdapter() throws Exception {
        for (BottleneckConfig config : List.of(BottleneckConfig.pfeiffer(), BottleneckConfig.houlsby())) {
            boolean houlsby = config.mhAdapter();
            float[] single;
            float[] plain;
            AdapterWeights adapter;
            try (NDManager m = NDManager.newBaseManager();
                    BertEncoder enc = BertEncoder.load(minilm, m)) {
                plain = hidden(enc);
                adapter = randomAdapter(enc, "sst", config, 3);
                Adapters.addBottleneck(
                        enc,
                        "sst",
                        houlsby ? Adapters.HOULSBY : Adapters.PFEIFFER,
                        16,
                        config.nonLinearity(),
                        adapter.tensors(),
                        0);
                single = hidden(enc);
            }
            try (NDManager m = NDManager.newBaseManager();
                    BertEncoder enc = BertEncoder.load(minilm, m)) {
                Fusion.install(
                        enc, List.of(adapter), FusionConfig.dynamic(), identityValueFusion(enc, "sst", houlsby), 0);
                float[] fused = hidden(enc);
                assertArrayEquals(single, fused, 0f, config.kind());
            }
            assertTrue(
                    maxDiff(plain, single) > 1e-2,
                    "the adapter must change the encoder for the comparison to mean anything");
        }
    }

    @Test
    void trainingMovesOnlyTheFusionAndTheRegulariserMatchesAHandComputation(@TempDir Path dir) throws Exception {
        float[] trained;
        FusionWeights saved;
        AdapterWeights a;
        AdapterWeights b;
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(minilm, m)) {
            int layers = enc.layers().size();
            int h = enc.config().hiddenSize();
            a = randomAdapter(enc, "mrpc", BottleneckConfig.pfeiffer(), 1);
            b = randomAdapter(enc, "qqp", BottleneckConfig.pfeiffer(), 2);
            Map<String, float[]> encoderBefore = values(enc);
            FusionHandle fusion = Fusion.install(enc, List.of(a, b), 7);
            assertEquals("mrpc,qqp", fusion.name());
            // AdapterHub's init: ‖I − V‖² is only the 1e-6 off-diagonals.
            assertEquals(0.01 * layers * ((double) h * h - h) * 1e-12, fusion.regulariserValue(), 1e-12);
            Map<String, float[]> frozenBefore = values(enc);
            frozenBefore.keySet().removeIf(k -> k.contains(".adapter_fusion_layer."));
            assertTrue(frozenBefore.size() > encoderBefore.size(), "source adapters must be in the encoder");
            Map<String, Tensor> fusionBefore = fusion.weights();
            ClassificationHead head = ClassificationHead.create(enc.params(), "mrpc", h, List.of("0", "1"), 0.1f, 0);
            TaskModel model = new TaskModel(enc, head);
            fusion.attach(model.encoder(), model::addLossTerm);
            assertEquals(1, model.lossTerms().size());
            assertEquals(layers * (3L * h * h + 2L * h), fusion.trainableParameterCount());
            List<String> trainable = new ArrayList<>();
            model.trainable().forEach(p -> trainable.add(p.name()));
            assertEquals(layers * 5 + 4, trainable.size(), trainable.toString());
            assertTrue(trainable.stream().noneMatch(n -> n.contains(".adapters.")), trainable.toString());

            Trainer.train(
                    model,
                    e -> List.of(batch, batch),
                    List.of(),
                    p -> 0,
                    TrainOptions.defaults()
                            .withMaxSteps(3)
                            .withLearningRate(1e-2f)
                            .withProgress(false));

            for (Map.Entry<String, float[]> e : frozenBefore.entrySet()) {
                assertArrayEquals(
                        e.getValue(), enc.params().get(e.getKey()).array().toFloatArray(), 0f, e.getKey());
            }
            Map<String, Tensor> fusionAfter = fusion.weights();
            assertEquals(fusionBefore.keySet(), fusionAfter.keySet());
            for (String part : List.of("query.weight", "key.weight", "value.weight")) {
                String key =
                        FusionWeights.key(Adapters.modelPrefix(enc), 0, AdapterLocation.OUTPUT, "mrpc,qqp", "") + part;
                assertTrue(
                        maxDiff(
                                        fusionBefore.get(key).data(),
                                        fusionAfter.get(key).data())
                                > 0,
                        key + " did not train");
            }
            double hand = 0;
            for (Map.Entry<String, Tensor> e : fusionAfter.entrySet()) {
                if (e.getKey().endsWith(".value.weight")) {
                    Tensor v = e.getValue();
                    for (int i = 0; i < h; i++) {
                        for (int j = 0; j < h; j++) {
                            double d = (i == j ? 1 : 0) - v.get(i, j);
                            hand += d * d;
                        }
                    }
                }
            }
            hand *= 0.01;
            assertTrue(hand > 1e-6, "V moved away from the identity: " + hand);
            assertEquals(hand, fusion.regulariserValue(), 1e-4 * hand);

            trained = hidden(enc);
            saved = fusion.toFusionWeights(a.encoder(), null);
            AdapterFusionDirectory.write(dir, saved);
        }
        FusionWeights read = AdapterFusionDirectory.read(dir);
        assertEquals("mrpc,qqp", read.name());
        assertEquals(FusionConfig.dynamic(), read.config());
        assertEquals(saved.tensors().keySet(), read.tensors().keySet());
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(minilm, m)) {
            Fusion.install(enc, List.of(a, b), read);
            assertArrayEquals(trained, hidden(enc), 0f);
        }
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(minilm, m)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Fusion.install(enc, List.of(b, a), read));
            assertTrue(e.getMessage().contains("order"), e.getMessage());
        }
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void parameterCountsBesideASinglePfeifferAdapter() throws Exception {
        FusionConfig dyn = FusionConfig.dynamic();
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(minilm, m)) {
            assertEquals(6, enc.layers().size());
            assertEquals(384, enc.config().hiddenSize());
            AdapterWeights single = randomAdapter(enc, "a", BottleneckConfig.pfeiffer(), 1);
            assertEquals(113_040, single.parameterCount()); // 6 · (2·384·24 + 24 + 384)
            FusionHandle f =
                    Fusion.install(enc, List.of(single, randomAdapter(enc, "b", BottleneckConfig.pfeiffer(), 2)), 0);
            assertEquals(2_658_816, f.trainableParameterCount()); // 6 · (3·384² + 2·384)
            assertEquals(f.trainableParameterCount(), Fusion.parameterCount(6, 384, dyn, false));
        }
        // BERT-base: 12 · (3·768² + 2·768) ≈ 21.3 M against 12 · (2·768·48 + 48 + 768) ≈ 0.89 M for one Pfeiffer
        // adapter.
        assertEquals(21_252_096, Fusion.parameterCount(12, 768, dyn, false));
        assertEquals(42_504_192, Fusion.parameterCount(12, 768, dyn, true));
        assertEquals(894_528, 12L * (2 * 768 * 48 + 48 + 768));
    }

    @Test
    void mixedArchitecturesAndDuplicateAdaptersAreRefused() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(minilm, m)) {
            AdapterWeights p = randomAdapter(enc, "p", BottleneckConfig.pfeiffer(), 1);
            AdapterWeights hb = randomAdapter(enc, "h", BottleneckConfig.houlsby(), 2);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Fusion.install(enc, List.of(p, hb), 0));
            assertTrue(e.getMessage().contains("architecture"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Fusion.install(enc, List.of(p, p), 0));
            assertTrue(e.getMessage().contains("twice"), e.getMessage());
        }
    }

    private static Map<String, float[]> values(BertEncoder enc) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Param p : enc.params().all()) {
            out.put(p.name(), p.array().toFloatArray());
        }
        return out;
    }

    private static double maxDiff(float[] x, float[] y) {
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }
}
