package org.mera.adapter;

import java.util.Arrays;
import java.util.Map;
import org.mera.io.Tensor;

/**
 * An AdapterHub classification/regression head: {@code heads.{name}.1.{weight,bias}} [H,H],[H] and
 * {@code heads.{name}.4.{weight,bias}} [C,H],[C] (0 dropout, 1 dense, 2 tanh, 3 dropout, 4 out).
 */
public record PredictionHead(
        String name, HeadConfig config, Tensor denseWeight, Tensor denseBias, Tensor outWeight, Tensor outBias) {

    public PredictionHead {
        int h = denseWeight.dim(0);
        int c = config.numLabels();
        expect(name, "1.weight", denseWeight, h, h);
        expect(name, "1.bias", denseBias, h);
        expect(name, "4.weight", outWeight, c, h);
        expect(name, "4.bias", outBias, c);
    }

    private static void expect(String name, String key, Tensor t, int... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("head " + name + ": heads." + name + "." + key + " has shape "
                    + t.shapeString() + ", expected " + Arrays.toString(shape));
        }
    }

    public static String key(String name, String part) {
        return "heads." + name + "." + part;
    }

    /** The head's tensors under their AdapterHub keys, in file order. */
    public Map<String, Tensor> tensors() {
        var m = new java.util.LinkedHashMap<String, Tensor>();
        m.put(key(name, "1.weight"), denseWeight);
        m.put(key(name, "1.bias"), denseBias);
        m.put(key(name, "4.weight"), outWeight);
        m.put(key(name, "4.bias"), outBias);
        return m;
    }

    public static PredictionHead fromTensors(
            String name, HeadConfig config, Map<String, Tensor> tensors, String where) {
        Tensor[] parts = new Tensor[4];
        String[] keys = {"1.weight", "1.bias", "4.weight", "4.bias"};
        for (int i = 0; i < 4; i++) {
            parts[i] = tensors.get(key(name, keys[i]));
            if (parts[i] == null) {
                throw new IllegalArgumentException(
                        where + ": missing tensor '" + key(name, keys[i]) + "' (has " + tensors.keySet() + ")");
            }
        }
        java.util.Set<String> expected = new java.util.HashSet<>();
        for (String k : keys) {
            expected.add(key(name, k));
        }
        for (String k : tensors.keySet()) {
            if (!expected.contains(k)) {
                throw new IllegalArgumentException(where + ": unexpected tensor '" + k + "' for a 2-layer head named '"
                        + name + "' (expected " + new java.util.TreeSet<>(expected) + ")");
            }
        }
        try {
            return new PredictionHead(name, config, parts[0], parts[1], parts[2], parts[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }
}
