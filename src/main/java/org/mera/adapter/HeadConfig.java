package org.mera.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mera.model.ClassificationHead;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An AdapterHub prediction head config ({@code "config"} of head_config.json): classification or
 * regression, {@code layers} dense layers with {@code activation_function} between them, on the first token.
 * mera adds {@code "pooling": "mean"} for heads on the mean of the token states (AdapterHub's heads have no
 * such option); it is written only then, so first-token heads stay exactly AdapterHub's.
 */
public record HeadConfig(String headType, int numLabels, int layers, String activationFunction,
                         Map<String, Integer> label2id, boolean usePooler, ClassificationHead.Pooling pooling,
                         Map<String, JsonNode> extra) {

    private static final Set<String> KNOWN = Set.of("head_type", "num_labels", "layers", "activation_function",
            "label2id", "use_pooler", "pooling");

    public HeadConfig {
        if (!headType.equals("classification") && !headType.equals("regression")) {
            throw new IllegalArgumentException("head_type must be classification or regression, got '" + headType + "'");
        }
        if (numLabels <= 0) {
            throw new IllegalArgumentException("num_labels must be positive, got " + numLabels);
        }
        if (layers != 2) {
            throw new IllegalArgumentException("only 2-layer heads (dense, tanh, out) are supported, got layers=" + layers);
        }
        label2id = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(label2id));
        extra = Map.copyOf(extra);
    }

    public static HeadConfig classification(Map<String, Integer> label2id) {
        return new HeadConfig("classification", label2id.size(), 2, "tanh", label2id, false, ClassificationHead.Pooling.FIRST_TOKEN,
                Map.of());
    }

    public static HeadConfig regression() {
        return new HeadConfig("regression", 1, 2, "tanh", Map.of(), false, ClassificationHead.Pooling.FIRST_TOKEN, Map.of());
    }

    public HeadConfig withPooling(ClassificationHead.Pooling p) {
        return new HeadConfig(headType, numLabels, layers, activationFunction, label2id, usePooler, p, extra);
    }

    public static HeadConfig fromJson(JsonNode node, String where) {
        ConfigJson c = new ConfigJson(node, where);
        String pooling = c.text("pooling", ClassificationHead.Pooling.FIRST_TOKEN.id());
        ClassificationHead.Pooling p;
        try {
            p = ClassificationHead.Pooling.parse(pooling);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": field 'pooling': " + e.getMessage(), e);
        }
        try {
            return new HeadConfig(c.requiredText("head_type"), c.integer("num_labels", 2), c.integer("layers", 2),
                    c.text("activation_function", "tanh"), c.stringToInt("label2id"), c.bool("use_pooler", false), p,
                    c.unknownFields(KNOWN));
        } catch (IllegalArgumentException e) {
            // The record's own checks (a value out of range) do not know the file: name it, as every other fault does.
            throw e.getMessage() != null && e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.MAPPER.createObjectNode();
        extra.forEach((k, v) -> o.set(k, v.deepCopy()));
        o.put("head_type", headType);
        o.put("num_labels", numLabels);
        o.put("layers", layers);
        o.put("activation_function", activationFunction);
        if (label2id.isEmpty()) {
            o.putNull("label2id");
        } else {
            ObjectNode l = o.putObject("label2id");
            label2id.forEach(l::put);
        }
        o.put("use_pooler", usePooler);
        if (pooling != ClassificationHead.Pooling.FIRST_TOKEN) {
            o.put("pooling", pooling.id());
        }
        return o;
    }
}
