package org.mera.model.bert;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mera.io.MalformedFileException;
import org.mera.io.Tensor;
import org.mera.model.EncoderConfig;
import org.mera.model.ModelFamily;

/** Google's BERT and every checkpoint with {@code model_type: bert} (MiniLM, BGE, E5): mera's native layout. */
public class BertFamily implements ModelFamily {
    @Override
    public String name() {
        return "bert";
    }

    @Override
    public List<String> modelTypes() {
        return List.of("bert");
    }

    @Override
    public EncoderConfig readConfig(JsonNode n, Path file) throws MalformedFileException {
        String type = n.path("model_type").asText();
        String act = n.path("hidden_act").asText("gelu");
        if (!act.equals("gelu")) {
            throw new MalformedFileException(
                    file, "hidden_act '" + act + "' is not supported (mera implements exact gelu)");
        }
        String positions = n.path("position_embedding_type").asText("absolute");
        if (!positions.equals("absolute")) {
            throw new MalformedFileException(
                    file, "position_embedding_type '" + positions + "' is not supported (absolute only)");
        }
        try {
            return new EncoderConfig(
                    type,
                    EncoderConfig.requiredInt(n, "vocab_size", file),
                    n.path("hidden_size").asInt(768),
                    n.path("num_hidden_layers").asInt(12),
                    n.path("num_attention_heads").asInt(12),
                    n.path("intermediate_size").asInt(3072),
                    n.path("max_position_embeddings").asInt(512),
                    n.path("type_vocab_size").asInt(2),
                    (float) n.path("layer_norm_eps").asDouble(1e-12),
                    (float) n.path("hidden_dropout_prob").asDouble(0.1),
                    (float) n.path("attention_probs_dropout_prob").asDouble(0.1),
                    n.path("pad_token_id").asInt(defaultPadId()));
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(file, e.getMessage(), e);
        }
    }

    /** transformers' default {@code pad_token_id} for this family's config class. */
    protected int defaultPadId() {
        return 0;
    }

    @Override
    public String keyPrefix() {
        return "bert.";
    }

    @Override
    public String adapterModelClass(String modelType) {
        return "BertAdapterModel";
    }

    @Override
    public Map<String, Tensor> toEncoderNames(Map<String, Tensor> weights, Path source) {
        return weights;
    }

    @Override
    public boolean positionsAfterPadding() {
        return false;
    }

    @Override
    public boolean attentionOutputDropout() {
        return true;
    }

    @Override
    public String bottleneckSite(int layer, boolean attention) {
        return "encoder.layer." + layer + (attention ? ".attention.output" : ".output");
    }

    @Override
    public String projectionModule(int layer, String target) {
        return "encoder.layer." + layer + ".attention.self." + nativeTarget(target);
    }

    @Override
    public String nativeTarget(String target) {
        if (!target.equals("query") && !target.equals("value")) {
            throw new IllegalArgumentException(
                    "LoRA target module '" + target + "' is not supported for " + name() + " encoders (query, value)");
        }
        return target;
    }

    @Override
    public String meraTarget(String target) {
        return target.equals("query") || target.equals("value") ? target : null;
    }
}
