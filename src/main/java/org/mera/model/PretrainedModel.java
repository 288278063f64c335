package org.mera.model;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mera.io.HfModelDirectory;
import org.mera.io.Tensor;

/**
 * A pretrained encoder's files read once per process: its config, its weights as plain tensors, its
 * tokenizer. Every training run builds a fresh {@link BertEncoder} from the cached tensors instead of
 * re-reading the weight file, which matters when an experiment trains hundreds of times.
 */
public record PretrainedModel(Path directory, EncoderConfig config, Map<String, Tensor> weights) {
    private static final Map<Path, PretrainedModel> CACHE = new ConcurrentHashMap<>();

    public static PretrainedModel load(Path directory) throws IOException {
        Path key = directory.toAbsolutePath().normalize();
        PretrainedModel cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        EncoderConfig config = EncoderConfig.read(key.resolve("config.json"));
        PretrainedModel m = new PretrainedModel(
                key,
                config,
                config.family().toEncoderNames(HfModelDirectory.readWeights(key), HfModelDirectory.weightsFile(key)));
        CACHE.put(key, m);
        return m;
    }

    public Path tokenizerJson() {
        return directory.resolve("tokenizer.json");
    }

    /** A new encoder (all weights frozen) whose arrays belong to {@code manager}. */
    public BertEncoder newEncoder(NDManager manager) {
        return new BertEncoder(config, weights, manager);
    }

    /** A short name for reports: the catalog directory's name. */
    public String name() {
        return directory.getFileName().toString();
    }
}
