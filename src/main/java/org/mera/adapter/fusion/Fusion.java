package org.mera.adapter.fusion;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.mera.adapter.AdapterLocation;
import org.mera.adapter.Adapters;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.Bottleneck;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.adapter.bottleneck.BottleneckUnit;
import org.mera.io.Tensor;
import org.mera.model.BertEncoder;
import org.mera.model.BertLayer;
import org.mera.model.Linear;
import org.mera.model.Param;
import org.mera.model.Params;

/**
 * AdapterFusion (Pfeiffer et al., 2021) with AdapterHub's exact semantics: pretrained bottleneck adapters are
 * loaded frozen and a fusion block per insertion point learns to combine their outputs. Pfeiffer adapters are
 * fused after the feed-forward block; Houlsby adapters at both of their points, each with its own fusion block.
 * Only the fusion parameters (and a task head) train.
 */
public final class Fusion {
    private Fusion() {}

    /** AdapterHub's fusion name: the adapters' names joined by commas. */
    public static String fusionName(List<AdapterWeights> adapters) {
        List<String> names = new ArrayList<>();
        adapters.forEach(a -> names.add(a.name()));
        return String.join(",", names);
    }

    /** Fresh dynamic fusion (AdapterHub's default) over {@code adapters}. */
    public static FusionHandle install(BertEncoder encoder, List<AdapterWeights> adapters, long seed) {
        return install(encoder, adapters, FusionConfig.dynamic(), null, seed);
    }

    /** Fusion with saved weights (e.g. read by AdapterFusionDirectory); the adapters must be the fused ones, in order. */
    public static FusionHandle install(BertEncoder encoder, List<AdapterWeights> adapters, FusionWeights saved) {
        if (!saved.name().equals(fusionName(adapters))) {
            throw new IllegalArgumentException("saved fusion '" + saved.name() + "' fuses other adapters than given ("
                    + fusionName(adapters) + "); pass the adapters in the fusion's order");
        }
        return install(encoder, adapters, saved.config(), saved.tensorsWithPrefix(Adapters.modelPrefix(encoder)), 0);
    }

    /**
     * @param fusionWeights fusion tensors under the encoder's AdapterHub keys, or null for AdapterHub's initialisation:
     *                      Q, K ~ N(0, 0.02) with zero biases; V = identity with 1e-6 off the diagonal
     *                      (value_initialized), else N(0, 0.02)
     */
    public static FusionHandle install(
            BertEncoder encoder,
            List<AdapterWeights> adapters,
            FusionConfig config,
            Map<String, Tensor> fusionWeights,
            long seed) {
        BottleneckConfig shared = checkCompatible(encoder, adapters);
        String name = fusionName(adapters);
        String prefix = Adapters.modelPrefix(encoder);
        int h = encoder.config().hiddenSize();
        Params params = encoder.params();
        List<AdapterLocation> locations = new ArrayList<>();
        if (shared.mhAdapter()) {
            locations.add(AdapterLocation.ATTENTION);
        }
        if (shared.outputAdapter()) {
            locations.add(AdapterLocation.OUTPUT);
        }
        Map<String, Tensor> w = fusionWeights == null
                ? freshFusion(prefix, encoder.layers().size(), locations, name, config, h, seed)
                : fusionWeights;
        Set<String> unused = new HashSet<>(w.keySet());
        List<Param> fusionParams = new ArrayList<>();
        List<Param> valueParams = new ArrayList<>();
        for (int i = 0; i < encoder.layers().size(); i++) {
            BertLayer layer = encoder.layers().get(i);
            for (AdapterLocation loc : locations) {
                List<Bottleneck> sources = new ArrayList<>();
                for (AdapterWeights a : adapters) {
                    sources.add(frozenBottleneck(params, prefix, a, i, loc));
                }
                Linear q = null;
                Linear k = null;
                Linear v = null;
                if (config.query()) {
                    q = fusionLinear(
                            params, w, unused, FusionWeights.key(prefix, i, loc, name, "query"), h, true, fusionParams);
                }
                if (config.key()) {
                    k = fusionLinear(
                            params, w, unused, FusionWeights.key(prefix, i, loc, name, "key"), h, true, fusionParams);
                }
                if (config.value()) {
                    v = fusionLinear(
                            params,
                            w,
                            unused,
                            FusionWeights.key(prefix, i, loc, name, "value"),
                            h,
                            false,
                            fusionParams);
                    valueParams.add(v.weight());
                }
                FusionLayer fusion = new FusionLayer(
                        q,
                        k,
                        v,
                        config,
                        config.effectiveDropout(encoder.config().attentionDropout()));
                FusionOutput out = new FusionOutput(
                        sources,
                        fusion,
                        shared.originalLnBefore(),
                        shared.residualBeforeLn(),
                        shared.originalLnAfter());
                if (loc == AdapterLocation.ATTENTION) {
                    layer.setAttentionOutput(out);
                } else {
                    layer.setFeedForwardOutput(out);
                }
            }
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("fusion '" + name + "': weights " + new java.util.TreeSet<>(unused)
                    + " have no place in this encoder (" + encoder.layers().size() + " layers, locations " + locations
                    + ")");
        }
        List<String> names = new ArrayList<>();
        adapters.forEach(a -> names.add(a.name()));
        return new FusionHandle(encoder, name, names, config, fusionParams, valueParams);
    }

    /** Trainable fusion parameters: 3H² + 2H per fusion block (Q, K with bias, V without), for the dynamic config. */
    public static long parameterCount(int layers, int hidden, FusionConfig config, boolean houlsby) {
        long perBlock = (config.query() ? (long) hidden * hidden + hidden : 0)
                + (config.key() ? (long) hidden * hidden + hidden : 0)
                + (config.value() ? (long) hidden * hidden : 0);
        return perBlock * layers * (houlsby ? 2 : 1);
    }

