package org.mera.model;

import ai.djl.ndarray.NDArray;

/**
 * How a transformer sublayer's output re-joins the residual stream: the insertion point for bottleneck
 * adapters and fusion. {@code h} is the sublayer's output (after its dense layer and dropout), {@code x} its
 * input, {@code norm} the layer's own LayerNorm. Plain BERT computes {@code norm(h + x)}.
 */
@FunctionalInterface
public interface SublayerOutput {
    NDArray apply(NDArray h, NDArray x, LayerNorm norm, boolean training);

    SublayerOutput RESIDUAL_NORM = (h, x, norm, training) -> norm.apply(h.add(x));
}
