package org.mera.merge;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mera.adapter.lora.LoraConfig;
import org.mera.adapter.lora.LoraModule;
import org.mera.adapter.lora.LoraWeights;

class LoraMergeTest {
    static LoraWeights lora(String name, int r, double alpha, int out, int in, long seed) {
        Random rng = new Random(seed);
        List<LoraModule> mods = new ArrayList<>();
        for (int l = 0; l < 2; l++) {
            for (String m : List.of("query", "value")) {
                mods.add(new LoraModule(
                        "base_model.model.bert.encoder.layer." + l + ".attention.self." + m,
                        RandomAdapters.gaussian(rng, 0.3, r, in),
                        RandomAdapters.gaussian(rng, 0.3, out, r)));
            }
        }
        return new LoraWeights(
                name, LoraConfig.of(r, alpha, List.of("query", "value"), "bert-base-uncased"), mods, Map.of(), null);
    }

    private static double[][] expectedDelta(List<LoraWeights> src, double[] w, int module) {
        double[][] sum = null;
        for (int k = 0; k < src.size(); k++) {
            double[][] d = LoraMerge.deltaWeight(
                    src.get(k).modules().get(module), src.get(k).config().scaling());
            if (sum == null) {
                sum = new double[d.length][d[0].length];
            }
            for (int i = 0; i < d.length; i++) {
                for (int j = 0; j < d[0].length; j++) {
                    sum[i][j] += w[k] * d[i][j];
                }
            }
        }
        return sum;
    }

