package org.mera.merge;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mera.adapter.AdapterLocation;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.adapter.bottleneck.BottleneckUnit;
import org.mera.io.Tensor;

class OtMergeTest {
    static final EncoderInfo ENC = new EncoderInfo("bert-base-uncased", "bert", "BertAdapterModel", 32);

    static AdapterWeights adapter(String name, BottleneckConfig cfg, long seed) {
        return RandomAdapters.create(name, cfg, ENC, 3, 8, 0.5, seed);
    }

    static double maxAbsDiff(AdapterWeights a, AdapterWeights b) {
        double m = 0;
        for (int i = 0; i < a.units().size(); i++) {
            BottleneckUnit x = a.units().get(i);
            BottleneckUnit y = b.units().get(i);
            Tensor[][] pairs = {
                {x.downWeight(), y.downWeight()},
                {x.downBias(), y.downBias()},
                {x.upWeight(), y.upWeight()},
                {x.upBias(), y.upBias()}
            };
            for (Tensor[] p : pairs) {
                for (int j = 0; j < p[0].numel(); j++) {
                    m = Math.max(m, Math.abs(p[0].data()[j] - p[1].data()[j]));
                }
            }
        }
        return m;
    }

    @Test
    void hungarianFindsTheMinimumOverAllPermutations() {
        Random rng = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            int n = 5;
            double[][] c = new double[n][n];
            for (double[] row : c) {
                for (int j = 0; j < n; j++) {
                    row[j] = rng.nextInt(20) - 5;
                }
            }
            int[] a = Transport.hungarian(c);
            double got = 0;
            for (int j = 0; j < n; j++) {
                got += c[a[j]][j];
            }
            assertEquals(bruteForce(c, new int[n], new boolean[n], 0), got, 1e-9);
        }
    }

    private static double bruteForce(double[][] c, int[] perm, boolean[] used, int j) {
        if (j == c.length) {
            double s = 0;
            for (int k = 0; k < c.length; k++) {
                s += c[perm[k]][k];
            }
            return s;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < c.length; i++) {
            if (!used[i]) {
                used[i] = true;
                perm[j] = i;
                best = Math.min(best, bruteForce(c, perm, used, j + 1));
                used[i] = false;
            }
        }
        return best;
    }

    @Test
    void permutingNeuronsNeverChangesTheFunction() {
        for (BottleneckConfig cfg : List.of(BottleneckConfig.pfeiffer(), BottleneckConfig.houlsby())) {
            AdapterWeights a = adapter("a", cfg, 1);
            AdapterWeights p = RandomAdapters.permuteNeurons(a, "p", 2, null);
            Tensor x = RandomAdapters.gaussian(new Random(3), 1.0, 10, 32);
            for (int i = 0; i < a.units().size(); i++) {
                Tensor ya = AdapterForward.apply(a.units().get(i), x, cfg.nonLinearity());
                Tensor yp = AdapterForward.apply(p.units().get(i), x, cfg.nonLinearity());
                for (int j = 0; j < ya.numel(); j++) {
                    assertEquals(ya.data()[j], yp.data()[j], 1e-5);
                }
            }
            assertTrue(maxAbsDiff(a, p) > 0.1, "the weights themselves did change");
        }
    }

    @Test
    void exactOtUndoesRandomPermutationsWhileAveragingDoesNot() {
        for (BottleneckConfig cfg : List.of(BottleneckConfig.pfeiffer(), BottleneckConfig.houlsby())) {
            AdapterWeights a = adapter("a", cfg, 11);
            List<AdapterWeights> sources = List.of(
                    a,
                    RandomAdapters.permuteNeurons(a, "b", 12, null),
                    RandomAdapters.permuteNeurons(a, "c", 13, null),
                    RandomAdapters.permuteNeurons(a, "d", 14, null));
            OtMerge.Result r = new OtMerge().mergeWithReport(sources, MergeOptions.defaults());
            assertEquals(0.0, maxAbsDiff(a, r.merged()), "OT merge of permuted copies is the original, exactly");
            for (AlignmentReport.Entry e : r.report().entries()) {
                assertEquals(0.0, e.after(), 1e-12);
                assertTrue(e.before() > 0);
            }
            AdapterWeights avg = MergeMethods.get("average").merge(sources, MergeOptions.defaults());
            assertTrue(maxAbsDiff(a, avg) > 0.1, "plain averaging mixes unrelated neurons");
            // A non-first named anchor gives the anchor's own neuron order.
            AdapterWeights toC = MergeMethods.get("ot")
                    .merge(sources, MergeOptions.defaults().withAnchor("c"));
            assertEquals(0.0, maxAbsDiff(sources.get(2), toC));
        }
    }

    @Test
    void houlsbyUnitsAreAlignedIndependently() {
        AdapterWeights a = adapter("a", BottleneckConfig.houlsby(), 21);
        List<int[]> perms = new ArrayList<>();
        AdapterWeights p = RandomAdapters.permuteNeurons(a, "p", 22, perms);
        // Different permutations per unit (attention vs output, per layer) are each undone.
        assertFalse(java.util.Arrays.equals(perms.get(0), perms.get(1)));
        assertEquals(0.0, maxAbsDiff(a, new OtMerge().merge(List.of(a, p), MergeOptions.defaults())));
    }

    @Test
    void averagingIdenticalAdaptersIsTheIdentity() {
        AdapterWeights a = adapter("a", BottleneckConfig.pfeiffer(), 31);
        List<AdapterWeights> same = List.of(a, a.renamed("b"), a.renamed("c"));
        assertEquals(0.0, maxAbsDiff(a, MergeMethods.get("average").merge(same, MergeOptions.defaults())));
        assertEquals(0.0, maxAbsDiff(a, MergeMethods.get("ot").merge(same, MergeOptions.defaults())));
        assertEquals(
                0.0,
                maxAbsDiff(
                        a,
                        MergeMethods.get("average")
                                .merge(same, MergeOptions.defaults().withWeights(List.of(1.0, 5.0, 2.0)))));
    }

    @Test
    void sumAndWeightedAverageAreLinear() {
        AdapterWeights a = adapter("a", BottleneckConfig.pfeiffer(), 41);
        AdapterWeights b = adapter("b", BottleneckConfig.pfeiffer(), 42);
        AdapterWeights s = MergeMethods.get("sum").merge(List.of(a, b), MergeOptions.defaults());
        AdapterWeights w = MergeMethods.get("average")
                .merge(List.of(a, b), MergeOptions.defaults().withWeights(List.of(3.0, 1.0)));
        float x = a.units().get(1).upWeight().data()[5];
        float y = b.units().get(1).upWeight().data()[5];
        assertEquals(x + y, s.units().get(1).upWeight().data()[5], 1e-6);
        assertEquals(0.75 * x + 0.25 * y, w.units().get(1).upWeight().data()[5], 1e-6);
        AdapterWeights raw = MergeMethods.get("average")
                .merge(
                        List.of(a, b),
                        MergeOptions.defaults().withWeights(List.of(3.0, 1.0)).withNormalize(false));
        assertEquals(3 * x + y, raw.units().get(1).upWeight().data()[5], 1e-5);
        assertEquals("average", w.merge().method());
        assertEquals(List.of("a", "b"), w.merge().sources());
        assertEquals(List.of(0.75, 0.25), w.merge().weights());
    }

    @Test
    void sinkhornApproachesTheExactPlanAsTheRegulariserShrinks() {
        Random rng = new Random(5);
        int n = 12;
        double[][] cost = new double[n][n];
        for (double[] row : cost) {
            for (int j = 0; j < n; j++) {
                row[j] = rng.nextDouble();
            }
        }
        double[][] exact = Transport.permutationMixing(Transport.hungarian(cost));
        double previous = Double.POSITIVE_INFINITY;
        for (double reg : new double[] {1.0, 0.1, 0.01, 0.001}) {
            Transport.SinkhornPlan plan = Transport.sinkhorn(cost, reg, 100_000);
            double[][] m = plan.mixing();
            double dist = 0;
            for (int j = 0; j < n; j++) {
                double rowSum = 0;
                for (int i = 0; i < n; i++) {
                    dist += Math.abs(m[j][i] - exact[j][i]);
                    rowSum += m[j][i];
                }
                assertEquals(1.0, rowSum, 1e-6, "mixing rows are convex combinations");
            }
            assertTrue(dist < previous, "reg " + reg + ": distance " + dist + " should shrink from " + previous);
            previous = dist;
        }
        assertTrue(previous < 1e-3, "at reg 1e-3 the plan is the permutation, got L1 distance " + previous);
    }

    @Test
    void sinkhornMergeOfPermutedCopiesRecoversTheOriginalClosely() {
        AdapterWeights a = adapter("a", BottleneckConfig.pfeiffer(), 51);
        List<AdapterWeights> sources = List.of(a, RandomAdapters.permuteNeurons(a, "b", 52, null));
        AdapterWeights sharp =
                MergeMethods.get("ot").merge(sources, MergeOptions.defaults().withSinkhorn(1e-3));
        AdapterWeights blurry =
                MergeMethods.get("ot").merge(sources, MergeOptions.defaults().withSinkhorn(1.0));
        assertTrue(maxAbsDiff(a, sharp) < 1e-4, "sharp " + maxAbsDiff(a, sharp));
        assertTrue(maxAbsDiff(a, blurry) > maxAbsDiff(a, sharp));
    }

    @Test
    void iterativeAnchorConvergesAndRecoversPermutedCopies() {
        AdapterWeights a = adapter("a", BottleneckConfig.pfeiffer(), 61);
        List<AdapterWeights> copies = List.of(
                a, RandomAdapters.permuteNeurons(a, "b", 62, null), RandomAdapters.permuteNeurons(a, "c", 63, null));
        MergeOptions it = MergeOptions.defaults().withAnchor("iterative");
        OtMerge.Result r = new OtMerge().mergeWithReport(copies, it);
        assertEquals(0.0, maxAbsDiff(a, r.merged()), 1e-6);
        assertEquals(2, r.report().iterations(), "one round to align, one to confirm nothing changes");

        // Unrelated adapters: the barycenter settles before the bound, and alignment only lowers distances.
        List<AdapterWeights> distinct = List.of(
                adapter("x", BottleneckConfig.pfeiffer(), 64),
                adapter("y", BottleneckConfig.pfeiffer(), 65),
                adapter("z", BottleneckConfig.pfeiffer(), 66));
        OtMerge.Result d = new OtMerge().mergeWithReport(distinct, it.withMaxIterations(50));
        assertTrue(d.report().iterations() < 50, "iterations " + d.report().iterations());
        assertTrue(d.report().meanAfter() <= d.report().meanBefore());
    }

    @Test
    void activationGroundMetricAlsoRecoversPermutations() {
        AdapterWeights a = adapter("a", BottleneckConfig.pfeiffer(), 71);
        List<AdapterWeights> sources = List.of(a, RandomAdapters.permuteNeurons(a, "b", 72, null));
        Map<Integer, Tensor> inputs = new java.util.HashMap<>();
        for (int l = 0; l < 3; l++) {
            inputs.put(l, RandomAdapters.gaussian(new Random(100 + l), 1.0, 40, 32));
        }
        BottleneckActivations acts = BottleneckActivations.fromInputs((layer, loc) -> inputs.get(layer));
        OtMerge.Result r =
                new OtMerge().mergeWithReport(sources, MergeOptions.defaults().withActivations(acts));
        assertEquals(0.0, maxAbsDiff(a, r.merged()));
        assertEquals("activations", r.report().ground());
        OtMerge.Result c =
                new OtMerge().mergeWithReport(sources, MergeOptions.defaults().withMetric(GroundMetric.COSINE));
        assertEquals(0.0, maxAbsDiff(a, c.merged()));
    }

    @Test
    void refusesMismatchedAdaptersNamingBoth() {
        AdapterWeights a = adapter("mrpc", BottleneckConfig.pfeiffer(), 81);
        AdapterWeights houlsby = adapter("qqp", BottleneckConfig.houlsby(), 82);
        AdapterWeights wide = RandomAdapters.create("stsb", BottleneckConfig.pfeiffer(), ENC, 3, 4, 0.5, 83);
        AdapterWeights deep = RandomAdapters.create("rte", BottleneckConfig.pfeiffer(), ENC, 4, 8, 0.5, 84);
        AdapterWeights other = RandomAdapters.create(
                "cola",
                BottleneckConfig.pfeiffer(),
                new EncoderInfo("bert-large-uncased", "bert", "BertAdapterModel", 32),
                3,
                8,
                0.5,
                85);
        AdapterWeights hidden = RandomAdapters.create(
                "sst2",
                BottleneckConfig.pfeiffer(),
                new EncoderInfo("bert-base-uncased", "bert", "BertAdapterModel", 16),
                3,
                8,
                0.5,
                86);
        Object[][] cases = {
            {houlsby, "kind"}, {wide, "bottleneck"}, {deep, "layer"}, {other, "encoder"}, {hidden, "hidden size"}
        };
        for (Object[] c : cases) {
            AdapterWeights b = (AdapterWeights) c[0];
            for (String m : List.of("ot", "average", "ties")) {
                var e = assertThrows(
                        IllegalArgumentException.class,
                        () -> MergeMethods.get(m)
                                .merge(List.of(a, b), MergeOptions.defaults().withDensity(0.5)));
                assertTrue(
                        e.getMessage().contains("'mrpc'")
                                && e.getMessage().contains("'" + b.name() + "'")
                                && e.getMessage().contains((String) c[1]),
                        e.getMessage());
            }
        }
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> MergeMethods.get("ot")
                        .merge(
                                List.of(a, a.renamed("x")),
                                MergeOptions.defaults().withAnchor("nope")));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("mrpc"));
        assertThrows(
                IllegalArgumentException.class,
                () -> MergeMethods.get("ot").merge(List.of(a), MergeOptions.defaults()));
        assertThrows(IllegalArgumentException.class, () -> MergeMethods.get("magic"));
    }

    @Test
    void mergedAdapterRecordsProvenanceAndUsesTheOutputName() {
        AdapterWeights a = adapter("mrpc", BottleneckConfig.pfeiffer(), 91);
        AdapterWeights b = adapter("qqp", BottleneckConfig.pfeiffer(), 92);
        AdapterWeights m = MergeMethods.get("ot")
                .merge(List.of(a, b), MergeOptions.defaults().withOutputName("paraphrase"));
        assertEquals("paraphrase", m.name());
        assertTrue(m.tensors().containsKey("bert.encoder.layer.0.output.adapters.paraphrase.adapter_down.0.weight"));
        assertEquals("ot", m.merge().method());
        assertEquals("mrpc", m.merge().parameters().get("anchor"));
        assertEquals("exact", m.merge().parameters().get("transport"));
        assertEquals(AdapterLocation.OUTPUT, m.units().get(0).location());
    }
}
