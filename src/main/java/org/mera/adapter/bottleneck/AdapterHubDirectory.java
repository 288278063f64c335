package org.mera.adapter.bottleneck;

import static org.mera.adapter.AdapterHubFormat.CONFIG;
import static org.mera.adapter.AdapterHubFormat.FORMAT_VERSION;
import static org.mera.adapter.AdapterHubFormat.SAFETENSORS_METADATA;
import static org.mera.adapter.AdapterHubFormat.WEIGHTS;
import static org.mera.adapter.AdapterHubFormat.adapterWeightsFile;
import static org.mera.adapter.AdapterHubFormat.putNullable;
import static org.mera.adapter.AdapterHubFormat.readTensors;
import static org.mera.adapter.AdapterHubFormat.writeHead;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.MergeProvenance;
import org.mera.adapter.PredictionHead;
import org.mera.io.AtomicFiles;
import org.mera.io.ConfigJson;
import org.mera.io.Json;
import org.mera.io.SafeTensors;
import org.mera.io.Tensor;

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
    private AdapterHubDirectory() {}

    public static AdapterWeights read(Path dir) throws IOException {
        Path cfgFile = dir.resolve(CONFIG);
        JsonNode root = ConfigJson.readTree(cfgFile);
        ConfigJson top = new ConfigJson(root, cfgFile.toString());
        String name = top.requiredText("name");
        if (!top.has("config")) {
            throw new IllegalArgumentException(cfgFile + ": missing required field 'config'");
        }
        JsonNode cfgNode = root.get("config");
        String arch =
                cfgNode.has("architecture") && !cfgNode.get("architecture").isNull()
                        ? cfgNode.get("architecture").asText()
                        : "bottleneck";
        if (!arch.equals("bottleneck")) {
            throw new IllegalArgumentException(cfgFile + ": field 'config.architecture' is '" + arch
                    + "'; only bottleneck adapters are supported");
        }
        BottleneckConfig config = BottleneckConfig.fromJson(cfgNode, cfgFile + " (config)");
        EncoderInfo encoder = new EncoderInfo(
                top.text("model_name", null),
                top.text("model_type", null),
                top.text("model_class", null),
                top.requiredInteger("hidden_size"));
        MergeProvenance merge = top.has(MergeProvenance.JSON_FIELD)
                ? MergeProvenance.fromJson(
                        root.get(MergeProvenance.JSON_FIELD), cfgFile + " (" + MergeProvenance.JSON_FIELD + ")")
                : null;
        try {
            config.checkSupported();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(cfgFile + " (config): " + e.getMessage(), e);
        }
        Path weightsFile = adapterWeightsFile(dir);
        Map<String, Tensor> tensors = readTensors(weightsFile);
        JsonNode inv = config.extra().get("inv_adapter");
        if (inv != null
                && !inv.isNull()
                && tensors.keySet().stream().anyMatch(k -> k.contains("invertible_adapters"))) {
            // Without the weights the setting is a leftover of the old task-adapter configs, which adapters drops too.
            throw new IllegalArgumentException(cfgFile + " (config): field 'inv_adapter' is " + inv + " and "
                    + weightsFile + " holds its weights: invertible adapters are not supported by mera");
        }
        return AdapterWeights.fromTensors(
                name, config, encoder, top.text("version", null), tensors, merge, weightsFile.toString());
    }

    /** Writes the adapter (and, when given, its head) into {@code dir}; each file appears whole or not at all. */
    public static void write(Path dir, AdapterWeights adapter, PredictionHead head) throws IOException {
        ObjectNode root = Json.SORTED_PRETTY.createObjectNode();
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

    public static void write(Path dir, AdapterWeights adapter) throws IOException {
        write(dir, adapter, null);
    }
}