    private static double maxDiff(double[][] a, double[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return m;
    }

    @Test
    void svdReproducesDeltaWExactlyWhenTheRankAllowsIt() {
        // Two rank-2 adapters: ΔW has rank ≤ 4, so a rank-4 SVD merge is exact.
        List<LoraWeights> src = List.of(lora("a", 2, 4, 20, 16, 1), lora("b", 2, 8, 20, 16, 2));
        LoraWeights m = LoraMerge.merge("svd", src, MergeOptions.defaults().withSvdRank(4));
        assertEquals(4, m.config().r());
        assertEquals(1.0, m.config().scaling());
        for (int p = 0; p < 4; p++) {
            double[][] got =
                    LoraMerge.deltaWeight(m.modules().get(p), m.config().scaling());
            assertTrue(maxDiff(expectedDelta(src, new double[] {0.5, 0.5}, p), got) < 1e-5);
        }
        // Merging an adapter with itself at rank r is exact too (rank-deficient stack).
        LoraWeights a = src.get(0);
        LoraWeights self = LoraMerge.merge("svd", List.of(a, lora("a2", 2, 4, 20, 16, 1)), MergeOptions.defaults());
        assertEquals(2, self.config().r());
        assertTrue(maxDiff(
                        LoraMerge.deltaWeight(a.modules().get(0), a.config().scaling()),
                        LoraMerge.deltaWeight(self.modules().get(0), 1.0))
                < 1e-5);
    }

    @Test
    void svdTruncationIsTheBestLowRankApproximation() {
        List<LoraWeights> src = List.of(lora("a", 3, 3, 12, 10, 3), lora("b", 3, 3, 12, 10, 4));
        LoraWeights m = LoraMerge.merge("svd", src, MergeOptions.defaults().withSvdRank(2));
        double[][] target = expectedDelta(src, new double[] {0.5, 0.5}, 0);
        double[][] got = LoraMerge.deltaWeight(m.modules().get(0), 1.0);
        Linalg.JacobiSvd svd = Linalg.jacobi(target);
        double tail = 0;
        for (int j = 2; j < svd.singular().length; j++) {
            tail += svd.singular()[j] * svd.singular()[j];
        }
        double err = 0;
        for (int i = 0; i < target.length; i++) {
            for (int j = 0; j < target[0].length; j++) {
                err += (target[i][j] - got[i][j]) * (target[i][j] - got[i][j]);
            }
        }
        assertEquals(tail, err, 1e-6 * Math.max(1, tail), "Eckart–Young: the error is the discarded spectrum");
    }

    @Test
    void catIsExactAndLinearFollowsPeft() {
        List<LoraWeights> src = List.of(lora("a", 2, 4, 8, 8, 5), lora("b", 3, 3, 8, 8, 6));
        LoraWeights cat = LoraMerge.merge("cat", src, MergeOptions.defaults().withWeights(List.of(1.0, 3.0)));
        assertEquals(5, cat.config().r());
        assertTrue(maxDiff(
                        expectedDelta(src, new double[] {0.25, 0.75}, 1),
                        LoraMerge.deltaWeight(cat.modules().get(1), 1.0))
                < 1e-5);

        var e = assertThrows(
                IllegalArgumentException.class, () -> LoraMerge.merge("linear", src, MergeOptions.defaults()));
        assertTrue(e.getMessage().contains("'a'")
                && e.getMessage().contains("'b'")
                && e.getMessage().contains("rank"));

        List<LoraWeights> same = List.of(lora("a", 2, 4, 8, 8, 5), lora("c", 2, 2, 8, 8, 7));
        LoraWeights lin = LoraMerge.merge("linear", same, MergeOptions.defaults());
        // A = Σ √(w s) A_k with w = 0.5, s = 2 and 1.
        float a0 = same.get(0).modules().get(0).a().data()[3];
        float c0 = same.get(1).modules().get(0).a().data()[3];
        assertEquals(
                Math.sqrt(1.0) * a0 + Math.sqrt(0.5) * c0,
                lin.modules().get(0).a().data()[3],
                1e-6);
    }

    @Test
    void refusesDifferentModulesAndHiddenSizes() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> LoraMerge.merge(
                        "svd", List.of(lora("a", 2, 2, 8, 8, 1), lora("b", 2, 2, 9, 8, 2)), MergeOptions.defaults()));
        assertTrue(
                e.getMessage().contains("'a'")
                        && e.getMessage().contains("'b'")
                        && e.getMessage().contains("hidden"),
                e.getMessage());
    }

    /** A merge drops the sources' classifiers (task-specific), and its config says so: no SEQ_CLS, no modules_to_save. */
    @Test
    void aMergeOfSequenceClassificationAdaptersIsAnEncoderAdapterInFilesAndConfig(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        List<LoraWeights> src = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            LoraWeights l = lora("s" + k, 2, 4, 6, 6, 20 + k);
            Map<String, org.mera.io.Tensor> head = Map.of(
                    "base_model.model.classifier.weight",
                    org.mera.io.Tensor.zeros(3, 6),
                    "base_model.model.classifier.bias",
                    org.mera.io.Tensor.zeros(3));
            src.add(new LoraWeights(
                    l.name(), l.config().withTask("SEQ_CLS", List.of("classifier", "score")), l.modules(), head, null));
        }
        LoraWeights merged = LoraMerge.merge("svd", src, MergeOptions.defaults().withOutputName("m"));
        assertTrue(merged.otherTensors().isEmpty());
        assertEquals("FEATURE_EXTRACTION", merged.config().taskType());
        assertTrue(merged.config().modulesToSave().isEmpty());
        org.mera.adapter.lora.PeftLoraDirectory.write(tmp.resolve("m"), merged);
        var cfg = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(tmp.resolve("m/adapter_config.json").toFile());
        assertTrue(cfg.get("modules_to_save").isNull(), cfg.toString());
        var keys = org.mera.io.SafeTensors.read(tmp.resolve("m/adapter_model.safetensors"))
                .tensors()
                .keySet();
        assertTrue(
                keys.contains("base_model.model.encoder.layer.0.attention.self.query.lora_A.weight"), keys.toString());
    }

    /** cat of sources with per-module ranks: the result's ranks differ per module, and its rank_pattern says so. */
    @Test
    void catOfPatternedSourcesWritesTheResultsPerModuleRanks() {
        LoraWeights a = lora("a", 2, 4, 6, 6, 30);
        List<LoraModule> mods = new ArrayList<>(a.modules());
        Random rng = new Random(31);
        mods.set(
                1,
                new LoraModule(
                        mods.get(1).path(),
                        RandomAdapters.gaussian(rng, 0.3, 1, 6),
                        RandomAdapters.gaussian(rng, 0.3, 6, 1)));
        LoraWeights patterned = new LoraWeights(
                "p",
                a.config().withPatterns(Map.of("layer\\.0\\.attention\\.self\\.value", 1), Map.of()),
                mods,
                Map.of(),
                null);
        LoraWeights merged = LoraMerge.merge(
                "cat",
                List.of(patterned, lora("b", 2, 4, 6, 6, 32)),
                MergeOptions.defaults().withOutputName("m"));
        assertEquals(4, merged.config().r());
        String value0 = "bert.encoder.layer.0.attention.self.value";
        assertEquals(3, merged.config().rank(value0));
        assertEquals(1.0, merged.config().scaling(value0), 1e-12);
        assertEquals(1.0, merged.config().scaling("bert.encoder.layer.1.attention.self.value"), 1e-12);
        for (LoraModule m : merged.modules()) {
            assertEquals(merged.config().rank(LoraWeights.moduleName(m.path())), m.rank(), m.path());
        }
    }
}
