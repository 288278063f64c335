package org.mera.adapter.lora;

import ai.djl.ndarray.NDArray;
import org.mera.model.Param;
import org.mera.model.Projection;

/**
 * PEFT's LoRA on a frozen projection: {@code base(x) + scaling · B(A(dropout(x)))}, with A [r, in],
 * B [out, r] and scaling = lora_alpha / r (rsLoRA: lora_alpha / √r). B starts at zero, so a fresh LoRA
 * leaves the projection unchanged.
 */
public record LoraProjection(Projection base, Param a, Param b, float scaling, float dropout) implements Projection {
    @Override
    public NDArray forward(NDArray x, boolean training) {
        NDArray in = org.mera.model.Dropout.apply(x, dropout, training);
        NDArray low = ai.djl.nn.core.Linear.linear(in, a.array()).singletonOrThrow();
        NDArray delta = ai.djl.nn.core.Linear.linear(low, b.array()).singletonOrThrow();
        return base.forward(x, training).addi(org.mera.model.EngineConstants.muli(delta, scaling));
    }
}
