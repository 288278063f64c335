package org.mera.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The fields of a HuggingFace BertConfig / RobertaConfig ({@code config.json}) as mera writes them: the model
 * catalog's conversions and full fine-tuning ({@link HfModelDirectory#write}). Encoders are read, for every family,
 * by {@code org.mera.model.EncoderConfig.read} through the family's {@code ModelFamily}; this record stays in
 * {@code io} because the writer does (io depends on nothing above it).
 * {@code modelType} is "bert" or "roberta"; {@code doLowerCase} is null where the model does not say.
 */
public record BertConfig(
        String modelType,
        List<String> architectures,
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        int maxPositionEmbeddings,
        int typeVocabSize,
        double layerNormEps,
        int padTokenId,
        Boolean doLowerCase) {
    private static final ObjectMapper JSON = Json.PRETTY;

    public BertConfig {
        if (numAttentionHeads <= 0 || hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException(
                    "hidden_size " + hiddenSize + " is not divisible by num_attention_heads " + numAttentionHeads);
        }
        architectures = List.copyOf(architectures);
    }

    /** A BERT config for weights of the given dimensions; heads cannot be read off weights, so the caller says. */
    public static BertConfig bert(
            BertShapes.Dimensions dims, int numAttentionHeads, boolean maskedLmHead, Boolean doLowerCase) {
        return new BertConfig(
                "bert",
                List.of(maskedLmHead ? "BertForMaskedLM" : "BertModel"),
                dims.vocabSize(),
                dims.hiddenSize(),
                dims.numLayers(),
                numAttentionHeads,
                dims.intermediateSize(),
                "gelu",
                dims.maxPositionEmbeddings(),
                dims.typeVocabSize(),
                1e-12,
                0,
                doLowerCase);
    }

    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("model_type", modelType);
        var arch = n.putArray("architectures");
        architectures.forEach(arch::add);
        n.put("vocab_size", vocabSize);
        n.put("hidden_size", hiddenSize);
        n.put("num_hidden_layers", numHiddenLayers);
        n.put("num_attention_heads", numAttentionHeads);
        n.put("intermediate_size", intermediateSize);
        n.put("hidden_act", hiddenAct);
        n.put("hidden_dropout_prob", 0.1);
        n.put("attention_probs_dropout_prob", 0.1);
        n.put("max_position_embeddings", maxPositionEmbeddings);
        n.put("type_vocab_size", typeVocabSize);
        n.put("initializer_range", 0.02);
        n.put("layer_norm_eps", layerNormEps);
        n.put("pad_token_id", padTokenId);
        n.put("position_embedding_type", "absolute");
        if (doLowerCase != null) {
            n.put("do_lower_case", doLowerCase);
        }
        try {
            return JSON.writeValueAsString(n) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise config", e);
        }
    }

    /** Reads a BERT or RoBERTa {@code config.json}, with HF's defaults for fields it leaves out. */
    public static BertConfig read(Path configJson) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(configJson.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedFileException(configJson, "invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new MalformedFileException(configJson, "config is not a JSON object");
        }
        String type = n.path("model_type").asText("");
        if (!type.equals("bert") && !type.equals("roberta")) {
            throw new MalformedFileException(configJson, "model_type '" + type + "' is not bert or roberta");
        }
        List<String> arch = new java.util.ArrayList<>();
        n.path("architectures").forEach(a -> arch.add(a.asText()));
        try {
            return new BertConfig(
                    type,
                    arch,
                    requiredInt(n, "vocab_size", configJson),
                    n.path("hidden_size").asInt(768),
                    n.path("num_hidden_layers").asInt(12),
                    n.path("num_attention_heads").asInt(12),
                    n.path("intermediate_size").asInt(3072),
                    n.path("hidden_act").asText("gelu"),
                    n.path("max_position_embeddings").asInt(512),
                    n.path("type_vocab_size").asInt(2),
                    n.path("layer_norm_eps").asDouble(1e-12),
                    n.path("pad_token_id").asInt(type.equals("roberta") ? 1 : 0),
                    n.has("do_lower_case") ? n.get("do_lower_case").asBoolean() : null);
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(configJson, e.getMessage(), e);
        }
    }

    private static int requiredInt(JsonNode n, String field, Path file) throws MalformedFileException {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToInt()) {
            throw new MalformedFileException(file, "field " + field + " missing or not an integer");
        }
        return v.asInt();
    }
}
