package org.mera.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mera.adapter.MergeProvenance;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckUnit;
import org.mera.io.Tensor;

/**
 * Merges that treat each weight tensor as a flat vector and combine the sources entry by entry (sum,
 * average, task arithmetic, TIES, DARE). No alignment: neuron k of one adapter meets neuron k of another.
 */
final class ElementwiseMerge {
    private ElementwiseMerge() {}

    /** Combines the sources' values of one tensor (values[k] = source k, flat) into the merged values. */
    @FunctionalInterface
    interface Combiner {
        float[] combine(String key, float[][] values);
    }

    static AdapterWeights apply(
            List<AdapterWeights> sources,
            MergeOptions o,
            String method,
            List<Double> weights,
            Map<String, String> params,
            Combiner combiner) {
        AdapterWeights first = sources.get(0);
        List<BottleneckUnit> merged = new ArrayList<>();
        for (int p = 0; p < first.units().size(); p++) {
            BottleneckUnit ref = first.units().get(p);
            Tensor[] parts = new Tensor[4];
            String[] names = {"adapter_down.0.weight", "adapter_down.0.bias", "adapter_up.weight", "adapter_up.bias"};
            for (int t = 0; t < 4; t++) {
                float[][] values = new float[sources.size()][];
                for (int k = 0; k < sources.size(); k++) {
                    values[k] = part(sources.get(k).units().get(p), t).data();
                }
                String key =
                        AdapterWeights.key(first.keyPrefix(), ref.layer(), ref.location(), o.outputName(), names[t]);
                parts[t] =
                        new Tensor(combiner.combine(key, values), part(ref, t).shape());
            }
            merged.add(new BottleneckUnit(ref.layer(), ref.location(), parts[0], parts[1], parts[2], parts[3]));
        }
        MergeProvenance prov = new MergeProvenance(
                method, sources.stream().map(AdapterWeights::name).toList(), weights, params);
        return AdapterWeights.of(
                o.outputName(), first.config(), first.encoder(), first.version(), first.keyPrefix(), merged, prov);
    }

    private static Tensor part(BottleneckUnit u, int t) {
        return switch (t) {
            case 0 -> u.downWeight();
            case 1 -> u.downBias();
            case 2 -> u.upWeight();
            default -> u.upBias();
        };
    }

    /** Σ_k w_k · values_k. */
    static float[] weightedSum(float[][] values, double[] w) {
        int len = values[0].length;
        float[] out = new float[len];
        for (int i = 0; i < len; i++) {
            double s = 0;
            for (int k = 0; k < values.length; k++) {
                s += w[k] * values[k][i];
            }
            out[i] = (float) s;
        }
        return out;
    }
}
