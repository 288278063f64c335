package org.mera.merge;

import java.util.List;
import org.mera.adapter.bottleneck.AdapterWeights;

/** A way to merge N ≥ 2 bottleneck adapters of the same architecture into one adapter. Pure: no model needed. */
@FunctionalInterface
public interface MergeMethod {
    AdapterWeights merge(List<AdapterWeights> sources, MergeOptions options);
}
