package org.mera.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Typed access to JSON config fields with errors that name the file and the field, plus sorted-key
 * output as AdapterHub writes it. Shared by the adapter config records and the directory readers.
 */
public final class ConfigJson {
    /** The mapper of config files (indented, keys sorted); the same object as {@link Json#SORTED_PRETTY}. */
    public static final ObjectMapper MAPPER = Json.SORTED_PRETTY;

    private final JsonNode node;
    private final String where;

    /** @param where names the file (and object) the node came from, for error messages */
    public ConfigJson(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(
                    where + ": expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
        }
        this.node = node;
        this.where = where;
    }

    public JsonNode node() {
        return node;
    }

    public String where() {
        return where;
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    private IllegalArgumentException bad(String field, String expected) {
        return new IllegalArgumentException(
                where + ": field '" + field + "' must be " + expected + ", got " + node.get(field));
    }

    public boolean bool(String field, boolean fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode v = node.get(field);
        if (!v.isBoolean()) {
            throw bad(field, "true or false");
        }
        return v.booleanValue();
    }

    public double number(String field, double fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode v = node.get(field);
        // 1e309 parses as Infinity: a number JSON can write but no config value can be.
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw bad(field, "a finite number");
        }
        return v.doubleValue();
    }

    public int integer(String field, int fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode v = node.get(field);
        if (!isInt(v)) {
            throw bad(field, "an integer (at most " + Integer.MAX_VALUE + " in size)");
        }
        return v.intValue();
    }

    /**
     * A whole number an int holds: 2147483648 would wrap to a negative int and 1e309 (Infinity) to the largest one, each a
     * silently different value, so both are refused.
     */
    private static boolean isInt(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.canConvertToInt();
        }
        double d = v.isNumber() ? v.doubleValue() : Double.NaN;
        return Double.isFinite(d) && d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE;
    }

    public int requiredInteger(String field) {
        if (!has(field)) {
            throw new IllegalArgumentException(where + ": missing required field '" + field + "'");
        }
        return integer(field, 0);
    }

    public String text(String field, String fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode v = node.get(field);
        if (!v.isTextual()) {
            throw bad(field, "a string");
        }
        return v.textValue();
    }

    public String requiredText(String field) {
        if (!has(field)) {
            throw new IllegalArgumentException(where + ": missing required field '" + field + "'");
        }
        return text(field, null);
    }

    /** A list of strings; a single string is accepted as a one-element list (PEFT allows a regex string). */
    public List<String> texts(String field) {
        if (!has(field)) {
            return List.of();
        }
        JsonNode v = node.get(field);
        if (v.isTextual()) {
            return List.of(v.textValue());
        }
        if (!v.isArray()) {
            throw bad(field, "a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw bad(field, "a list of strings");
            }
            out.add(e.textValue());
        }
        return List.copyOf(out);
    }

    public List<Integer> integers(String field) {
        if (!has(field)) {
            return List.of();
        }
        JsonNode v = node.get(field);
        if (!v.isArray()) {
            throw bad(field, "a list of integers");
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                throw bad(field, "a list of integers");
            }
            out.add(e.intValue());
        }
        return List.copyOf(out);
    }

    public Map<String, Integer> stringToInt(String field) {
        if (!has(field)) {
            return Map.of();
        }
        JsonNode v = node.get(field);
        if (!v.isObject()) {
            throw bad(field, "an object of integers");
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isIntegralNumber() || !e.getValue().canConvertToInt()) {
                throw bad(field, "an object of integers");
            }
            out.put(e.getKey(), e.getValue().intValue());
        }
        return Collections.unmodifiableMap(out);
    }

    /** The fields not in {@code known}, kept so that a read → write round trip preserves them. */
    public Map<String, JsonNode> unknownFields(Set<String> known) {
        Map<String, JsonNode> out = new TreeMap<>();
        node.properties().iterator().forEachRemaining(e -> {
            if (!known.contains(e.getKey())) {
                out.put(e.getKey(), e.getValue().deepCopy());
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /**
     * The JSON number for a value mera holds as a float (a hyper-parameter, a merge weight) but passes around
     * as a double: {@code 0.1f} widened is 0.10000000149011612, which Python then reads as that, not 0.1. A
     * double that is exactly a float is written as the float's shortest decimal; integral values as integers
     * (PEFT writes {@code lora_alpha: 16}); any other double as it is.
     */
    public static JsonNode number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("JSON has no number for " + value);
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return MAPPER.getNodeFactory().numberNode((long) value);
        }
        if ((double) (float) value == value) {
            return MAPPER.getNodeFactory().numberNode(new java.math.BigDecimal(Float.toString((float) value)));
        }
        return MAPPER.getNodeFactory().numberNode(value);
    }

    /** {@code field: value}, or {@code field: null} (the JSON null, never the string "null") when value is null. */
    public static void putText(ObjectNode o, String field, String value) {
        if (value == null) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }

    /** A deep copy of {@code node} with object keys in sorted order (AdapterHub writes sort_keys=True). */
    public static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = MAPPER.createObjectNode();
            TreeMap<String, JsonNode> fields = new TreeMap<>();
            node.properties().iterator().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
            fields.forEach((k, v) -> out.set(k, sorted(v)));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = MAPPER.createArrayNode();
            node.forEach(e -> out.add(sorted(e)));
            return out;
        }
        return node.deepCopy();
    }

    public static String toSortedJson(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(sorted(node)) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise JSON", e);
        }
    }

    /** The JSON tree of a config file; errors name the file (missing, or not valid JSON). */
    public static JsonNode readTree(java.nio.file.Path file) throws java.io.IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "config file missing");
        }
        try {
            return MAPPER.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
