package org.mera.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mera.adapter.AdapterWeights;
import org.mera.adapter.BottleneckConfig;
import org.mera.adapter.ConfigJson;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.HeadConfig;
import org.mera.adapter.MergeProvenance;
import org.mera.adapter.PredictionHead;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
            ObjectNode headRoot = ConfigJson.MAPPER.createObjectNode();
            headRoot.set("config", head.config().toJson());
            putNullable(headRoot, "model_class", adapter.encoder().modelClass());
            putNullable(headRoot, "model_name", adapter.encoder().modelName());
            putNullable(headRoot, "model_type", adapter.encoder().modelType());
            headRoot.put("name", head.name());
            headRoot.put("version", FORMAT_VERSION);
            SafeTensors.write(dir.resolve(HEAD_WEIGHTS), head.tensors(), SAFETENSORS_METADATA);
            AtomicFiles.writeString(dir.resolve(HEAD_CONFIG), ConfigJson.toSortedJson(headRoot));
        }
        AtomicFiles.writeString(dir.resolve(CONFIG), ConfigJson.toSortedJson(root));
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
