package org.mera.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mera.adapter.AdapterWeights;
import org.mera.adapter.BottleneckConfig;
import org.mera.adapter.ConfigJson;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.HeadConfig;
import org.mera.adapter.LoraConfig;
import org.mera.adapter.LoraModule;
import org.mera.adapter.LoraWeights;
import org.mera.adapter.MergeProvenance;
import org.mera.adapter.PredictionHead;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An AdapterHub adapter directory as {@code model.save_adapter(dir, name)} writes it:
 * {@code adapter_config.json} + weights, and optionally {@code head_config.json} + head weights. adapter_config.json
 * is {@code {"config": {...}, "hidden_size", "model_class", "model_name", "model_type", "name", "version"}} with
 * sorted keys; unknown fields are ignored on reading. A merged adapter also carries {@code mera_merge}.
 *
 * <p>Weights are read from {@code adapter.safetensors} / {@code model_head.safetensors} (what
 * {@code save_adapter(..., use_safetensors=True)} writes) or else from {@code pytorch_adapter.bin} /
 * {@code pytorch_model_head.bin} (the library's default, and how the pretrained adapters on AdapterHub are
 * distributed) through the restricted {@link TorchPickle} reader. mera writes safetensors only, so
 * {@code adapters} must load its directories with {@code use_safetensors=True}. Adapter configs whose
 * computation mera does not model are refused on reading ({@link BottleneckConfig#checkSupported}).
 */
public final class AdapterHubDirectory {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter.safetensors";
    public static final String TORCH_WEIGHTS = "pytorch_adapter.bin";
    public static final String HEAD_CONFIG = "head_config.json";
    public static final String HEAD_WEIGHTS = "model_head.safetensors";
    public static final String TORCH_HEAD_WEIGHTS = "pytorch_model_head.bin";
    /**
     * The {@code version} written: {@code adapters} writes {@code "adapters." + __version__}, and from 1.1 its
     * loader parses the field as a string (a null crashes {@code _fix_backward_compat}). mera writes the files in
     * the layout of this release, so it names it whatever version a read file carried.
     */
    public static final String FORMAT_VERSION = "adapters.1.2.0";
    private static final Map<String, String> SAFETENSORS_METADATA = Map.of("format", "pt");

    private AdapterHubDirectory() {
    }

    /** Whether {@code dir} looks like an AdapterHub adapter (adapter_config.json without a PEFT type). */
    public static boolean isAdapterHub(Path dir) throws IOException {
        Path cfg = dir.resolve(CONFIG);
        if (!Files.isRegularFile(cfg)) {
            return false;
        }
        return !readJson(cfg).has("peft_type");
    }

    public static AdapterWeights read(Path dir) throws IOException {
        Path cfgFile = dir.resolve(CONFIG);
        JsonNode root = readJson(cfgFile);
        ConfigJson top = new ConfigJson(root, cfgFile.toString());
        String name = top.requiredText("name");
        if (!top.has("config")) {
            throw new IllegalArgumentException(cfgFile + ": missing required field 'config'");
        }
        JsonNode cfgNode = root.get("config");
        String arch = cfgNode.has("architecture") && !cfgNode.get("architecture").isNull()
                ? cfgNode.get("architecture").asText() : "bottleneck";
        if (!arch.equals("bottleneck")) {
            throw new IllegalArgumentException(cfgFile + ": field 'config.architecture' is '" + arch
                    + "'; only bottleneck adapters are supported");
        }
        BottleneckConfig config = BottleneckConfig.fromJson(cfgNode, cfgFile + " (config)");
        EncoderInfo encoder = new EncoderInfo(top.text("model_name", null), top.text("model_type", null),
                top.text("model_class", null), top.requiredInteger("hidden_size"));
        MergeProvenance merge = top.has(MergeProvenance.JSON_FIELD)
                ? MergeProvenance.fromJson(root.get(MergeProvenance.JSON_FIELD), cfgFile + " (" + MergeProvenance.JSON_FIELD + ")")
                : null;
        try {
            config.checkSupported();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(cfgFile + " (config): " + e.getMessage(), e);
        }
        Path weightsFile = adapterWeightsFile(dir);
        Map<String, Tensor> tensors = readTensors(weightsFile);
        JsonNode inv = config.extra().get("inv_adapter");
        if (inv != null && !inv.isNull() && tensors.keySet().stream().anyMatch(k -> k.contains("invertible_adapters"))) {
            // Without the weights the setting is a leftover of the old task-adapter configs, which adapters drops too.
            throw new IllegalArgumentException(cfgFile + " (config): field 'inv_adapter' is " + inv
                    + " and " + weightsFile + " holds its weights: invertible adapters are not supported by mera");
        }
        return AdapterWeights.fromTensors(name, config, encoder, top.text("version", null), tensors, merge,
                weightsFile.toString());
    }

    /** Whether {@code dir} holds an AdapterHub LoRA ({@code "architecture": "lora"} in its adapter_config.json). */
    public static boolean isLora(Path dir) throws IOException {
        JsonNode cfg = readJson(dir.resolve(CONFIG)).get("config");
        return cfg != null && cfg.has("architecture") && "lora".equals(cfg.get("architecture").asText());
    }

    private static final Map<String, String> ATTN_MATRICES = Map.of("q", "query", "k", "key", "v", "value");

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
        JsonNode root = readJson(cfgFile);
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
            throw new IllegalArgumentException(where + ": field 'composition_mode' is '" + mode + "': not supported by mera (only add)");
        }
        for (String vera : List.of("vera_d", "vera_b")) {
            if (c.has(vera)) {
                throw new IllegalArgumentException(where + ": field '" + vera + "' is " + c.node().get(vera)
                        + ": not supported by mera (VeRA)");
            }
        }
        if (!c.integers("leave_out").isEmpty()) {
            throw new IllegalArgumentException(where + ": field 'leave_out' is " + c.node().get("leave_out")
                    + ": not supported by mera (LoRA must be on every layer)");
        }
        List<String> targets = new ArrayList<>();
        for (String m : c.texts("attn_matrices").isEmpty() && !c.has("attn_matrices") ? List.of("q", "v") : c.texts("attn_matrices")) {
            if (!m.equals("q") && !m.equals("v")) {
                throw new IllegalArgumentException(where + ": field 'attn_matrices' is " + c.node().get("attn_matrices")
                        + ": not supported by mera (only q and v)");
            }
            targets.add(ATTN_MATRICES.get(m));
        }
        int r = c.integer("r", 8);
        double alpha = c.number("alpha", 8);
        String version = top.text("version", null);
        if (alpha != r && version != null && version.startsWith("adapters.") && olderThan(version.substring("adapters.".length()), 1, 1)) {
            System.err.println("mera: notice: " + cfgFile + " was written by " + version + " with alpha " + alpha + " != r " + r
                    + "; reading it with alpha = r, the scaling it was trained with (as adapters >= 1.1 does)");
            alpha = r;
        }
        LoraConfig config = new LoraConfig(r, alpha, c.number("dropout", 0.0), targets, false, "SEQ_CLS", "none", false,
                List.of(), top.text("model_name", null), false, Map.of(), Map.of(), Map.of());
        Path weightsFile = adapterWeightsFile(dir);
        Map<String, Tensor> peft = new LinkedHashMap<>();
        String marker = ".loras." + name + ".";
        for (Map.Entry<String, Tensor> e : readTensors(weightsFile).entrySet()) {
            String k = e.getKey();
            int at = k.indexOf(marker);
            String matrix = at < 0 ? "" : k.substring(at + marker.length());
            if (at < 0 || !(matrix.equals("lora_A") || matrix.equals("lora_B"))) {
                throw new IllegalArgumentException(weightsFile + ": tensor '" + k + "' is not a LoRA factor of adapter '" + name
                        + "' (expected ...attention.self.{query,value}" + marker + "{lora_A,lora_B})");
            }
            peft.put("base_model.model." + k.substring(0, at) + "." + matrix + ".weight", e.getValue());
        }
        return LoraWeights.fromTensors(name, config, peft, null, weightsFile.toString());
    }

    private static void requireLora(String where, String key, boolean value, boolean required) {
        if (value != required) {
            throw new IllegalArgumentException(where + ": field '" + key + "' is " + value + ": not supported by mera (LoRA on "
                    + "the self-attention query/value only, without gating or DoRA)");
        }
    }

    /** Whether a dotted version such as {@code 1.0.1} is below major.minor. */
    static boolean olderThan(String version, int major, int minor) {
        String[] p = version.split("[.+-]");
        try {
            int ma = Integer.parseInt(p[0]);
            int mi = p.length > 1 ? Integer.parseInt(p[1]) : 0;
            return ma < major || (ma == major && mi < minor);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Writes a LoRA as AdapterHub's {@code LoRAConfig} adapter (and, when given, its head): the inverse of
     * {@link #readLora}. The module paths must be PEFT's {@code base_model.model.<prefix>encoder.layer.{i}.attention.self.
     * {query,value}}; rsLoRA (scaling alpha/√r) has no AdapterHub equivalent and is refused.
     */
    public static void writeLora(Path dir, LoraWeights lora, EncoderInfo encoder, PredictionHead head) throws IOException {
        LoraConfig c = lora.config();
        if (c.useRslora() || c.useDora()) {
            throw new IllegalArgumentException("LoRA " + lora.name() + ": use_rslora / use_dora have no AdapterHub LoRAConfig equivalent");
        }
        ObjectNode cfg = ConfigJson.MAPPER.createObjectNode();
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
                default -> throw new IllegalArgumentException("LoRA " + lora.name() + ": target module '" + t
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
                throw new IllegalArgumentException("LoRA " + lora.name() + ": module '" + path + "' is not under base_model.model.");
            }
            String module = path.substring("base_model.model.".length());
            tensors.put(module + ".loras." + lora.name() + ".lora_A", m.a());
            tensors.put(module + ".loras." + lora.name() + ".lora_B", m.b());
        }
        ObjectNode root = ConfigJson.MAPPER.createObjectNode();
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

    /** {@code safetensors} if present, else the torch pickle AdapterHub writes by default; an error naming both if neither. */
    static Path weightsFile(Path dir, String safetensors, String torch, String what) throws NoSuchFileException {
        Path safe = dir.resolve(safetensors);
        if (Files.isRegularFile(safe)) {
            return safe;
        }
        Path bin = dir.resolve(torch);
        if (Files.isRegularFile(bin)) {
            return bin;
        }
        throw new NoSuchFileException(safe.toString(), null, what + " weights file missing (neither " + safetensors + " nor "
                + torch + ")");
    }

    /** The adapter weights file of {@code dir} (safetensors or torch pickle), for messages and reading. */
    public static Path adapterWeightsFile(Path dir) throws NoSuchFileException {
        return weightsFile(dir, WEIGHTS, TORCH_WEIGHTS, "adapter");
    }

    /** The head weights file of {@code dir} (safetensors or torch pickle), for messages and reading. */
    public static Path headWeightsFile(Path dir) throws NoSuchFileException {
        return weightsFile(dir, HEAD_WEIGHTS, TORCH_HEAD_WEIGHTS, "head");
    }

    /** The tensors of a safetensors file or, for {@code .bin}, of a torch.save file read without running its pickle. */
    static Map<String, Tensor> readTensors(Path file) throws IOException {
        return file.getFileName().toString().endsWith(".bin") ? TorchPickle.read(file) : SafeTensors.read(file).tensors();
    }

    /** The prediction head saved next to the adapter, if there is one. */
    public static Optional<PredictionHead> readHead(Path dir) throws IOException {
        Path cfgFile = dir.resolve(HEAD_CONFIG);
        if (!Files.isRegularFile(cfgFile)) {
            return Optional.empty();
        }
        JsonNode root = readJson(cfgFile);
        ConfigJson top = new ConfigJson(root, cfgFile.toString());
        String name = top.requiredText("name");
        if (!top.has("config")) {
            throw new IllegalArgumentException(cfgFile + ": missing required field 'config'");
        }
        HeadConfig config = HeadConfig.fromJson(root.get("config"), cfgFile + " (config)");
        Path weightsFile = headWeightsFile(dir);
        return Optional.of(PredictionHead.fromTensors(name, config, readTensors(weightsFile), weightsFile.toString()));
    }

    /** Writes the adapter (and, when given, its head) into {@code dir}; each file appears whole or not at all. */
    public static void write(Path dir, AdapterWeights adapter, PredictionHead head) throws IOException {
        ObjectNode root = ConfigJson.MAPPER.createObjectNode();
        root.set("config", adapter.config().toJson());
        root.put("hidden_size", adapter.encoder().hiddenSize());
        putNullable(root, "model_class", adapter.encoder().modelClass());
        putNullable(root, "model_name", adapter.encoder().modelName());
        putNullable(root, "model_type", adapter.encoder().modelType());
        root.put("name", adapter.name());
        root.put("version", FORMAT_VERSION);
        if (adapter.merge() != null) {
            root.set(MergeProvenance.JSON_FIELD, adapter.merge().toJson());
        }
        Files.createDirectories(dir);
        // Weights first, config last: a reader that finds the config finds complete weights.
        SafeTensors.write(dir.resolve(WEIGHTS), adapter.tensors(), SAFETENSORS_METADATA);
        if (head != null) {
            writeHead(dir, head, adapter.encoder());
        }
        AtomicFiles.writeString(dir.resolve(CONFIG), ConfigJson.toSortedJson(root));
    }

    /** head_config.json + model_head.safetensors, weights first; AdapterHub's head files beside any adapter. */
    public static void writeHead(Path dir, PredictionHead head, EncoderInfo encoder) throws IOException {
        ObjectNode headRoot = ConfigJson.MAPPER.createObjectNode();
        headRoot.set("config", head.config().toJson());
        putNullable(headRoot, "model_class", encoder.modelClass());
        putNullable(headRoot, "model_name", encoder.modelName());
        putNullable(headRoot, "model_type", encoder.modelType());
        headRoot.put("name", head.name());
        headRoot.put("version", FORMAT_VERSION);
        Files.createDirectories(dir);
        SafeTensors.write(dir.resolve(HEAD_WEIGHTS), head.tensors(), SAFETENSORS_METADATA);
        AtomicFiles.writeString(dir.resolve(HEAD_CONFIG), ConfigJson.toSortedJson(headRoot));
    }

    public static void write(Path dir, AdapterWeights adapter) throws IOException {
        write(dir, adapter, null);
    }

    private static void putNullable(ObjectNode o, String field, String value) {
        if (value == null) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }

    static JsonNode readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "config file missing");
        }
        try {
            return ConfigJson.MAPPER.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
