package org.mera.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.mera.io.BertConfig;
import org.mera.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The architecture of a BERT-family encoder, as an HF {@code config.json} describes it. */
public record EncoderConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        int maxPositions,
        int typeVocabSize,
        float layerNormEps,
        float hiddenDropout,
        float attentionDropout,
        int padTokenId) {

    public EncoderConfig {
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numHeads);
        }
        if (!modelType.equals("bert") && !modelType.equals("roberta") && !modelType.equals("xlm-roberta")) {
            throw new IllegalArgumentException("unsupported model_type '" + modelType + "' (supported: bert, roberta)");
        }
    }

    public int headSize() {
        return hiddenSize / numHeads;
    }

    /** RoBERTa numbers positions from padding_idx + 1, BERT from 0. */
    public boolean robertaPositions() {
        return !modelType.equals("bert");
    }

    /**
     * Reads an HF {@code config.json} (BERT or RoBERTa; validated by {@link BertConfig#read}) plus the dropout
     * rates training needs.
     */
    public static EncoderConfig read(Path configJson) throws IOException {
        if (!Files.isRegularFile(configJson)) {
            throw new IOException("missing encoder config: " + configJson);
        }
        BertConfig b = BertConfig.read(configJson);
        if (!b.hiddenAct().equals("gelu")) {
            throw new IOException(configJson + ": hidden_act '" + b.hiddenAct() + "' is not supported (mera implements exact gelu)");
        }
        JsonNode n = Json.PLAIN.readTree(configJson.toFile());
        return new EncoderConfig(b.modelType(), b.vocabSize(), b.hiddenSize(), b.numHiddenLayers(), b.numAttentionHeads(),
                b.intermediateSize(), b.maxPositionEmbeddings(), b.typeVocabSize(), (float) b.layerNormEps(),
                (float) n.path("hidden_dropout_prob").asDouble(0.1), (float) n.path("attention_probs_dropout_prob").asDouble(0.1),
                b.padTokenId());
    }

    /** Floating-point operations of one forward pass over {@code tokens} tokens at sequence length {@code seqLen}. */
    public double forwardFlops(long tokens, int seqLen) {
        double h = hiddenSize;
        double perTokenLinear = 2 * (4 * h * h + 2 * h * intermediateSize);
        double perTokenAttention = 2 * 2 * (double) seqLen * h;
        return tokens * numLayers * (perTokenLinear + perTokenAttention);
    }
}
