package org.mera.adapter.bottleneck;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.mera.model.EngineConstants;
import org.mera.model.Linear;

/**
 * One bottleneck adapter module: {@code scaling · up(act(down(x)))}. The down projection [b, H] and up
 * projection [H, b] carry AdapterHub's parameter names ({@code ...adapters.NAME.adapter_down.0.weight},
 * {@code ...adapter_up.weight}).
 */
public record Bottleneck(Linear down, Linear up, String nonLinearity, float scaling) {
    public Bottleneck {
        if (!java.util.List.of("relu", "swish", "silu", "gelu", "tanh").contains(nonLinearity)) {
            throw new IllegalArgumentException("unsupported adapter non_linearity '" + nonLinearity + "'");
        }
    }

    public NDArray forward(NDArray x, boolean training) {
        NDArray out = up.forward(activations(x, training), training);
        return scaling == 1f ? out : EngineConstants.mul(out, scaling);
    }

    /** The bottleneck activations act(down(x)) [.., b]: what activation-based alignment compares. */
    public NDArray activations(NDArray x, boolean training) {
        NDArray z = down.forward(x, training);
        return switch (nonLinearity) {
            case "relu" -> Activation.relu(z);
            case "swish", "silu" -> z.mul(Activation.sigmoid(z)); // not Activation.swish: see EngineConstants
            case "gelu" -> Activation.gelu(z);
            default -> z.tanh();
        };
    }
}
