package org.mera.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mera.io.ConfigJson;
import org.mera.io.Json;

/**
 * How a merged adapter was made: the method, the source adapters (in order), their weights and the method's
 * parameters (a parameter the method leaves unset is null). Written into adapter_config.json as the
 * {@code mera_merge} object.
 */
public record MergeProvenance(
        String method, List<String> sources, List<Double> weights, Map<String, String> parameters) {
    public static final String JSON_FIELD = "mera_merge";

    public MergeProvenance {
        sources = List.copyOf(sources);
        weights = List.copyOf(weights);
        parameters = java.util.Collections.unmodifiableMap(new TreeMap<>(parameters));
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.SORTED_PRETTY.createObjectNode();
        o.put("method", method);
        var s = o.putArray("sources");
        sources.forEach(s::add);
        var w = o.putArray("weights");
        weights.forEach(x -> w.add(ConfigJson.number(x)));
        ObjectNode p = o.putObject("parameters");
        parameters.forEach((k, v) -> ConfigJson.putText(p, k, v));
        return o;
    }

    public static MergeProvenance fromJson(JsonNode node, String where) {
        ConfigJson c = new ConfigJson(node, where);
        List<Double> weights = new ArrayList<>();
        if (c.has("weights")) {
            for (JsonNode w : node.get("weights")) {
                if (!w.isNumber()) {
                    throw new IllegalArgumentException(where + ": field 'weights' must hold numbers, got " + w);
                }
                weights.add(w.doubleValue());
            }
        }
        Map<String, String> params = new TreeMap<>();
        if (c.has("parameters")) {
            // a JSON null stays null: asText() would turn it into the string "null"
            node.get("parameters")
                    .properties()
                    .iterator()
                    .forEachRemaining(e -> params.put(
                            e.getKey(),
                            e.getValue().isNull() ? null : e.getValue().asText()));
        }
        return new MergeProvenance(c.requiredText("method"), c.texts("sources"), weights, params);
    }
}
