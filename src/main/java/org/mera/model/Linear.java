package org.mera.model;

import ai.djl.ndarray.NDArray;

/** y = x·Wᵀ + b with W stored [out, in] as in PyTorch; one fused engine call. */
public record Linear(Param weight, Param bias) implements Projection {
    @Override
    public NDArray forward(NDArray x, boolean training) {
        return ai.djl.nn.core.Linear.linear(x, weight.array(), bias == null ? null : bias.array())
                .singletonOrThrow();
    }

    public long outFeatures() {
        return weight.array().getShape().get(0);
    }

    public long inFeatures() {
        return weight.array().getShape().get(1);
    }

    /** Loads {@code prefix.weight} [out, in] and {@code prefix.bias} [out]. */
    public static Linear load(
            Params params, java.util.Map<String, org.mera.io.Tensor> weights, String prefix, int out, int in) {
        return new Linear(
                params.take(weights, prefix + ".weight", out, in), params.take(weights, prefix + ".bias", out));
    }
}
