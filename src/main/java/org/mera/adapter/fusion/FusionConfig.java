package org.mera.adapter.fusion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mera.io.ConfigJson;
import org.mera.io.Json;

/**
 * An AdapterHub AdapterFusion config (the {@code "config"} object of adapter_fusion_config.json), with
 * AdapterHub's field names. {@link #dynamic()} is AdapterHub's default ("dynamic") and {@link #staticFusion()}
 * its "static" variant. {@code dropoutProb} null (or 0, as AdapterHub's {@code or} treats it) means the
 * encoder's attention dropout.
 */
public record FusionConfig(
        boolean key,
        boolean query,
        boolean value,
        boolean queryBeforeLn,
        boolean regularization,
        boolean residualBefore,
        boolean temperature,
        boolean valueBeforeSoftmax,
        boolean valueInitialized,
        Double dropoutProb) {

    public FusionConfig {
        if (temperature) {
            // AdapterHub's temperature anneals T from 50 by 0.05 on every forward call (training and eval alike):
            // hidden state we do not reproduce.
            throw new IllegalArgumentException("AdapterFusion config field 'temperature' = true is not supported "
                    + "(AdapterHub anneals it per forward call); use temperature false");
        }
        if (!key && !query && !value) {
            throw new IllegalArgumentException(
                    "AdapterFusion config with key, query and value all false is not supported");
        }
        if (dropoutProb != null && !(dropoutProb >= 0 && dropoutProb < 1)) {
            throw new IllegalArgumentException(
                    "AdapterFusion config field 'dropout_prob' must be in [0, 1), got " + dropoutProb);
        }
    }

    /** AdapterHub's DynamicAdapterFusionConfig: Q, K and V, V initialised near the identity, regularised. */
    public static FusionConfig dynamic() {
        return new FusionConfig(true, true, true, false, true, false, false, true, true, null);
    }

    /** AdapterHub's StaticAdapterFusionConfig: Q and K only, no value matrix. */
    public static FusionConfig staticFusion() {
        return new FusionConfig(true, true, false, false, false, false, false, true, false, null);
    }

    /** Whether the ‖I − V‖² regulariser applies (AdapterHub adds it for every fusion layer that has V). */
    public boolean regularised() {
        return value && regularization;
    }

    /** The attention dropout AdapterHub uses: {@code dropout_prob or attention_probs_dropout_prob}. */
    public float effectiveDropout(float encoderAttentionDropout) {
        return dropoutProb == null || dropoutProb == 0 ? encoderAttentionDropout : dropoutProb.floatValue();
    }

    public static FusionConfig fromJson(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + ": the fusion config must be a JSON object, got " + node);
        }
        ConfigJson c = new ConfigJson(node, where);
        FusionConfig d = dynamic();
        Double dropout = c.has("dropout_prob") ? c.number("dropout_prob", 0) : null;
        boolean valueInitialized = d.valueInitialized;
        if (c.has("value_initialized")) {
            JsonNode v = node.get("value_initialized");
            // AdapterHub types the field as str but defaults it to True; accept both spellings.
            if (v.isBoolean()) {
                valueInitialized = v.booleanValue();
            } else if (v.isTextual()
                    && (v.textValue().equalsIgnoreCase("true") || v.textValue().equalsIgnoreCase("false"))) {
                valueInitialized = Boolean.parseBoolean(v.textValue());
            } else {
                throw new IllegalArgumentException(
                        where + ": field 'value_initialized' must be true or false, got " + v);
            }
        }
        try {
            return new FusionConfig(
                    c.bool("key", d.key),
                    c.bool("query", d.query),
                    c.bool("value", d.value),
                    c.bool("query_before_ln", d.queryBeforeLn),
                    c.bool("regularization", d.regularization),
                    c.bool("residual_before", d.residualBefore),
                    c.bool("temperature", d.temperature),
                    c.bool("value_before_softmax", d.valueBeforeSoftmax),
                    valueInitialized,
                    dropout);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.SORTED_PRETTY.createObjectNode();
        o.put("key", key);
        o.put("query", query);
        o.put("value", value);
        o.put("query_before_ln", queryBeforeLn);
        o.put("regularization", regularization);
        o.put("residual_before", residualBefore);
        o.put("temperature", temperature);
        o.put("value_before_softmax", valueBeforeSoftmax);
        o.put("value_initialized", valueInitialized);
        if (dropoutProb == null) {
            o.putNull("dropout_prob");
        } else {
            o.put("dropout_prob", dropoutProb);
        }
        return o;
    }
}
