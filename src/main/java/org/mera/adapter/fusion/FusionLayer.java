package org.mera.adapter.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;
import org.mera.model.Linear;

/**
 * One AdapterFusion attention block (AdapterHub's {@code BertFusion}) at one insertion point. Per token, the
 * query attends over the N adapters' up-projection outputs:
 * {@code scores_i = Q(query)·K(up_i)} (no 1/√d scaling), attention dropout on the raw scores, softmax over the
 * adapters, {@code context = Σ_i p_i · V(up_i)} (V without bias), then {@code + residual}. Absent projections
 * (config query/key/value false) are identity.
 *
 * <p>Computed with one H×H product per projection and token instead of N (the same function, rounding aside):
 * {@code Q(q)·K(u_i) = (Q(q)·W_k)·u_i + Q(q)·b_k}, and since V is linear without bias and the p_i sum to 1,
 * {@code Σ_i p_i V(u_i) = V(Σ_i p_i u_i)}; so value_before_softmax makes no difference. With 7 sources this
 * takes the fusion block from 15 to 3 H×H products per token, against the BERT layer's 12.
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
        NDArray stacked = stack(ups, residual); // [B, T, N, H]
        NDArray scores = scores(queryIn, stacked, training); // [B, T, N]
        if (training && dropout > 0) {
            // on the raw scores, key bias term included, as AdapterHub does
            scores = org.mera.model.Dropout.apply(scores, dropout, true);
        }
        NDArray probs = scores.softmax(-1);
        // Σ_i p_i u_i as a batched product [B, T, 1, N]·[B, T, N, H]: no [B, T, N, H] temporary, forward or backward.
        NDArray context = probs.expandDims(2).matMul(stacked).squeeze(2); // [B, T, H]
        if (value != null) {
            context = value.forward(context, training);
        }
        return config.residualBefore() ? context : context.add(residual);
    }

    private NDArray stack(List<NDArray> ups, NDArray residual) {
        NDArray stacked = NDArrays.stack(new NDList(ups), 2);
        // AdapterHub adds the residual in place to the one tensor it passes as both key and value; in place here
        // too (stack's output is fresh and its backward does not need it), which saves a [B, T, N, H] tensor.
        return config.residualBefore() ? stacked.addi(residual.expandDims(2)) : stacked;
    }

    /** Q(query)·K(up_i) for every adapter i: [B, T, N]. */
    private NDArray scores(NDArray queryIn, NDArray stacked, boolean training) {
        NDArray q = query == null ? queryIn : query.forward(queryIn, training);
        if (key == null) {
            return dotWithEach(q, stacked);
        }
        NDArray qk = q.matMul(key.weight().array()); // Q(q)·W_k: [B, T, H], W_k stored [out, in]
        NDArray scores = dotWithEach(qk, stacked);
        if (key.bias() != null) {
            // Q(q)·b_k is the same for every adapter (softmax ignores it) but dropout scales it per score.
            scores = scores.add(q.mul(key.bias().array()).sum(new int[] {2}, true));
        }
        return scores;
    }

    /** x·u_i for every adapter i, as a batched product [B, T, N, H]·[B, T, H, 1]: [B, T, N]. */
    private static NDArray dotWithEach(NDArray x, NDArray stacked) {
        return stacked.matMul(x.expandDims(3)).squeeze(3);
    }
}
