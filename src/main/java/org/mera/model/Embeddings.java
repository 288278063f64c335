package org.mera.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import java.util.Map;
import org.mera.io.Tensor;

/** Word + position (+ token-type, where the family has them) embeddings, then LayerNorm and dropout. */
public final class Embeddings {
    private final EncoderConfig config;
    private final Param word;
    private final Param position;
    private final Param tokenType;
    private final LayerNorm norm;

    Embeddings(EncoderConfig config, Params params, Map<String, Tensor> w) {
        this.config = config;
        int h = config.hiddenSize();
        word = params.take(w, "embeddings.word_embeddings.weight", config.vocabSize(), h);
        position = params.take(w, "embeddings.position_embeddings.weight", config.maxPositions(), h);
        tokenType = config.hasTokenTypes()
                ? params.take(w, "embeddings.token_type_embeddings.weight", config.typeVocabSize(), h)
                : null;
        norm = LayerNorm.load(params, w, "embeddings.LayerNorm", h, config.layerNormEps());
    }

    public Param wordEmbeddings() {
        return word;
    }

    /** ids, typeIds, mask: int64 [B, T]. */
    public NDArray forward(NDArray ids, NDArray typeIds, NDArray mask, boolean training) {
        long t = ids.getShape().get(1);
        boolean afterPadding = config.family().positionsAfterPadding();
        if (t > config.maxPositions() - (afterPadding ? config.padTokenId() + 1 : 0)) {
            throw new IllegalArgumentException(
                    "sequence length " + t + " exceeds the model's " + config.maxPositions() + " positions");
        }
        NDArray positions;
        if (afterPadding) {
            // RoBERTa: positions count real tokens from padding_idx + 1; padding keeps padding_idx.
            positions = mask.cumSum(1).mul(mask).add(config.padTokenId());
        } else {
            positions = ids.getManager().arange(0, (int) t, 1, DataType.INT64).expandDims(0);
        }
        NDArray e = lookup(ids, word).add(lookup(positions, position));
        if (tokenType != null) {
            e.addi(lookup(typeIds, tokenType)); // a family without token types ignores the tokenizer's segment ids
        }
        return Dropout.apply(norm.apply(e), config.hiddenDropout(), training);
    }

    private static NDArray lookup(NDArray ids, Param table) {
        return ai.djl.nn.core.Embedding.embedding(ids, table.array(), SparseFormat.DENSE)
                .singletonOrThrow();
    }
}
