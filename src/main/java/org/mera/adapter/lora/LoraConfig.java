package org.mera.adapter.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mera.io.ConfigJson;
import org.mera.io.Json;

/**
 * A PEFT LoRA config (adapter_config.json with {@code "peft_type": "LORA"}). Unmodelled fields are kept in
 * {@code extra} and written back unchanged. {@code rankPattern} and {@code alphaPattern} are PEFT's per-module
 * exceptions to r and lora_alpha: a key is a regular expression matched, as PEFT's {@code get_pattern_key}
 * does, against the end of a module's name ({@code (.*\.)?(KEY)$}); the first matching key wins.
 */
public record LoraConfig(
        int r,
        double loraAlpha,
        double loraDropout,
        List<String> targetModules,
        boolean useRslora,
        String taskType,
        String bias,
        boolean fanInFanOut,
        List<String> modulesToSave,
        String baseModelName,
        boolean useDora,
        Map<String, Integer> rankPattern,
        Map<String, Double> alphaPattern,
        Map<String, JsonNode> extra) {

    private static final Set<String> KNOWN = Set.of(
            "peft_type",
            "r",
            "lora_alpha",
            "lora_dropout",
            "target_modules",
            "use_rslora",
            "task_type",
            "bias",
            "fan_in_fan_out",
            "modules_to_save",
            "base_model_name_or_path",
            "use_dora",
            "rank_pattern",
            "alpha_pattern");
    /** PEFT's task types whose model wraps the encoder ({@code bert.…} keys) and has modules_to_save heads. */
    public static final String SEQ_CLS = "SEQ_CLS";
    /** PEFT's task type for the bare encoder ({@code AutoModel}: keys without a model prefix). */
    public static final String FEATURE_EXTRACTION = "FEATURE_EXTRACTION";

    public LoraConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("LoRA rank r must be positive, got " + r);
        }
        targetModules = List.copyOf(targetModules);
        modulesToSave = List.copyOf(modulesToSave);
        rankPattern = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(rankPattern));
        alphaPattern = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(alphaPattern));
        rankPattern.forEach((k, v) -> {
            if (v <= 0) {
                throw new IllegalArgumentException(
                        "rank_pattern gives module '" + k + "' rank " + v + "; ranks must be positive");
            }
        });
        extra = Map.copyOf(extra);
    }

    /** A config for BERT-style query/value LoRA for sequence classification. */
    public static LoraConfig of(int r, double loraAlpha, List<String> targetModules, String baseModelName) {
        return new LoraConfig(
                r,
                loraAlpha,
                0.0,
                targetModules,
                false,
                SEQ_CLS,
                "none",
                false,
                List.of(),
                baseModelName,
                false,
                Map.of(),
                Map.of(),
                Map.of());
    }

    /** The factor on B·A for modules without a pattern: lora_alpha / r, or lora_alpha / √r with rsLoRA. */
    public double scaling() {
        return scaling(r, loraAlpha);
    }

    private double scaling(int rank, double alpha) {
        return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    /** The pattern key PEFT's {@code get_pattern_key} picks for {@code moduleName}, or null. */
    static String patternKey(java.util.Set<String> keys, String moduleName) {
        for (String key : keys) {
            if (java.util.regex.Pattern.compile("(.*\\.)?(" + key + ")$")
                    .matcher(moduleName)
                    .matches()) {
                return key;
            }
        }
        return null;
    }

    /**
     * The rank of the module called {@code moduleName} in the PEFT model (e.g.
     * {@code bert.encoder.layer.1.attention.self.query}): its rank_pattern entry, else r.
     */
    public int rank(String moduleName) {
        String k = patternKey(rankPattern.keySet(), moduleName);
        return k == null ? r : rankPattern.get(k);
    }

    /** The lora_alpha of the module called {@code moduleName}: its alpha_pattern entry, else lora_alpha. */
    public double alpha(String moduleName) {
        String k = patternKey(alphaPattern.keySet(), moduleName);
        return k == null ? loraAlpha : alphaPattern.get(k);
    }

    /** The factor on B·A of the module called {@code moduleName}, with its own rank and alpha. */
    public double scaling(String moduleName) {
        return scaling(rank(moduleName), alpha(moduleName));
    }

    public LoraConfig withRank(int newR, double newAlpha) {
        return new LoraConfig(
                newR,
                newAlpha,
                loraDropout,
                targetModules,
                false,
                taskType,
                bias,
                fanInFanOut,
                modulesToSave,
                baseModelName,
                useDora,
                Map.of(),
                Map.of(),
                extra);
    }

    /** The same config with per-module exceptions to r and lora_alpha. */
    public LoraConfig withPatterns(Map<String, Integer> ranks, Map<String, Double> alphas) {
        return new LoraConfig(
                r,
                loraAlpha,
                loraDropout,
                targetModules,
                useRslora,
                taskType,
                bias,
                fanInFanOut,
                modulesToSave,
                baseModelName,
                useDora,
                ranks,
                alphas,
                extra);
    }

    public LoraConfig withTargetModules(List<String> modules) {
        return new LoraConfig(
                r,
                loraAlpha,
                loraDropout,
                modules,
                useRslora,
                taskType,
                bias,
                fanInFanOut,
                modulesToSave,
                baseModelName,
                useDora,
                rankPattern,
                alphaPattern,
                extra);
    }

    /** The same adapter for another PEFT task type and modules_to_save (e.g. a merge, which has no head). */
    public LoraConfig withTask(String newTaskType, List<String> newModulesToSave) {
        return new LoraConfig(
                r,
                loraAlpha,
                loraDropout,
                targetModules,
                useRslora,
                newTaskType,
                bias,
                fanInFanOut,
                newModulesToSave,
                baseModelName,
                useDora,
                rankPattern,
                alphaPattern,
                extra);
    }

    /** Whether PEFT wraps a task model for this task type, so that encoder keys carry the model prefix. */
    public boolean wrapsTaskModel() {
        return taskType != null && !taskType.equals(FEATURE_EXTRACTION);
    }

    public static LoraConfig fromJson(JsonNode node, String where) {
        ConfigJson c = new ConfigJson(node, where);
        String peftType = c.requiredText("peft_type");
        if (!peftType.equals("LORA")) {
            throw new IllegalArgumentException(where + ": field 'peft_type' is '" + peftType + "', expected 'LORA'");
        }
        try {
            return new LoraConfig(
                    c.requiredInteger("r"),
                    c.number("lora_alpha", 8),
                    c.number("lora_dropout", 0),
                    c.texts("target_modules"),
                    c.bool("use_rslora", false),
                    c.text("task_type", null),
                    c.text("bias", "none"),
                    c.bool("fan_in_fan_out", false),
                    c.texts("modules_to_save"),
                    c.text("base_model_name_or_path", null),
                    c.bool("use_dora", false),
                    c.stringToInt("rank_pattern"),
                    numbers(c, "alpha_pattern"),
                    c.unknownFields(KNOWN));
        } catch (IllegalArgumentException e) {
            // The record's own checks (a value out of range) do not know the file: name it, as every other fault does.
            throw e.getMessage() != null && e.getMessage().startsWith(where)
                    ? e
                    : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Double> numbers(ConfigJson c, String field) {
        if (!c.has(field)) {
            return Map.of();
        }
        JsonNode v = c.node().get(field);
        if (!v.isObject()) {
            throw new IllegalArgumentException(
                    c.where() + ": field '" + field + "' must be an object of numbers, got " + v);
        }
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        v.properties().iterator().forEachRemaining(e -> {
            if (!e.getValue().isNumber()) {
                throw new IllegalArgumentException(c.where() + ": field '" + field + "' entry '" + e.getKey()
                        + "' must be a number, got " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().doubleValue());
        });
        return out;
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.SORTED_PRETTY.createObjectNode();
        extra.forEach((k, v) -> o.set(k, v.deepCopy()));
        o.put("peft_type", "LORA");
        o.put("r", r);
        o.set("lora_alpha", ConfigJson.number(loraAlpha));
        o.set("lora_dropout", ConfigJson.number(loraDropout));
        ObjectNode rp = o.putObject("rank_pattern");
        rankPattern.forEach(rp::put);
        ObjectNode ap = o.putObject("alpha_pattern");
        alphaPattern.forEach((k, v) -> ap.set(k, ConfigJson.number(v)));
        var tm = o.putArray("target_modules");
        targetModules.forEach(tm::add);
        o.put("use_rslora", useRslora);
        ConfigJson.putText(o, "task_type", taskType);
        o.put("bias", bias);
        o.put("fan_in_fan_out", fanInFanOut);
        if (modulesToSave.isEmpty()) {
            o.putNull("modules_to_save");
        } else {
            var ms = o.putArray("modules_to_save");
            modulesToSave.forEach(ms::add);
        }
        ConfigJson.putText(o, "base_model_name_or_path", baseModelName);
        o.put("use_dora", useDora);
        return o;
    }
}
