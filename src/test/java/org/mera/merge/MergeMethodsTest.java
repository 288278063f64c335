package org.mera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mera.adapter.AdapterKind;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.adapter.lora.LoraWeights;

/** The registry is the one list: lookups by kind, its parameters are the recipe schema, every entry runs. */
class MergeMethodsTest {
    @Test
    void everyBottleneckMethodRunsThroughTheRegistry() {
        EncoderInfo encoder = new EncoderInfo("tiny", "bert", null, 8);
        AdapterWeights a = RandomAdapters.create("a", BottleneckConfig.pfeiffer(), encoder, 2, 4, 0.1, 1);
        AdapterWeights b = RandomAdapters.create("b", BottleneckConfig.pfeiffer(), encoder, 2, 4, 0.1, 2);
        for (String name : MergeMethods.names(AdapterKind.BOTTLENECK)) {
            MergeOptions o =
                    MergeMethods.usesDensity(name) ? MergeOptions.defaults().withDensity(0.5) : MergeOptions.defaults();
            AdapterWeights m = MergeMethods.get(name).merge(List.of(a, b), o);
            assertEquals(a.tensors().keySet().size(), m.tensors().keySet().size(), name);
        }
    }

    @Test
    void lookupsAreByKindAndNameTheKnownOnes() {
        assertEquals(List.of("svd", "linear", "cat"), List.copyOf(MergeMethods.names(AdapterKind.LORA)));
        assertSame(MergeMethods.find("Dare_Ties").orElseThrow(), MergeMethods.get("dare-ties", AdapterKind.BOTTLENECK));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MergeMethods.get("svd"));
        assertTrue(
                e.getMessage().contains("for bottleneck adapters")
                        && e.getMessage().contains("ties"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MergeMethods.lora("ot"));
        assertTrue(e.getMessage().contains("for LoRA adapters (known: svd, linear, cat)"), e.getMessage());
        assertEquals(
                List.of(
                        "anchor",
                        "sinkhorn_reg",
                        "metric",
                        "max_iterations",
                        "density",
                        "majority_sign_method",
                        "seed",
                        "rank",
                        "normalize"),
                MergeMethods.allParameters());
    }

    @Test
    void loraMethodsAreRegisteredFunctions() {
        LoraWeights x = LoraMergeTest.lora("x", 2, 4, 6, 6, 1);
        LoraWeights y = LoraMergeTest.lora("y", 2, 4, 6, 6, 2);
        for (String name : MergeMethods.names(AdapterKind.LORA)) {
            LoraWeights m = MergeMethods.lora(name).merge(List.of(x, y), MergeOptions.defaults());
            assertEquals(x.modules().size(), m.modules().size(), name);
        }
    }
}
