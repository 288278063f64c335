package org.mera.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.mera.io.Tensor;

/**
 * One post-LayerNorm transformer layer (BERT's, RoBERTa's and DistilBERT's, under BERT's parameter names). Its projections and the two points where sublayer outputs re-join
 * the residual stream are replaceable, which is how LoRA and adapters are inserted without touching the
 * frozen weights.
 */
public final class BertLayer {
    private final EncoderConfig config;
    private Projection query;
    private final Projection key;
    private Projection value;
    private final Linear attentionDense;
    private final LayerNorm attentionNorm;
    private final Linear intermediate;
    private final Linear outputDense;
    private final LayerNorm outputNorm;
    private SublayerOutput attentionOutput = SublayerOutput.RESIDUAL_NORM;
    private SublayerOutput feedForwardOutput = SublayerOutput.RESIDUAL_NORM;

    BertLayer(EncoderConfig config, Params params, Map<String, Tensor> w, String prefix) {
        this.config = config;
        int h = config.hiddenSize();
        int f = config.intermediateSize();
        float eps = config.layerNormEps();
        query = Linear.load(params, w, prefix + "attention.self.query", h, h);
        key = Linear.load(params, w, prefix + "attention.self.key", h, h);
        value = Linear.load(params, w, prefix + "attention.self.value", h, h);
        attentionDense = Linear.load(params, w, prefix + "attention.output.dense", h, h);
        attentionNorm = LayerNorm.load(params, w, prefix + "attention.output.LayerNorm", h, eps);
        intermediate = Linear.load(params, w, prefix + "intermediate.dense", f, h);
        outputDense = Linear.load(params, w, prefix + "output.dense", h, f);
        outputNorm = LayerNorm.load(params, w, prefix + "output.LayerNorm", h, eps);
    }

    /**
     * @param x        hidden states [B, T, H]
     * @param maskBias additive attention mask [B, 1, 1, T]: 0 for tokens, a large negative number for padding
     */
    public NDArray forward(NDArray x, NDArray maskBias, boolean training) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int heads = config.numHeads();
        int d = config.headSize();
        NDArray q = splitHeads(query.forward(x, training), b, t, heads, d);
        NDArray k = splitHeads(key.forward(x, training), b, t, heads, d);
        NDArray v = splitHeads(value.forward(x, training), b, t, heads, d);
        NDArray scores = EngineConstants.muli(q.matMul(k.transpose(0, 1, 3, 2)), (float) (1.0 / Math.sqrt(d)))
                .addi(maskBias);
        NDArray probs = Dropout.apply(scores.softmax(-1), config.attentionDropout(), training);
        NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(new Shape(b, t, (long) heads * d));
        NDArray attn = attentionDense.forward(context, training);
        if (config.family().attentionOutputDropout()) {
            attn = Dropout.apply(attn, config.hiddenDropout(), training);
        }
        NDArray x1 = attentionOutput.apply(attn, x, attentionNorm, training);
        NDArray inter = ai.djl.nn.Activation.gelu(intermediate.forward(x1, training));
        NDArray ff = Dropout.apply(outputDense.forward(inter, training), config.hiddenDropout(), training);
        return feedForwardOutput.apply(ff, x1, outputNorm, training);
    }

    private static NDArray splitHeads(NDArray x, long b, long t, int heads, int d) {
        return x.reshape(new Shape(b, t, heads, d)).transpose(0, 2, 1, 3);
    }

    public Projection query() {
        return query;
    }

    public Projection value() {
        return value;
    }

    public void setQuery(Projection query) {
        this.query = query;
    }

    public void setValue(Projection value) {
        this.value = value;
    }

    /** Insertion point after the attention block (Houlsby's first adapter). */
    public void setAttentionOutput(SublayerOutput attentionOutput) {
        this.attentionOutput = attentionOutput;
    }

    /** Insertion point after the feed-forward block (Pfeiffer's adapter, Houlsby's second). */
    public void setFeedForwardOutput(SublayerOutput feedForwardOutput) {
        this.feedForwardOutput = feedForwardOutput;
    }
}
