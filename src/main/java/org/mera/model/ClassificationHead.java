package org.mera.model;

import ai.djl.ndarray.NDArray;
import org.mera.io.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * AdapterHub's classification head on the first token: dropout, dense [H, H], tanh, dropout, out [C, H]
 * (module indices 0..4, hence the keys {@code heads.NAME.1.weight} and {@code heads.NAME.4.weight}).
 * With one output it is the regression head used for STS-B.
 */
public final class ClassificationHead {
    private final String name;
    private final Linear dense;
    private final Linear out;
    private final float dropout;
    private final List<String> labels;

    private ClassificationHead(String name, Linear dense, Linear out, float dropout, List<String> labels) {
        this.name = name;
        this.dense = dense;
        this.out = out;
        this.dropout = dropout;
        this.labels = List.copyOf(labels);
    }

    /** A fresh head, initialised like BERT's linear layers: N(0, 0.02) weights, zero biases. */
    public static ClassificationHead create(Params params, String name, int hidden, List<String> labels, float dropout, long seed) {
        int c = Math.max(1, labels.size());
        Random rnd = new Random(seed);
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put(prefix(name) + "1.weight", Tensor.normal(rnd, 0.02f, hidden, hidden));
        w.put(prefix(name) + "1.bias", Tensor.zeros(hidden));
        w.put(prefix(name) + "4.weight", Tensor.normal(rnd, 0.02f, c, hidden));
        w.put(prefix(name) + "4.bias", Tensor.zeros(c));
        return load(params, name, w, hidden, labels, dropout);
    }

    /** A head from saved weights with AdapterHub's key names. */
    public static ClassificationHead load(Params params, String name, Map<String, Tensor> weights, int hidden, List<String> labels,
                                          float dropout) {
        int c = Math.max(1, labels.size());
        Linear dense = Linear.load(params, weights, prefix(name) + "1", hidden, hidden);
        Linear out = Linear.load(params, weights, prefix(name) + "4", c, hidden);
        dense.weight().setTrainable(true);
        dense.bias().setTrainable(true);
        out.weight().setTrainable(true);
        out.bias().setTrainable(true);
        return new ClassificationHead(name, dense, out, dropout, labels);
    }

    public static String prefix(String name) {
        return "heads." + name + ".";
    }

    public String name() {
        return name;
    }

    /** Class labels in index order; empty for a regression head. */
    public List<String> labels() {
        return labels;
    }

    public boolean isRegression() {
        return labels.isEmpty();
    }

    /** Logits [B, C] (or predictions [B, 1] for regression) from the last hidden state [B, T, H]. */
    public NDArray forward(NDArray lastHidden, boolean training) {
        NDArray x = lastHidden.get(":, 0, :");
        x = Dropout.apply(x, dropout, training);
        x = dense.forward(x, training).tanh();
        x = Dropout.apply(x, dropout, training);
        return out.forward(x, training);
    }
}
