package org.mera.merge;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.mera.adapter.bottleneck.AdapterWeights;

/** {@code sum} (Σ w_k θ_k, weights default 1, not normalised) and {@code average} (weights normalised to sum 1). */
public final class LinearMerge implements MergeMethod {
    private final boolean average;

    private LinearMerge(boolean average) {
        this.average = average;
    }

    public static LinearMerge sum() {
        return new LinearMerge(false);
    }

    public static LinearMerge average() {
        return new LinearMerge(true);
    }

    @Override
    public AdapterWeights merge(List<AdapterWeights> sources, MergeOptions o) {
        Compatibility.requireMergeable(sources);
        double[] w = o.resolveWeights(sources.size(), average);
        return ElementwiseMerge.apply(
                sources,
                o,
                average ? "average" : "sum",
                Arrays.stream(w).boxed().toList(),
                Map.of("normalize", String.valueOf(o.normalize() == null ? average : o.normalize())),
                (key, values) -> ElementwiseMerge.weightedSum(values, w));
    }
}
