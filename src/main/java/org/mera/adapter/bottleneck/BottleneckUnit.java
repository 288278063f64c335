package org.mera.adapter.bottleneck;

import org.mera.adapter.AdapterLocation;
import org.mera.io.Tensor;

/**
 * One bottleneck adapter module at (layer, location): up(act(down·x + downBias)) + upBias.
 * Shapes: downWeight [b,H], downBias [b], upWeight [H,b], upBias [H]. Bottleneck neuron k is row k of
 * downWeight with downBias[k], together with column k of upWeight.
 */
public record BottleneckUnit(
        int layer, AdapterLocation location, Tensor downWeight, Tensor downBias, Tensor upWeight, Tensor upBias) {

    public BottleneckUnit {
        String at = "layer " + layer + " " + location.keySegment();
        if (downWeight.rank() != 2) {
            throw new IllegalArgumentException(
                    at + ": adapter_down.0.weight must be [b,H], got " + downWeight.shapeString());
        }
        int b = downWeight.dim(0);
        int h = downWeight.dim(1);
        check(at, "adapter_down.0.bias", downBias, new int[] {b});
        check(at, "adapter_up.weight", upWeight, new int[] {h, b});
        check(at, "adapter_up.bias", upBias, new int[] {h});
    }

    private static void check(String at, String key, Tensor t, int[] expected) {
        if (!java.util.Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(at + ": " + key + " has shape " + t.shapeString() + ", expected "
                    + java.util.Arrays.toString(expected));
        }
    }

    public int bottleneckSize() {
        return downWeight.dim(0);
    }

    public int hiddenSize() {
        return downWeight.dim(1);
    }

    /** (layer, location) as a readable label, e.g. {@code layer 3 output}. */
    public String label() {
        return "layer " + layer + " " + location.keySegment();
    }
}
