package org.mera.adapter.bottleneck;

import ai.djl.ndarray.NDArray;
import org.mera.model.LayerNorm;
import org.mera.model.SublayerOutput;

/**
 * AdapterHub's {@code seq_bn} (Pfeiffer) after the feed-forward block, with original_ln_before,
 * residual_before_ln and original_ln_after: {@code LN(h + up(act(down(LN(h + x)))) + x)}.
 */
public record PfeifferOutput(Bottleneck adapter) implements SublayerOutput {
    @Override
    public NDArray apply(NDArray h, NDArray x, LayerNorm norm, boolean training) {
        NDArray a = norm.apply(h.add(x));
        NDArray out = adapter.forward(a, training).addi(h);
        return norm.apply(out.addi(x));
    }
}
