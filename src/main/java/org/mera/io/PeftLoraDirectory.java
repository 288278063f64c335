package org.mera.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mera.adapter.ConfigJson;
import org.mera.adapter.LoraConfig;
import org.mera.adapter.LoraWeights;
import org.mera.adapter.MergeProvenance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A PEFT LoRA directory as {@code PeftModel.save_pretrained(dir)} writes it: {@code adapter_config.json}
 * ({@code peft_type} "LORA", r, lora_alpha, target_modules, ...) and {@code adapter_model.safetensors}
 * (metadata {@code {"format": "pt"}}). The adapter's name is the directory name. A merged adapter's config
 * also carries {@code mera_merge}.
 */
public final class PeftLoraDirectory {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    public static final String TORCH_WEIGHTS = "adapter_model.bin";

    private PeftLoraDirectory() {
    }

    public static boolean isPeftLora(Path dir) throws IOException {
        Path cfg = dir.resolve(CONFIG);
        if (!Files.isRegularFile(cfg)) {
            return false;
        }
        JsonNode root = AdapterHubDirectory.readJson(cfg);
        return root.has("peft_type") && "LORA".equals(root.get("peft_type").asText());
    }

    public static LoraWeights read(Path dir) throws IOException {
        Path cfgFile = dir.resolve(CONFIG);
        JsonNode root = AdapterHubDirectory.readJson(cfgFile);
        LoraConfig config = LoraConfig.fromJson(root, cfgFile.toString());
        if (config.useDora()) {
            throw new IllegalArgumentException(cfgFile + ": field 'use_dora' is true; DoRA adapters are not supported");
        }
        MergeProvenance merge = root.has(MergeProvenance.JSON_FIELD)
                ? MergeProvenance.fromJson(root.get(MergeProvenance.JSON_FIELD), cfgFile + " (" + MergeProvenance.JSON_FIELD + ")")
                : null;
        Path weightsFile = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weightsFile)) {
            if (Files.isRegularFile(dir.resolve(TORCH_WEIGHTS))) {
                throw new IllegalArgumentException(dir.resolve(TORCH_WEIGHTS) + ": torch pickle weights are not read by mera; "
                        + "save with safe_serialization=True to get " + WEIGHTS);
            }
            throw new NoSuchFileException(weightsFile.toString(), null, "LoRA weights file missing");
        }
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        return LoraWeights.fromTensors(name, config, SafeTensors.read(weightsFile).tensors(), merge, weightsFile.toString());
    }

    /** Writes weights then config, each atomically. */
    public static void write(Path dir, LoraWeights lora) throws IOException {
        ObjectNode root = lora.config().toJson();
        if (lora.merge() != null) {
            root.set(MergeProvenance.JSON_FIELD, lora.merge().toJson());
        }
        Files.createDirectories(dir);
        SafeTensors.write(dir.resolve(WEIGHTS), lora.tensors(), Map.of("format", "pt"));
        AtomicFiles.writeString(dir.resolve(CONFIG), ConfigJson.toSortedJson(root));
    }
}
