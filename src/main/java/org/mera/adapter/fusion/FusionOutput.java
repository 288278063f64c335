package org.mera.adapter.fusion;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.mera.adapter.bottleneck.Bottleneck;
import org.mera.model.LayerNorm;
import org.mera.model.SublayerOutput;

/**
 * AdapterFusion at one insertion point, as AdapterHub's {@code compose_fuse} runs it: the fused adapters'
 * shared pre-forward (Pfeiffer: {@code a = LN(h + x)}, residual h; Houlsby: {@code a = h}, residual h), every
 * source adapter's up-projection of {@code a}, the fusion block over them with query {@code a} (or h when
 * query_before_ln), then the post-forward {@code LN(· + x)}.
 */
public record FusionOutput(
        List<Bottleneck> adapters,
        FusionLayer fusion,
        boolean originalLnBefore,
        boolean residualBeforeLn,
        boolean originalLnAfter)
        implements SublayerOutput {
    public FusionOutput {
        if (adapters.isEmpty()) {
            throw new IllegalArgumentException("AdapterFusion needs at least one adapter");
        }
        adapters = List.copyOf(adapters);
    }

    @Override
    public NDArray apply(NDArray h, NDArray x, LayerNorm norm, boolean training) {
        NDArray a = originalLnBefore ? norm.apply(h.add(x)) : h;
        NDArray residual = residualBeforeLn ? h : a;
        NDArray queryIn = fusion.config().queryBeforeLn() ? h : a;
        List<NDArray> ups = new ArrayList<>(adapters.size());
        for (Bottleneck adapter : adapters) {
            ups.add(adapter.forward(a, training));
        }
        NDArray out = fusion.forward(queryIn, ups, residual, training);
        return originalLnAfter ? norm.apply(out.add(x)) : out.add(x);
    }
}
