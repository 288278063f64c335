package org.mera.adapter.fusion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mera.adapter.AdapterHubFormat;
import org.mera.adapter.EncoderInfo;
import org.mera.io.AtomicFiles;
import org.mera.io.ConfigJson;
import org.mera.io.Json;
import org.mera.io.SafeTensors;

/**
 * An AdapterFusion directory as AdapterHub's {@code model.save_adapter_fusion(dir, "a,b,c")} writes it:
 * {@code adapter_fusion_config.json} ({@code {"config": {key, query, value, query_before_ln, regularization,
 * residual_before, temperature, value_before_softmax, value_initialized, dropout_prob}, "hidden_size",
 * "model_class", "model_name", "model_type", "name", "version"}}, sorted keys; unknown fields ignored) and
 * {@code model_adapter_fusion.safetensors}, or on reading {@code pytorch_model_adapter_fusion.bin} (the library's
 * default, read with {@link TorchPickle}). The fused adapters themselves are saved separately.
 */
public final class AdapterFusionDirectory {
    public static final String CONFIG = "adapter_fusion_config.json";
    public static final String WEIGHTS = "model_adapter_fusion.safetensors";
    public static final String TORCH_WEIGHTS = "pytorch_model_adapter_fusion.bin";
    private static final Map<String, String> SAFETENSORS_METADATA = Map.of("format", "pt");

    private AdapterFusionDirectory() {}

    public static boolean isAdapterFusion(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG));
    }

    public static FusionWeights read(Path dir) throws IOException {
        Path cfgFile = dir.resolve(CONFIG);
        JsonNode root = ConfigJson.readTree(cfgFile);
        if (!root.isObject()) {
            throw new IllegalArgumentException(cfgFile + ": expected a JSON object");
        }
        ConfigJson top = new ConfigJson(root, cfgFile.toString());
        String name = top.requiredText("name");
        if (!top.has("config")) {
            throw new IllegalArgumentException(cfgFile + ": missing required field 'config'");
        }
        FusionConfig config = FusionConfig.fromJson(root.get("config"), cfgFile + " (config)");
        EncoderInfo encoder = new EncoderInfo(
                top.text("model_name", null),
                top.text("model_type", null),
                top.text("model_class", null),
                top.requiredInteger("hidden_size"));
        Path weightsFile = AdapterHubFormat.weightsFile(dir, WEIGHTS, TORCH_WEIGHTS, "AdapterFusion");
        return new FusionWeights(
                name,
                config,
                encoder,
                top.text("version", null),
                AdapterHubFormat.readTensors(weightsFile),
                weightsFile.toString());
    }

    /** Writes weights first and the config last, each atomically: a reader that finds the config finds whole weights. */
    public static void write(Path dir, FusionWeights fusion) throws IOException {
        ObjectNode root = Json.SORTED_PRETTY.createObjectNode();
        root.set("config", fusion.config().toJson());
        root.put("hidden_size", fusion.encoder().hiddenSize());
        putNullable(root, "model_class", fusion.encoder().modelClass());
        putNullable(root, "model_name", fusion.encoder().modelName());
        putNullable(root, "model_type", fusion.encoder().modelType());
        root.put("name", fusion.name());
        root.put("version", AdapterHubFormat.FORMAT_VERSION);
        Files.createDirectories(dir);
        SafeTensors.write(dir.resolve(WEIGHTS), fusion.tensors(), SAFETENSORS_METADATA);
        AtomicFiles.writeString(dir.resolve(CONFIG), ConfigJson.toSortedJson(root));
    }

    private static void putNullable(ObjectNode o, String field, String value) {
        if (value == null) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }
}
