package org.mera.merge;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.bottleneck.AdapterHubDirectory;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.io.NonFiniteTensorException;
import org.mera.io.SafeTensors;
import org.mera.io.Tensor;

/**
 * Issue 23: NaN/Inf adapter weights used to hang exact OT (killed after 240 s) and merge silently with average,
 * Sinkhorn and TIES. Now the readers refuse them, naming file and tensor, and every merge refuses in-memory ones
 * up front; the transport solvers refuse non-finite costs and are bounded.
 */
class NonFiniteInputTest {
    private static final EncoderInfo ENC = new EncoderInfo("bert-base-uncased", "bert", "BertAdapterModel", 24);
    private static final Duration QUICK = Duration.ofSeconds(10);

    private static AdapterWeights poisoned(AdapterWeights a, float bad) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        a.tensors().forEach((k, v) -> t.put(k, v.copy()));
        String first = t.keySet().iterator().next();
        t.get(first).data()[3] = bad;
        return AdapterWeights.fromTensors(a.name(), a.config(), a.encoder(), a.version(), t, null, "test");
    }

    @Test
    void safetensorsReaderNamesFileAndTensorOfNaNAndInf(@TempDir Path tmp) throws Exception {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            Path f = tmp.resolve("w" + Float.hashCode(bad) + ".safetensors");
            Tensor ok = new Tensor(new float[] {1, 2, 3, 4}, 2, 2);
            Tensor bent = new Tensor(new float[] {1, bad, 3, bad}, 4);
            SafeTensors.write(f, Map.of("fine", ok), null);
            assertDoesNotThrow(() -> SafeTensors.read(f));
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("fine", ok);
            m.put("layer.0.bent", bent);
            SafeTensors.write(f, m, null);
            NonFiniteTensorException e = assertThrows(NonFiniteTensorException.class, () -> SafeTensors.read(f));
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("tensor layer.0.bent holds 2 non-finite values"), e.getMessage());
            assertTrue(e.getMessage().contains("at flat index 1"), e.getMessage());
            assertEquals("layer.0.bent", e.tensor());
        }
    }

    @Test
    void adapterDirectoryWithNaNIsRefusedOnRead(@TempDir Path tmp) throws Exception {
        AdapterWeights a = RandomAdapters.create("rte", BottleneckConfig.pfeiffer(), ENC, 2, 6, 0.3, 1);
        AdapterHubDirectory.write(tmp.resolve("ok"), a);
        AdapterHubDirectory.write(tmp.resolve("nan"), poisoned(a, Float.NaN));
        assertEquals(
                a.parameterCount(), AdapterHubDirectory.read(tmp.resolve("ok")).parameterCount());
        NonFiniteTensorException e =
                assertThrows(NonFiniteTensorException.class, () -> AdapterHubDirectory.read(tmp.resolve("nan")));
        assertTrue(e.getMessage().contains(tmp.resolve("nan").toString()), e.getMessage());
    }

    @Test
    void everyMergeMethodRefusesNaNAndInfUpFrontInsteadOfHangingOrSpreading() {
        AdapterWeights a = RandomAdapters.create("rte", BottleneckConfig.pfeiffer(), ENC, 2, 6, 0.3, 1);
        AdapterWeights b = RandomAdapters.permuteNeurons(a, "mrpc", 5, null);
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            List<AdapterWeights> sources = List.of(a, poisoned(b, bad));
            for (String method : MergeMethods.names()) {
                MergeOptions o = MergeOptions.defaults().withDensity(0.5);
                IllegalArgumentException e = assertTimeoutPreemptively(
                        QUICK,
                        () -> assertThrows(
                                IllegalArgumentException.class,
                                () -> MergeMethods.get(method).merge(sources, o)),
                        method);
                assertTrue(
                        e.getMessage().contains("'mrpc'") && e.getMessage().contains("non-finite"),
                        method + ": " + e.getMessage());
            }
            MergeOptions sinkhorn = MergeOptions.defaults().withSinkhorn(1e-2);
            assertTimeoutPreemptively(
                    QUICK,
                    () -> assertThrows(
                            IllegalArgumentException.class,
                            () -> MergeMethods.get("ot").merge(sources, sinkhorn)));
        }
    }

    @Test
    void hungarianRefusesNaNCostsInsteadOfLoopingForever() {
        double[][] cost = {{1, 2, 3}, {2, Double.NaN, 1}, {3, 1, 2}};
        IllegalArgumentException e = assertTimeoutPreemptively(
                QUICK, () -> assertThrows(IllegalArgumentException.class, () -> Transport.hungarian(cost)));
        assertTrue(e.getMessage().contains("non-finite cost NaN at (1, 1)"), e.getMessage());
        double[][] inf = {{1, Double.POSITIVE_INFINITY}, {2, 1}};
        assertTimeoutPreemptively(
                QUICK, () -> assertThrows(IllegalArgumentException.class, () -> Transport.hungarian(inf)));
        assertTimeoutPreemptively(
                QUICK, () -> assertThrows(IllegalArgumentException.class, () -> Transport.sinkhorn(inf, 1e-2, 100)));
        // finite costs still solve
        assertArrayEquals(new int[] {0, 2, 1}, Transport.hungarian(new double[][] {{0, 5, 5}, {5, 5, 0}, {5, 0, 5}}));
    }

    @Test
    void sinkhornIsBoundedByItsIterationCountAndReportsIt() {
        double[][] cost = {{0, 1}, {1, 0}};
        Transport.SinkhornPlan p = assertTimeoutPreemptively(QUICK, () -> Transport.sinkhorn(cost, 1e-3, 7));
        assertTrue(p.iterations() <= 7);
        assertThrows(IllegalArgumentException.class, () -> Transport.sinkhorn(cost, Double.NaN, 7));
        assertThrows(IllegalArgumentException.class, () -> Transport.sinkhorn(cost, 1e-2, 0));
    }

    @Test
    void absurdOrCancellingWeightsAreRefused() {
        AdapterWeights a = RandomAdapters.create("rte", BottleneckConfig.pfeiffer(), ENC, 2, 6, 0.3, 1);
        AdapterWeights b = RandomAdapters.permuteNeurons(a, "mrpc", 5, null);
        List<AdapterWeights> s = List.of(a, b);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> MergeMethods.get("sum")
                        .merge(
                                s,
                                MergeOptions.defaults()
                                        .withWeights(List.of(1e30, 1.0))
                                        .withNormalize(false)));
        assertTrue(e.getMessage().contains("weight 1 scales its adapter by 1.0E30"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> MergeMethods.get("average")
                        .merge(s, MergeOptions.defaults().withWeights(List.of(1.0, -0.9999999))));
        assertTrue(e.getMessage().contains("nearly cancel"), e.getMessage());
        // ordinary task arithmetic weights (including a negation) still merge
        assertNotNull(MergeMethods.get("task-arithmetic")
                .merge(
                        s,
                        MergeOptions.defaults().withWeights(List.of(1.0, -0.5)).withNormalize(false)));
    }
}
