package org.mera.merge;

import java.util.List;
import java.util.Objects;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.adapter.bottleneck.BottleneckUnit;
import org.mera.adapter.lora.LoraModule;
import org.mera.adapter.lora.LoraWeights;

/** Refuses sets of adapters that cannot be merged, naming both adapters and what differs. */
public final class Compatibility {
    private Compatibility() {}

    /** Checks every source against the first: encoder, hidden size, kind, layers/locations, bottleneck sizes. */
    public static void requireMergeable(List<AdapterWeights> sources) {
        if (sources.size() < 2) {
            throw new IllegalArgumentException("merging needs at least 2 adapters, got " + sources.size());
        }
        AdapterWeights first = sources.get(0);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (AdapterWeights a : sources) {
            if (!names.add(a.name())) {
                throw new IllegalArgumentException("two source adapters are both named '" + a.name()
                        + "'; names must be distinct so that the anchor and the report can refer to them");
            }
        }
        for (AdapterWeights other : sources.subList(1, sources.size())) {
            requirePair(first, other);
        }
        for (AdapterWeights a : sources) {
            requireFinite(a.name(), a.tensors());
        }
    }

    /**
     * Refuses an adapter holding NaN or ±Inf: merges would spread it (average, Sinkhorn), drop it silently (TIES)
     * or never return (exact transport). Adapters read from files are already checked by the io readers; this
     * guards adapters built in memory.
     */
    public static void requireFinite(String adapter, java.util.Map<String, org.mera.io.Tensor> tensors) {
        for (var e : tensors.entrySet()) {
            float[] d = e.getValue().data();
            for (int i = 0; i < d.length; i++) {
                if (!Float.isFinite(d[i])) {
                    throw new IllegalArgumentException("cannot merge adapter '" + adapter + "': tensor " + e.getKey()
                            + " holds a non-finite value (" + d[i] + " at flat index " + i + ")");
                }
            }
        }
    }

    private static void requirePair(AdapterWeights a, AdapterWeights b) {
        String pair = "cannot merge adapters '" + a.name() + "' and '" + b.name() + "': ";
        if (a.encoder().modelName() != null
                && b.encoder().modelName() != null
                && !a.encoder().modelName().equals(b.encoder().modelName())) {
            throw new IllegalArgumentException(pair + "different encoders ("
                    + a.encoder().modelName() + " vs " + b.encoder().modelName() + ")");
        }
        if (!Objects.equals(a.encoder().modelType(), b.encoder().modelType())
                || !a.keyPrefix().equals(b.keyPrefix())) {
            throw new IllegalArgumentException(pair + "different model types ("
                    + a.encoder().modelType() + " vs " + b.encoder().modelType() + ")");
        }
        if (a.encoder().hiddenSize() != b.encoder().hiddenSize()) {
            throw new IllegalArgumentException(pair + "different hidden sizes ("
                    + a.encoder().hiddenSize() + " vs " + b.encoder().hiddenSize() + ")");
        }
        String kind = kindDifference(a.config(), b.config());
        if (kind != null) {
            throw new IllegalArgumentException(pair + "different adapter kinds (" + kind + ")");
        }
        if (a.units().size() != b.units().size()) {
            throw new IllegalArgumentException(pair + "different layer counts ("
                    + a.units().size() + " vs " + b.units().size() + " adapter modules, " + a.numLayers() + " vs "
                    + b.numLayers() + " layers)");
        }
        for (int i = 0; i < a.units().size(); i++) {
            BottleneckUnit ua = a.units().get(i);
            BottleneckUnit ub = b.units().get(i);
            if (ua.layer() != ub.layer() || ua.location() != ub.location()) {
                throw new IllegalArgumentException(
                        pair + "different layers (" + ua.label() + " vs " + ub.label() + ")");
            }
            if (ua.bottleneckSize() != ub.bottleneckSize()) {
                throw new IllegalArgumentException(pair + "different bottleneck sizes at " + ua.label() + " ("
                        + ua.bottleneckSize() + " vs " + ub.bottleneckSize() + ")");
            }
        }
    }

