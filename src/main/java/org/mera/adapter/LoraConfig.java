package org.mera.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A PEFT LoRA config (adapter_config.json with {@code "peft_type": "LORA"}). Unmodelled fields are kept in
 * {@code extra} and written back unchanged.
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
        Map<String, JsonNode> extra) {

    private static final Set<String> KNOWN = Set.of("peft_type", "r", "lora_alpha", "lora_dropout", "target_modules",
            "use_rslora", "task_type", "bias", "fan_in_fan_out", "modules_to_save", "base_model_name_or_path",
            "use_dora");

    public LoraConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("LoRA rank r must be positive, got " + r);
        }
        targetModules = List.copyOf(targetModules);
        modulesToSave = List.copyOf(modulesToSave);
        extra = Map.copyOf(extra);
    }

    /** A config for BERT-style query/value LoRA for sequence classification. */
    public static LoraConfig of(int r, double loraAlpha, List<String> targetModules, String baseModelName) {
        return new LoraConfig(r, loraAlpha, 0.0, targetModules, false, "SEQ_CLS", "none", false, List.of(),
                baseModelName, false, Map.of());
    }

    /** The factor on B·A: lora_alpha / r, or lora_alpha / √r with rsLoRA. */
    public double scaling() {
        return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
    }

    public LoraConfig withRank(int newR, double newAlpha) {
        return new LoraConfig(newR, newAlpha, loraDropout, targetModules, false, taskType, bias, fanInFanOut,
                modulesToSave, baseModelName, useDora, extra);
    }

    public LoraConfig withTargetModules(List<String> modules) {
        return new LoraConfig(r, loraAlpha, loraDropout, modules, useRslora, taskType, bias, fanInFanOut,
                modulesToSave, baseModelName, useDora, extra);
    }

    public static LoraConfig fromJson(JsonNode node, String where) {
        ConfigJson c = new ConfigJson(node, where);
        String peftType = c.requiredText("peft_type");
        if (!peftType.equals("LORA")) {
            throw new IllegalArgumentException(where + ": field 'peft_type' is '" + peftType + "', expected 'LORA'");
        }
        try {
            return new LoraConfig(c.requiredInteger("r"), c.number("lora_alpha", 8), c.number("lora_dropout", 0),
                    c.texts("target_modules"), c.bool("use_rslora", false), c.text("task_type", null),
                    c.text("bias", "none"), c.bool("fan_in_fan_out", false), c.texts("modules_to_save"),
                    c.text("base_model_name_or_path", null), c.bool("use_dora", false), c.unknownFields(KNOWN));
        } catch (IllegalArgumentException e) {
            // The record's own checks (a value out of range) do not know the file: name it, as every other fault does.
            throw e.getMessage() != null && e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.MAPPER.createObjectNode();
        extra.forEach((k, v) -> o.set(k, v.deepCopy()));
        o.put("peft_type", "LORA");
        o.put("r", r);
        if (loraAlpha == Math.rint(loraAlpha)) {
            o.put("lora_alpha", (long) loraAlpha);
        } else {
            o.put("lora_alpha", loraAlpha);
        }
        o.put("lora_dropout", loraDropout);
        var tm = o.putArray("target_modules");
        targetModules.forEach(tm::add);
        o.put("use_rslora", useRslora);
        if (taskType == null) {
            o.putNull("task_type");
        } else {
            o.put("task_type", taskType);
        }
        o.put("bias", bias);
        o.put("fan_in_fan_out", fanInFanOut);
        if (modulesToSave.isEmpty()) {
            o.putNull("modules_to_save");
        } else {
            var ms = o.putArray("modules_to_save");
            modulesToSave.forEach(ms::add);
        }
        if (baseModelName == null) {
            o.putNull("base_model_name_or_path");
        } else {
            o.put("base_model_name_or_path", baseModelName);
        }
        o.put("use_dora", useDora);
        return o;
    }
}
