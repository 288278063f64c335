package org.mera.model;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mera.io.Tensor;

/**
 * AdapterHub's classification head: dropout, dense [H, H], tanh, dropout, out [C, H] (module indices 0..4,
 * hence the keys {@code heads.NAME.1.weight} and {@code heads.NAME.4.weight}), on the first token's state
 * or, as a mera extension, on the mean of the real tokens' states ({@link Pooling}). With one output it is
 * the regression head used for STS-B.
 */
public final class ClassificationHead {
    /**
     * What the head reads. {@code FIRST_TOKEN} is AdapterHub's (BERT's [CLS], trained by its pre-training);
     * {@code MEAN} averages the states of the tokens the attention mask keeps, the pooling sentence-transformers
     * such as all-MiniLM-L6-v2 and E5 were trained with, whose first token carries little on its own.
     */
    public enum Pooling {
        FIRST_TOKEN("cls"),
        MEAN("mean");

        private final String id;

        Pooling(String id) {
            this.id = id;
        }

        /** The name in configs and on the command line: {@code cls} or {@code mean}. */
        public String id() {
            return id;
        }

        public static Pooling parse(String id) {
            for (Pooling p : values()) {
                if (p.id.equals(id)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown pooling '" + id + "' (" + String.join(", ", ids()) + ")");
        }

        /** Every name {@link #parse} accepts, in declaration order. */
        public static String[] ids() {
            return java.util.Arrays.stream(values()).map(Pooling::id).toArray(String[]::new);
        }
    }

    private final String name;
    private final Linear dense;
    private final Linear out;
    private final float dropout;
    private final List<String> labels;
    private final Pooling pooling;

    private ClassificationHead(
            String name, Linear dense, Linear out, float dropout, List<String> labels, Pooling pooling) {
        this.name = name;
        this.dense = dense;
        this.out = out;
        this.dropout = dropout;
        this.labels = List.copyOf(labels);
        this.pooling = pooling;
    }

    /** A fresh first-token head, initialised like BERT's linear layers: N(0, 0.02) weights, zero biases. */
    public static ClassificationHead create(
            Params params, String name, int hidden, List<String> labels, float dropout, long seed) {
        return create(params, name, hidden, labels, dropout, seed, Pooling.FIRST_TOKEN);
    }

    /** A fresh head reading {@code pooling}, initialised like BERT's linear layers. */
    public static ClassificationHead create(
            Params params, String name, int hidden, List<String> labels, float dropout, long seed, Pooling pooling) {
        int c = Math.max(1, labels.size());
        Random rnd = new Random(seed);
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put(prefix(name) + "1.weight", Tensor.normal(rnd, 0.02f, hidden, hidden));
        w.put(prefix(name) + "1.bias", Tensor.zeros(hidden));
        w.put(prefix(name) + "4.weight", Tensor.normal(rnd, 0.02f, c, hidden));
        w.put(prefix(name) + "4.bias", Tensor.zeros(c));
        return load(params, name, w, hidden, labels, dropout, pooling);
    }

    /** A head from saved weights with AdapterHub's key names. */
    public static ClassificationHead load(
            Params params,
            String name,
            Map<String, Tensor> weights,
            int hidden,
            List<String> labels,
            float dropout,
            Pooling pooling) {
        int c = Math.max(1, labels.size());
        Linear dense = Linear.load(params, weights, prefix(name) + "1", hidden, hidden);
        Linear out = Linear.load(params, weights, prefix(name) + "4", c, hidden);
        dense.weight().setTrainable(true);
        dense.bias().setTrainable(true);
        out.weight().setTrainable(true);
        out.bias().setTrainable(true);
        return new ClassificationHead(name, dense, out, dropout, labels, pooling);
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

    public Pooling pooling() {
        return pooling;
    }

    /**
     * Logits [B, C] (or predictions [B, 1] for regression) from the last hidden state [B, T, H] and the
     * attention mask [B, T] (1 for real tokens), which only mean pooling reads.
     */
    public NDArray forward(NDArray lastHidden, NDArray attentionMask, boolean training) {
        NDArray x = switch (pooling) {
            case FIRST_TOKEN -> lastHidden.get(":, 0, :");
            case MEAN -> {
                NDArray keep =
                        attentionMask.toType(lastHidden.getDataType(), false).expandDims(-1);
                yield lastHidden.mul(keep).sum(new int[] {1}).div(keep.sum(new int[] {1}));
            }
        };
        x = Dropout.apply(x, dropout, training);
        x = dense.forward(x, training).tanh();
        x = Dropout.apply(x, dropout, training);
        return out.forward(x, training);
    }
}
