package org.mera.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mera.io.Json;
import org.mera.io.MalformedFileException;

/**
 * The architecture of an encoder as its HF {@code config.json} describes it, in one shape for every
 * {@link ModelFamily} (BERT's field meanings; DistilBERT's {@code dim}, {@code n_layers}, ... map onto them).
 * {@code typeVocabSize} is 0 for a family without token types.
 */
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
        if (numHeads <= 0 || hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException(
                    "hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numHeads);
        }
        if (ModelFamily.forModelType(modelType) == null) {
            throw new IllegalArgumentException("unsupported model_type '" + modelType + "' (supported: "
                    + String.join(", ", ModelFamily.supportedModelTypes()) + ")");
        }
    }

    public int headSize() {
        return hiddenSize / numHeads;
    }

    /** The family whose layout this encoder's files use. */
    public ModelFamily family() {
        return ModelFamily.forModelType(modelType);
    }

    /** Whether the encoder has token type (segment) embeddings; DistilBERT has none. */
    public boolean hasTokenTypes() {
        return typeVocabSize > 0;
    }

    /**
     * Reads an HF {@code config.json} of any supported family ({@link ModelFamily}: its own field names and
     * transformers' defaults for the fields it leaves out).
     */
    public static EncoderConfig read(Path configJson) throws IOException {
        if (!Files.isRegularFile(configJson)) {
            throw new IOException("missing encoder config: " + configJson);
        }
        JsonNode n;
        try {
            n = Json.PLAIN.readTree(configJson.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedFileException(configJson, "invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new MalformedFileException(configJson, "config is not a JSON object");
        }
        String type = n.path("model_type").asText("");
        ModelFamily family = ModelFamily.forModelType(type);
        if (family == null) {
            throw new MalformedFileException(
                    configJson,
                    "model_type '" + type + "' is not supported (supported: "
                            + String.join(", ", ModelFamily.supportedModelTypes()) + ")");
        }
        return family.readConfig(n, configJson);
    }

    /** An integer field that must be present, for the families' readers. */
    public static int requiredInt(JsonNode n, String field, Path file) throws MalformedFileException {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToInt()) {
            throw new MalformedFileException(file, "field " + field + " missing or not an integer");
        }
        return v.asInt();
    }

    /** Floating-point operations of one forward pass over {@code tokens} tokens at sequence length {@code seqLen}. */
    public double forwardFlops(long tokens, int seqLen) {
        double h = hiddenSize;
        double perTokenLinear = 2 * (4 * h * h + 2 * h * intermediateSize);
        double perTokenAttention = 2 * 2 * (double) seqLen * h;
        return tokens * numLayers * (perTokenLinear + perTokenAttention);
    }
}
