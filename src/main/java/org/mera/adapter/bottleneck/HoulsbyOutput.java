package org.mera.adapter.bottleneck;

import ai.djl.ndarray.NDArray;
import org.mera.model.LayerNorm;
import org.mera.model.SublayerOutput;

/**
 * AdapterHub's {@code double_seq_bn} (Houlsby) at one insertion point, with residual_before_ln and
 * original_ln_after but no original_ln_before: {@code LN(h + up(act(down(h))) + x)}.
 */
public record HoulsbyOutput(Bottleneck adapter) implements SublayerOutput {
    @Override
    public NDArray apply(NDArray h, NDArray x, LayerNorm norm, boolean training) {
        NDArray out = adapter.forward(h, training).addi(h);
        return norm.apply(out.addi(x));
    }
}
