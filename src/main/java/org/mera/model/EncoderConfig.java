package org.mera.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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

    public static EncoderConfig read(Path configJson) throws IOException {
        if (!Files.isRegularFile(configJson)) {
            throw new IOException("missing encoder config: " + configJson);
        }
        JsonNode n = new ObjectMapper().readTree(configJson.toFile());
        try {
            return new EncoderConfig(
                    n.path("model_type").asText("bert"),
                    required(n, "vocab_size", configJson),
                    required(n, "hidden_size", configJson),
                    required(n, "num_hidden_layers", configJson),
                    required(n, "num_attention_heads", configJson),
                    required(n, "intermediate_size", configJson),
                    required(n, "max_position_embeddings", configJson),
                    n.path("type_vocab_size").asInt(2),
                    (float) n.path("layer_norm_eps").asDouble(1e-12),
                    (float) n.path("hidden_dropout_prob").asDouble(0.1),
                    (float) n.path("attention_probs_dropout_prob").asDouble(0.1),
                    n.path("pad_token_id").asInt(0));
        } catch (IllegalArgumentException e) {
            throw new IOException(configJson + ": " + e.getMessage(), e);
        }
    }

    private static int required(JsonNode n, String field, Path file) {
        if (!n.has(field)) {
            throw new IllegalArgumentException("field '" + field + "' is missing");
        }
        return n.get(field).asInt();
    }

    /** Floating-point operations of one forward pass over {@code tokens} tokens at sequence length {@code seqLen}. */
    public double forwardFlops(long tokens, int seqLen) {
        double h = hiddenSize;
        double perTokenLinear = 2 * (4 * h * h + 2 * h * intermediateSize);
        double perTokenAttention = 2 * 2 * (double) seqLen * h;
        return tokens * numLayers * (perTokenLinear + perTokenAttention);
    }
}
