package org.mera.merge;

import org.mera.adapter.bottleneck.AdapterWeights;

import java.util.List;

/** A way to merge N ≥ 2 bottleneck adapters of the same architecture into one adapter. Pure: no model needed. */
@FunctionalInterface
public interface MergeMethod {
    AdapterWeights merge(List<AdapterWeights> sources, MergeOptions options);
}
