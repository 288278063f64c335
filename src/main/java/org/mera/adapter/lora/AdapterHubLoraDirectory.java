package org.mera.adapter.lora;

import static org.mera.adapter.AdapterHubFormat.CONFIG;
import static org.mera.adapter.AdapterHubFormat.FORMAT_VERSION;
import static org.mera.adapter.AdapterHubFormat.SAFETENSORS_METADATA;
import static org.mera.adapter.AdapterHubFormat.WEIGHTS;
import static org.mera.adapter.AdapterHubFormat.adapterWeightsFile;
import static org.mera.adapter.AdapterHubFormat.olderThan;
import static org.mera.adapter.AdapterHubFormat.putNullable;
import static org.mera.adapter.AdapterHubFormat.readTensors;
import static org.mera.adapter.AdapterHubFormat.writeHead;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.PredictionHead;
import org.mera.io.AtomicFiles;
import org.mera.io.ConfigJson;
import org.mera.io.Json;
import org.mera.io.SafeTensors;
import org.mera.io.Tensor;

/**
 * An AdapterHub LoRA directory ({@code LoRAConfig}, {@code "architecture": "lora"}): the same files as a bottleneck
 * adapter ({@link org.mera.adapter.AdapterHubFormat}), read into and written from mera's PEFT-shaped {@link LoraWeights}.
 */
public final class AdapterHubLoraDirectory {
    private static final Map<String, String> ATTN_MATRICES = Map.of("q", "query", "k", "key", "v", "value");

    private AdapterHubLoraDirectory() {}

    /** Whether {@code dir} holds an AdapterHub LoRA ({@code "architecture": "lora"} in its adapter_config.json). */
    public static boolean isLora(Path dir) throws IOException {
        JsonNode cfg = ConfigJson.readTree(dir.resolve(CONFIG)).get("config");
        return cfg != null
                && cfg.has("architecture")
                && "lora".equals(cfg.get("architecture").asText());
    }

    /**
     * An AdapterHub LoRA ({@code LoRAConfig}: keys {@code <prefix>encoder.layer.{i}.attention.self.{query,value}.loras.
     * {name}.lora_A} [r,H] / {@code lora_B} [H,r], update {@code alpha / r · B·A}) as mera's {@link LoraWeights}, whose
     * module paths are PEFT's ({@code base_model.model.<prefix>encoder...}). Settings mera does not compute (LoRA on
     * the feed-forward layers, gating, DoRA, VeRA, composition other than add, leave_out) are refused by key and
     * value. Files that {@code adapters} before 1.1 wrote with r ≠ alpha are read with alpha = r, as {@code adapters}
     * itself reads them (its {@code _fix_backward_compat}: those versions trained with that scaling).
     */
    public static LoraWeights readLora(Path dir) throws IOException {
        Path cfgFile = dir.resolve(CONFIG);
        JsonNode root = ConfigJson.readTree(cfgFile);
        ConfigJson top = new ConfigJson(root, cfgFile.toString());
        String name = top.requiredText("name");
        ConfigJson c = new ConfigJson(root.get("config"), cfgFile + " (config)");
        String where = cfgFile + " (config)";
        requireLora(where, "selfattn_lora", c.bool("selfattn_lora", true), true);
        requireLora(where, "intermediate_lora", c.bool("intermediate_lora", false), false);
        requireLora(where, "output_lora", c.bool("output_lora", false), false);
        requireLora(where, "use_gating", c.bool("use_gating", false), false);
        requireLora(where, "use_dora", c.bool("use_dora", false), false);
        String mode = c.text("composition_mode", "add");
        if (!mode.equals("add")) {
            throw new IllegalArgumentException(
                    where + ": field 'composition_mode' is '" + mode + "': not supported by mera (only add)");
        }
        for (String vera : List.of("vera_d", "vera_b")) {
            if (c.has(vera)) {
                throw new IllegalArgumentException(
                        where + ": field '" + vera + "' is " + c.node().get(vera) + ": not supported by mera (VeRA)");
            }
        }
        if (!c.integers("leave_out").isEmpty()) {
            throw new IllegalArgumentException(where + ": field 'leave_out' is "
                    + c.node().get("leave_out") + ": not supported by mera (LoRA must be on every layer)");
        }
        List<String> targets = new ArrayList<>();
        for (String m : c.texts("attn_matrices").isEmpty() && !c.has("attn_matrices")
                ? List.of("q", "v")
                : c.texts("attn_matrices")) {
            if (!m.equals("q") && !m.equals("v")) {
                throw new IllegalArgumentException(where + ": field 'attn_matrices' is "
                        + c.node().get("attn_matrices") + ": not supported by mera (only q and v)");
            }
            targets.add(ATTN_MATRICES.get(m));
        }
        int r = c.integer("r", 8);
        double alpha = c.number("alpha", 8);
        String version = top.text("version", null);
        if (alpha != r
                && version != null
                && version.startsWith("adapters.")
                && olderThan(version.substring("adapters.".length()), 1, 1)) {
            System.err.println(
                    "mera: notice: " + cfgFile + " was written by " + version + " with alpha " + alpha + " != r " + r
                            + "; reading it with alpha = r, the scaling it was trained with (as adapters >= 1.1 does)");
            alpha = r;
        }
        LoraConfig config = new LoraConfig(
                r,
                alpha,
                c.number("dropout", 0.0),
                targets,
                false,
                "SEQ_CLS",
                "none",
                false,
                List.of(),
                top.text("model_name", null),
                false,
                Map.of(),
                Map.of(),
                Map.of());
        Path weightsFile = adapterWeightsFile(dir);
        Map<String, Tensor> peft = new LinkedHashMap<>();
        String marker = ".loras." + name + ".";
        for (Map.Entry<String, Tensor> e : readTensors(weightsFile).entrySet()) {
            String k = e.getKey();
            int at = k.indexOf(marker);
            String matrix = at < 0 ? "" : k.substring(at + marker.length());
            if (at < 0 || !(matrix.equals("lora_A") || matrix.equals("lora_B"))) {
                throw new IllegalArgumentException(
                        weightsFile + ": tensor '" + k + "' is not a LoRA factor of adapter '" + name
                                + "' (expected ...attention.self.{query,value}" + marker + "{lora_A,lora_B})");
            }
            peft.put("base_model.model." + k.substring(0, at) + "." + matrix + ".weight", e.getValue());
        }
        return LoraWeights.fromTensors(name, config, peft, null, weightsFile.toString());
    }

