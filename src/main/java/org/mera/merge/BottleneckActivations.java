package org.mera.merge;

import org.mera.adapter.AdapterLocation;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.io.Tensor;

/**
 * Bottleneck activations for the activation-based ground metric ("acts" in otfusion): for source adapter
 * {@code sourceIndex} at (layer, location), a [samples, b] matrix whose column k is neuron k's activation
 * (after the non-linearity) over the same sample of inputs for every adapter. The encoder side supplies it;
 * {@link #fromInputs} computes it in plain Java from given adapter inputs.
 */
@FunctionalInterface
public interface BottleneckActivations {
    Tensor activations(int sourceIndex, AdapterWeights adapter, int layer, AdapterLocation location);

    /**
     * Activations act(down·x + bias) of each adapter on inputs {@code x} [samples, H] that depend only on
     * (layer, location): right when the adapters share the encoder and the inputs are the adapter inputs
     * of the frozen encoder (approximate, since upstream adapters change them).
     */
    static BottleneckActivations fromInputs(java.util.function.BiFunction<Integer, AdapterLocation, Tensor> inputs) {
        return (index, adapter, layer, location) -> {
            var unit = adapter.unit(layer, location);
            Tensor x = inputs.apply(layer, location);
            return AdapterForward.bottleneck(unit, x, adapter.config().nonLinearity());
        };
    }
}
