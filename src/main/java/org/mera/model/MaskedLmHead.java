package org.mera.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import org.mera.io.Tensor;

/** BERT's masked-LM head: dense + GELU + LayerNorm, then the (tied) word embeddings plus a bias. */
public final class MaskedLmHead {
    private final Linear transform;
    private final LayerNorm norm;
    private final Param decoderBias;
    private final Param wordEmbeddings;

    MaskedLmHead(EncoderConfig config, Params params, Map<String, Tensor> w, Param wordEmbeddings) {
        int h = config.hiddenSize();
        transform = Linear.load(params, w, "cls.predictions.transform.dense", h, h);
        norm = LayerNorm.load(params, w, "cls.predictions.transform.LayerNorm", h, config.layerNormEps());
        decoderBias = params.take(w, "cls.predictions.bias", config.vocabSize());
        this.wordEmbeddings = wordEmbeddings;
    }

    static boolean present(Params params, Map<String, Tensor> w) {
        return params.has(w, "cls.predictions.transform.dense.weight");
    }

    /** Vocabulary logits [.., V] for hidden states [.., H]. */
    public NDArray logits(NDArray hidden) {
        NDArray x = norm.apply(ai.djl.nn.Activation.gelu(transform.forward(hidden, false)));
        return ai.djl.nn.core.Linear.linear(x, wordEmbeddings.array(), decoderBias.array())
                .singletonOrThrow();
    }
}
