package org.mera.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** LayerNorm over the last dimension with learned scale and shift. */
public record LayerNorm(Param gamma, Param beta, float eps) {
    public NDArray apply(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(
                        x, new Shape(gamma.array().getShape().get(0)), gamma.array(), beta.array(), eps)
                .singletonOrThrow();
    }

    /** Loads {@code prefix.weight} and {@code prefix.bias}. */
    public static LayerNorm load(
            Params params, java.util.Map<String, org.mera.io.Tensor> weights, String prefix, int size, float eps) {
        return new LayerNorm(
                params.take(weights, prefix + ".weight", size), params.take(weights, prefix + ".bias", size), eps);
    }
}