    /** What makes two configs compute different functions of the same weights, or null. */
    static String kindDifference(BottleneckConfig a, BottleneckConfig b) {
        if (!a.kind().equals(b.kind())) {
            return a.kind() + " vs " + b.kind();
        }
        if (a.mhAdapter() != b.mhAdapter() || a.outputAdapter() != b.outputAdapter()) {
            return "mh_adapter/output_adapter " + a.mhAdapter() + "/" + a.outputAdapter() + " vs " + b.mhAdapter() + "/"
                    + b.outputAdapter();
        }
        if (!a.nonLinearity().equals(b.nonLinearity())) {
            return "non_linearity " + a.nonLinearity() + " vs " + b.nonLinearity();
        }
        if (a.originalLnBefore() != b.originalLnBefore()
                || a.originalLnAfter() != b.originalLnAfter()
                || a.residualBeforeLn() != b.residualBeforeLn()
                || a.lnBefore() != b.lnBefore()
                || a.lnAfter() != b.lnAfter()
                || a.adapterResidualBeforeLn() != b.adapterResidualBeforeLn()) {
            return "layer norm / residual placement differs";
        }
        if (a.isParallel() != b.isParallel()) {
            return "is_parallel " + a.isParallel() + " vs " + b.isParallel();
        }
        if (a.scaling() != b.scaling()) {
            return "scaling " + a.scaling() + " vs " + b.scaling();
        }
        if (a.useGating() != b.useGating()) {
            return "use_gating " + a.useGating() + " vs " + b.useGating();
        }
        return null;
    }

    /** LoRA: same modules with the same shapes; equal ranks when {@code sameRank}. */
    public static void requireMergeableLora(List<LoraWeights> sources, boolean sameRank) {
        if (sources.size() < 2) {
            throw new IllegalArgumentException("merging needs at least 2 adapters, got " + sources.size());
        }
        LoraWeights a = sources.get(0);
        for (LoraWeights b : sources.subList(1, sources.size())) {
            String pair = "cannot merge LoRA adapters '" + a.name() + "' and '" + b.name() + "': ";
            if (a.config().baseModelName() != null
                    && b.config().baseModelName() != null
                    && !a.config().baseModelName().equals(b.config().baseModelName())) {
                throw new IllegalArgumentException(pair + "different base models ("
                        + a.config().baseModelName() + " vs " + b.config().baseModelName() + ")");
            }
            if (a.modules().size() != b.modules().size()) {
                throw new IllegalArgumentException(pair + "different target modules ("
                        + a.modules().size() + " vs " + b.modules().size() + " LoRA modules)");
            }
            for (int i = 0; i < a.modules().size(); i++) {
                LoraModule ma = a.modules().get(i);
                LoraModule mb = b.modules().get(i);
                if (!ma.path().equals(mb.path())) {
                    throw new IllegalArgumentException(
                            pair + "different target modules (" + ma.path() + " vs " + mb.path() + ")");
                }
                if (ma.inFeatures() != mb.inFeatures() || ma.outFeatures() != mb.outFeatures()) {
                    throw new IllegalArgumentException(
                            pair + "different hidden sizes at " + ma.path() + " ([" + ma.outFeatures() + "x"
                                    + ma.inFeatures() + "] vs [" + mb.outFeatures() + "x" + mb.inFeatures() + "])");
                }
                if (sameRank && ma.rank() != mb.rank()) {
                    throw new IllegalArgumentException(pair + "different ranks (r=" + ma.rank() + " vs r=" + mb.rank()
                            + "); this method needs equal ranks (svd and cat do not)");
                }
            }
        }
        for (LoraWeights w : sources) {
            requireFinite(w.name(), w.tensors());
        }
    }
}