    private static BottleneckConfig checkCompatible(BertEncoder encoder, List<AdapterWeights> adapters) {
        if (adapters.isEmpty()) {
            throw new IllegalArgumentException("AdapterFusion needs at least one adapter");
        }
        int h = encoder.config().hiddenSize();
        int layers = encoder.layers().size();
        Set<String> seen = new HashSet<>();
        BottleneckConfig first = adapters.get(0).config();
        for (AdapterWeights a : adapters) {
            String at = "adapter '" + a.name() + "'";
            if (!seen.add(a.name())) {
                throw new IllegalArgumentException(at + " is given twice; fused adapters need distinct names");
            }
            if (a.name().contains(",")) {
                throw new IllegalArgumentException(at + ": names of fused adapters may not contain ','");
            }
            BottleneckConfig c = a.config();
            if (a.encoder().hiddenSize() != h) {
                throw new IllegalArgumentException(
                        at + " has hidden_size " + a.encoder().hiddenSize() + " but the encoder has " + h);
            }
            if (c.isParallel() || c.lnBefore()) {
                // Both change what the adapters see (pre_forward / adapter_down) in ways mera's Bottleneck does not
                // model.
                throw new IllegalArgumentException(at + ": is_parallel and ln_before adapters cannot be fused by mera");
            }
            if (c.mhAdapter() != first.mhAdapter()
                    || c.outputAdapter() != first.outputAdapter()
                    || c.originalLnBefore() != first.originalLnBefore()
                    || c.originalLnAfter() != first.originalLnAfter()
                    || c.residualBeforeLn() != first.residualBeforeLn()) {
                throw new IllegalArgumentException(at + " (" + c.kind() + ") has another architecture than adapter '"
                        + adapters.get(0).name() + "' (" + first.kind() + "); fuse adapters of one architecture "
                        + "(mh_adapter, output_adapter, original_ln_before/after, residual_before_ln must agree)");
            }
            for (int i = 0; i < layers; i++) {
                for (AdapterLocation loc : AdapterLocation.values()) {
                    boolean expected = loc == AdapterLocation.ATTENTION ? c.mhAdapter() : c.outputAdapter();
                    if (expected && a.unit(i, loc) == null) {
                        throw new IllegalArgumentException(at + " has no weights at layer " + i + " " + loc.keySegment()
                                + " (leave_out is not supported for fusion)");
                    }
                }
            }
            if (a.numLayers() > layers) {
                throw new IllegalArgumentException(
                        at + " has " + a.numLayers() + " layers but the encoder has " + layers);
            }
        }
        return first;
    }

    private static Bottleneck frozenBottleneck(
            Params params, String prefix, AdapterWeights a, int layer, AdapterLocation loc) {
        BottleneckUnit u = a.unit(layer, loc);
        Linear down = new Linear(
                params.create(
                        AdapterWeights.key(prefix, layer, loc, a.name(), "adapter_down.0.weight"), u.downWeight()),
                params.create(AdapterWeights.key(prefix, layer, loc, a.name(), "adapter_down.0.bias"), u.downBias()));
        Linear up = new Linear(
                params.create(AdapterWeights.key(prefix, layer, loc, a.name(), "adapter_up.weight"), u.upWeight()),
                params.create(AdapterWeights.key(prefix, layer, loc, a.name(), "adapter_up.bias"), u.upBias()));
        for (Param p : List.of(down.weight(), down.bias(), up.weight(), up.bias())) {
            p.setTrainable(false);
        }
        return new Bottleneck(
                down, up, a.config().nonLinearity(), (float) a.config().scaling());
    }

    private static Linear fusionLinear(
            Params params,
            Map<String, Tensor> w,
            Set<String> unused,
            String prefix,
            int h,
            boolean bias,
            List<Param> collect) {
        Param weight = params.take(w, prefix + ".weight", h, h);
        unused.remove(prefix + ".weight");
        weight.setTrainable(true);
        collect.add(weight);
        Param b = null;
        if (bias) {
            b = params.take(w, prefix + ".bias", h);
            unused.remove(prefix + ".bias");
            b.setTrainable(true);
            collect.add(b);
        }
        return new Linear(weight, b);
    }

    private static Map<String, Tensor> freshFusion(
            String prefix,
            int layers,
            List<AdapterLocation> locations,
            String name,
            FusionConfig config,
            int h,
            long seed) {
        Random rnd = new Random(seed);
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (int i = 0; i < layers; i++) {
            for (AdapterLocation loc : locations) {
                for (String part : new String[] {"query", "key"}) {
                    if (part.equals("query") ? config.query() : config.key()) {
                        w.put(
                                FusionWeights.key(prefix, i, loc, name, part) + ".weight",
                                Tensor.normal(rnd, 0.02f, h, h));
                        w.put(FusionWeights.key(prefix, i, loc, name, part) + ".bias", Tensor.zeros(h));
                    }
                }
                if (config.value()) {
                    w.put(
                            FusionWeights.key(prefix, i, loc, name, "value") + ".weight",
                            config.valueInitialized() ? nearIdentity(h) : Tensor.normal(rnd, 0.02f, h, h));
                }
            }
        }
        return w;
    }

    /** AdapterHub's value init: {@code (zeros + 1e-6).fill_diagonal_(1.0)}. */
    static Tensor nearIdentity(int h) {
        Tensor t = Tensor.zeros(h, h);
        java.util.Arrays.fill(t.data(), 0.000001f);
        for (int i = 0; i < h; i++) {
            t.set(i, i, 1f);
        }
        return t;
    }
}
