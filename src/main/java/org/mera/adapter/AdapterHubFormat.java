package org.mera.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.mera.io.AtomicFiles;
import org.mera.io.ConfigJson;
import org.mera.io.Json;
import org.mera.io.SafeTensors;
import org.mera.io.Tensor;
import org.mera.io.TorchPickle;

/**
 * What every AdapterHub directory shares, whatever the adapter kind in it: the file names, the {@code version}
 * written, the weight-file lookup (safetensors, else AdapterHub's default torch pickle read through the restricted
 * {@link TorchPickle} reader) and the prediction head files ({@code head_config.json} + head weights) that sit beside
 * a bottleneck adapter, an AdapterHub LoRA or a PEFT LoRA alike. Each kind's own directory class
 * ({@code bottleneck.AdapterHubDirectory}, {@code lora.AdapterHubLoraDirectory}, {@code fusion.AdapterFusionDirectory})
 * reads and writes its config and weights with these.
 */
public final class AdapterHubFormat {
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

    public static final Map<String, String> SAFETENSORS_METADATA = Map.of("format", "pt");

    private AdapterHubFormat() {}

    /** Whether {@code dir} looks like an AdapterHub adapter (adapter_config.json without a PEFT type). */
    public static boolean isAdapterHub(Path dir) throws IOException {
        Path cfg = dir.resolve(CONFIG);
        if (!Files.isRegularFile(cfg)) {
            return false;
        }
        return !ConfigJson.readTree(cfg).has("peft_type");
    }

    /** Whether a dotted version such as {@code 1.0.1} is below major.minor. */
    public static boolean olderThan(String version, int major, int minor) {
        String[] p = version.split("[.+-]");
        try {
            int ma = Integer.parseInt(p[0]);
            int mi = p.length > 1 ? Integer.parseInt(p[1]) : 0;
            return ma < major || (ma == major && mi < minor);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** {@code safetensors} if present, else the torch pickle AdapterHub writes by default; an error naming both if neither. */
    public static Path weightsFile(Path dir, String safetensors, String torch, String what) throws NoSuchFileException {
        Path safe = dir.resolve(safetensors);
        if (Files.isRegularFile(safe)) {
            return safe;
        }
        Path bin = dir.resolve(torch);
        if (Files.isRegularFile(bin)) {
            return bin;
        }
        throw new NoSuchFileException(
                safe.toString(), null, what + " weights file missing (neither " + safetensors + " nor " + torch + ")");
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
    public static Map<String, Tensor> readTensors(Path file) throws IOException {
        return file.getFileName().toString().endsWith(".bin")
                ? TorchPickle.read(file)
                : SafeTensors.read(file).tensors();
    }

    /** The prediction head saved next to the adapter, if there is one. */
    public static Optional<PredictionHead> readHead(Path dir) throws IOException {
        Path cfgFile = dir.resolve(HEAD_CONFIG);
        if (!Files.isRegularFile(cfgFile)) {
            return Optional.empty();
        }
        JsonNode root = ConfigJson.readTree(cfgFile);
        ConfigJson top = new ConfigJson(root, cfgFile.toString());
        String name = top.requiredText("name");
        if (!top.has("config")) {
            throw new IllegalArgumentException(cfgFile + ": missing required field 'config'");
        }
        HeadConfig config = HeadConfig.fromJson(root.get("config"), cfgFile + " (config)");
        Path weightsFile = headWeightsFile(dir);
        return Optional.of(PredictionHead.fromTensors(name, config, readTensors(weightsFile), weightsFile.toString()));
    }

    /** head_config.json + model_head.safetensors, weights first; AdapterHub's head files beside any adapter. */
    public static void writeHead(Path dir, PredictionHead head, EncoderInfo encoder) throws IOException {
        ObjectNode headRoot = Json.SORTED_PRETTY.createObjectNode();
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

    public static void putNullable(ObjectNode o, String field, String value) {
        if (value == null) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }
}