    private static void requireLora(String where, String key, boolean value, boolean required) {
        if (value != required) {
            throw new IllegalArgumentException(
                    where + ": field '" + key + "' is " + value + ": not supported by mera (LoRA on "
                            + "the self-attention query/value only, without gating or DoRA)");
        }
    }

    /**
     * Writes a LoRA as AdapterHub's {@code LoRAConfig} adapter (and, when given, its head): the inverse of
     * {@link #readLora}. The module paths must be PEFT's {@code base_model.model.<prefix>encoder.layer.{i}.attention.self.
     * {query,value}}; rsLoRA (scaling alpha/√r) has no AdapterHub equivalent and is refused.
     */
    public static void writeLora(Path dir, LoraWeights lora, EncoderInfo encoder, PredictionHead head)
            throws IOException {
        LoraConfig c = lora.config();
        if (c.useRslora() || c.useDora()) {
            throw new IllegalArgumentException(
                    "LoRA " + lora.name() + ": use_rslora / use_dora have no AdapterHub LoRAConfig equivalent");
        }
        ObjectNode cfg = Json.SORTED_PRETTY.createObjectNode();
        cfg.put("architecture", "lora");
        cfg.put("selfattn_lora", true);
        cfg.put("intermediate_lora", false);
        cfg.put("output_lora", false);
        cfg.putArray("leave_out");
        cfg.put("r", c.r());
        if (c.loraAlpha() == Math.rint(c.loraAlpha())) {
            cfg.put("alpha", (long) c.loraAlpha());
        } else {
            cfg.put("alpha", c.loraAlpha());
        }
        cfg.put("dropout", c.loraDropout());
        var matrices = cfg.putArray("attn_matrices");
        for (String t : c.targetModules()) {
            switch (t) {
                case "query" -> matrices.add("q");
                case "value" -> matrices.add("v");
                case "key" -> matrices.add("k");
                default ->
                    throw new IllegalArgumentException("LoRA " + lora.name() + ": target module '" + t
                            + "' is not an AdapterHub attention matrix (query, key, value)");
            }
        }
        cfg.put("composition_mode", "add");
        cfg.put("init_weights", "lora");
        cfg.putNull("init_weights_seed");
        cfg.put("use_gating", false);
        cfg.put("use_dora", false);
        cfg.putNull("vera_d");
        cfg.putNull("vera_b");
        cfg.putNull("dtype");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (LoraModule m : lora.modules()) {
            String path = m.path();
            if (!path.startsWith("base_model.model.")) {
                throw new IllegalArgumentException(
                        "LoRA " + lora.name() + ": module '" + path + "' is not under base_model.model.");
            }
            String module = path.substring("base_model.model.".length());
            tensors.put(module + ".loras." + lora.name() + ".lora_A", m.a());
            tensors.put(module + ".loras." + lora.name() + ".lora_B", m.b());
        }
        ObjectNode root = Json.SORTED_PRETTY.createObjectNode();
        root.set("config", cfg);
        root.put("hidden_size", encoder.hiddenSize());
        putNullable(root, "model_class", encoder.modelClass());
        putNullable(root, "model_name", encoder.modelName());
        putNullable(root, "model_type", encoder.modelType());
        root.put("name", lora.name());
        root.put("version", FORMAT_VERSION);
        Files.createDirectories(dir);
        SafeTensors.write(dir.resolve(WEIGHTS), tensors, SAFETENSORS_METADATA);
        if (head != null) {
            writeHead(dir, head, encoder);
        }
        AtomicFiles.writeString(dir.resolve(CONFIG), ConfigJson.toSortedJson(root));
    }
}
