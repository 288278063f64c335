package org.mera.model.distilbert;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mera.io.MalformedFileException;
import org.mera.io.Tensor;
import org.mera.model.EncoderConfig;
import org.mera.model.ModelFamily;

/**
 * DistilBERT: BERT's post-LayerNorm layer under other names ({@code transformer.layer.N.attention.q_lin},
 * {@code sa_layer_norm}, {@code ffn.lin1/lin2}, {@code output_layer_norm}), no token types, no dropout after the
 * attention's output projection, LayerNorm eps fixed at 1e-12. Sinusoidal position embeddings
 * ({@code sinusoidal_pos_embds}) are stored in the checkpoint like learned ones, so both read the same way.
 * AdapterHub keeps its bottleneck adapters in {@code transformer.layer.N.attention_adapters} and
 * {@code output_adapters}; PEFT targets {@code q_lin} / {@code v_lin}.
 */
public final class DistilBertFamily implements ModelFamily {
    private static final Pattern LAYER_KEY = Pattern.compile("^(?:distilbert\\.)?transformer\\.layer\\.(\\d+)\\.(.+)$");
    /** DistilBERT's module names inside a layer → BERT's. */
    private static final Map<String, String> LAYER_NAMES = Map.of(
            "attention.q_lin", "attention.self.query",
            "attention.k_lin", "attention.self.key",
            "attention.v_lin", "attention.self.value",
            "attention.out_lin", "attention.output.dense",
            "sa_layer_norm", "attention.output.LayerNorm",
            "ffn.lin1", "intermediate.dense",
            "ffn.lin2", "output.dense",
            "output_layer_norm", "output.LayerNorm");

    @Override
    public String name() {
        return "distilbert";
    }

    @Override
    public List<String> modelTypes() {
        return List.of("distilbert");
    }

    @Override
    public EncoderConfig readConfig(JsonNode n, Path file) throws MalformedFileException {
        String act = n.path("activation").asText("gelu");
        if (!act.equals("gelu")) {
            throw new MalformedFileException(
                    file, "activation '" + act + "' is not supported (mera implements exact gelu)");
        }
        try {
            // DistilBERT's config has no layer_norm_eps: its LayerNorms use 1e-12
            return new EncoderConfig(
                    "distilbert",
                    EncoderConfig.requiredInt(n, "vocab_size", file),
                    n.path("dim").asInt(768),
                    n.path("n_layers").asInt(6),
                    n.path("n_heads").asInt(12),
                    n.path("hidden_dim").asInt(3072),
                    n.path("max_position_embeddings").asInt(512),
                    0,
                    1e-12f,
                    (float) n.path("dropout").asDouble(0.1),
                    (float) n.path("attention_dropout").asDouble(0.1),
                    n.path("pad_token_id").asInt(0));
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(file, e.getMessage(), e);
        }
    }

    @Override
    public String keyPrefix() {
        return "distilbert.";
    }

    @Override
    public String adapterModelClass(String modelType) {
        return "DistilBertAdapterModel";
    }

    @Override
    public Map<String, Tensor> toEncoderNames(Map<String, Tensor> weights, Path source) throws MalformedFileException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            String k = e.getKey().startsWith(keyPrefix())
                    ? e.getKey().substring(keyPrefix().length())
                    : e.getKey();
            Matcher m = LAYER_KEY.matcher(k);
            if (m.matches()) {
                String rest = m.group(2);
                int dot = rest.lastIndexOf('.');
                String bert = dot < 0 ? null : LAYER_NAMES.get(rest.substring(0, dot));
                if (bert == null) {
                    throw new MalformedFileException(
                            source,
                            "tensor " + e.getKey() + " is not a DistilBERT layer parameter (expected "
                                    + "transformer.layer.N.{" + String.join(",", LAYER_NAMES.keySet())
                                    + "}.{weight,bias})");
                }
                k = "encoder.layer." + m.group(1) + "." + bert + rest.substring(dot);
            }
            if (out.put(k, e.getValue()) != null) {
                throw new MalformedFileException(
                        source, "tensor " + k + " appears twice (as " + e.getKey() + " and under another name)");
            }
        }
        return out;
    }

    @Override
    public boolean positionsAfterPadding() {
        return false;
    }

    @Override
    public boolean attentionOutputDropout() {
        return false;
    }

    @Override
    public String bottleneckSite(int layer, boolean attention) {
        return "transformer.layer." + layer + (attention ? ".attention_adapters" : ".output_adapters");
    }

    @Override
    public String projectionModule(int layer, String target) {
        return "transformer.layer." + layer + ".attention." + nativeTarget(target);
    }

    @Override
    public String nativeTarget(String target) {
        return switch (target) {
            case "query", "q_lin" -> "q_lin";
            case "value", "v_lin" -> "v_lin";
            default ->
                throw new IllegalArgumentException("LoRA target module '" + target
                        + "' is not supported for distilbert encoders (q_lin or query, v_lin or value)");
        };
    }

    @Override
    public String meraTarget(String target) {
        return switch (target) {
            case "q_lin", "query" -> "query";
            case "v_lin", "value" -> "value";
            default -> null;
        };
    }
}
