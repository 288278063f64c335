package org.mera.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import org.mera.model.Linear;

import java.util.List;

/**
 * One AdapterFusion attention block (AdapterHub's {@code BertFusion}) at one insertion point. Per token, the
 * query attends over the N adapters' up-projection outputs:
 * {@code scores_i = Q(query)·K(up_i)} (no 1/√d scaling), attention dropout on the raw scores, softmax over the
 * adapters, {@code context = Σ_i p_i · V(up_i)} (V without bias, applied before the weighting when
 * value_before_softmax), then {@code + residual}. Absent projections (config query/key/value false) are identity.
 */
public record FusionLayer(Linear query, Linear key, Linear value, FusionConfig config, float dropout) {
    public FusionLayer {
        if (config.query() != (query != null) || config.key() != (key != null) || config.value() != (value != null)) {
            throw new IllegalArgumentException("fusion layer projections do not match the config (query, key, value = "
                    + config.query() + ", " + config.key() + ", " + config.value() + ")");
        }
        if (value != null && value.bias() != null) {
            throw new IllegalArgumentException("AdapterFusion's value projection has no bias");
        }
    }

    /**
     * @param queryIn  [B, T, H]
     * @param ups      the adapters' up-projection outputs (scaled, before any residual), each [B, T, H]
     * @param residual [B, T, H]
     * @return [B, T, H]
     */
    public NDArray forward(NDArray queryIn, List<NDArray> ups, NDArray residual, boolean training) {
        NDArray stacked = NDArrays.stack(new NDList(ups), 2); // [B, T, N, H]
        if (config.residualBefore()) {
            // AdapterHub adds the residual in place to the one tensor it passes as both key and value.
            stacked = stacked.add(residual.expandDims(2));
        }
        NDArray q = query == null ? queryIn : query.forward(queryIn, training);
        NDArray k = key == null ? stacked : key.forward(stacked, training);
        boolean valueFirst = value != null && config.valueBeforeSoftmax();
        NDArray v = valueFirst ? value.forward(stacked, training) : stacked;
        NDArray scores = q.expandDims(2).mul(k).sum(new int[] {3}); // [B, T, N]
        if (training && dropout > 0) {
            scores = org.mera.model.Dropout.apply(scores, dropout, true);
        }
        NDArray probs = scores.softmax(-1);
        NDArray context = probs.expandDims(3).mul(v).sum(new int[] {2}); // [B, T, H]
        if (value != null && !config.valueBeforeSoftmax()) {
            context = value.forward(context, training);
        }
        return config.residualBefore() ? context : context.add(residual);
    }

    /** The attention weights over the adapters [B, T, N] (eval mode), for inspection. */
    public NDArray attention(NDArray queryIn, List<NDArray> ups, NDArray residual) {
        NDArray stacked = NDArrays.stack(new NDList(ups), 2);
        if (config.residualBefore()) {
            stacked = stacked.add(residual.expandDims(2));
        }
        NDArray q = query == null ? queryIn : query.forward(queryIn, false);
        NDArray k = key == null ? stacked : key.forward(stacked, false);
        return q.expandDims(2).mul(k).sum(new int[] {3}).softmax(-1);
    }
}
