package org.mera.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.mera.io.ConfigJson;
import org.mera.io.Json;
import org.mera.model.ClassificationHead;

/**
 * An AdapterHub prediction head config ({@code "config"} of head_config.json): {@code layers} dense layers with
 * {@code activation_function} between them, on the first token. AdapterHub has no regression head type: a
 * regression head is a classification head with one label ({@code num_labels} 1, MSE loss), which is what
 * {@link #regression()} writes; mera's earlier {@code "head_type": "regression"} is still read.
 * mera adds {@code "pooling": "mean"} for heads on the mean of the token states (AdapterHub's heads have no
 * such option); it is written only then, so first-token heads stay exactly AdapterHub's.
 */
public record HeadConfig(
        String headType,
        int numLabels,
        int layers,
        String activationFunction,
        Map<String, Integer> label2id,
        boolean usePooler,
        ClassificationHead.Pooling pooling,
        Map<String, JsonNode> extra) {

    private static final Set<String> KNOWN =
            Set.of("head_type", "num_labels", "layers", "activation_function", "label2id", "use_pooler", "pooling");
    /** What AdapterHub's ClassificationHead writes besides the fields above; "bias": false is refused (see fromJson). */
    public static final String BIAS = "bias";

    public HeadConfig {
        if (!headType.equals("classification") && !headType.equals("regression")) {
            throw new IllegalArgumentException("field 'head_type' is '" + headType
                    + "': only classification heads (and mera's older regression type) are supported");
        }
        if (numLabels <= 0) {
            throw new IllegalArgumentException("num_labels must be positive, got " + numLabels);
        }
        if (layers != 2) {
            throw new IllegalArgumentException(
                    "field 'layers' is " + layers + ": only 2-layer heads (dense, tanh, out) are supported");
        }
        label2id = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(label2id));
        extra = Map.copyOf(extra);
    }

    public static HeadConfig classification(Map<String, Integer> label2id) {
        return new HeadConfig(
                "classification",
                label2id.size(),
                2,
                "tanh",
                label2id,
                false,
                ClassificationHead.Pooling.FIRST_TOKEN,
                Map.of());
    }

    /** AdapterHub's regression head: a classification head with one output, labelled as the library labels it. */
    public static HeadConfig regression() {
        return new HeadConfig(
                "classification",
                1,
                2,
                "tanh",
                Map.of("LABEL_0", 0),
                false,
                ClassificationHead.Pooling.FIRST_TOKEN,
                Map.of());
    }

    /** One output read as a value: AdapterHub's one-label classification head, or mera's older "regression" type. */
    public boolean isRegression() {
        return headType.equals("regression") || numLabels == 1;
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
        if (c.has(BIAS) && !c.bool(BIAS, true)) {
            throw new IllegalArgumentException(
                    where + ": field 'bias' is false; heads without biases are not supported");
        }
        String activation = c.text("activation_function", "tanh");
        if (!activation.equals("tanh")) {
            throw new IllegalArgumentException(
                    where + ": field 'activation_function' is '" + activation + "'; only tanh heads are supported");
        }
        try {
            return new HeadConfig(
                    c.requiredText("head_type"),
                    c.integer("num_labels", 2),
                    c.integer("layers", 2),
                    activation,
                    c.stringToInt("label2id"),
                    c.bool("use_pooler", false),
                    p,
                    c.unknownFields(KNOWN));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) {
                throw e;
            }
            // head_type (multilabel_classification, tagging, ...), num_labels or layers mera cannot compute, or a value
            // out of range: the record's own checks do not know the file, so name it, as every other fault does
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.SORTED_PRETTY.createObjectNode();
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
