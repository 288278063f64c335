package org.mera.model;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.mera.io.HfModelDirectory;
import org.mera.io.Tensor;

/**
 * A pretrained encoder's files read once per process: its config, its weights, its tokenizer. Every training run
 * builds a fresh {@link BertEncoder} on the cached weights instead of re-reading the weight file, which matters when
 * an experiment trains hundreds of times. The weights are kept once, as engine arrays that every encoder shares
 * while they are frozen ({@link SharedWeights}); no Java copy stays behind.
 */
public final class PretrainedModel {
    private static final Map<Path, PretrainedModel> CACHE = new ConcurrentHashMap<>();

    private final Path directory;
    private final EncoderConfig config;
    private final SharedWeights weights;

    private PretrainedModel(Path directory, EncoderConfig config, SharedWeights weights) {
        this.directory = directory;
        this.config = config;
        this.weights = weights;
    }

    public static PretrainedModel load(Path directory) throws IOException {
        Path key = directory.toAbsolutePath().normalize();
        PretrainedModel cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        synchronized (CACHE) {
            cached = CACHE.get(key);
            if (cached != null) {
                return cached;
            }
            EncoderConfig config = EncoderConfig.read(key.resolve("config.json"));
            Map<String, Tensor> read = new LinkedHashMap<>(config.family()
                    .toEncoderNames(HfModelDirectory.readWeights(key), HfModelDirectory.weightsFile(key)));
            PretrainedModel m = new PretrainedModel(key, config, SharedWeights.take(BertEncoder.stripPrefixes(read)));
            CACHE.put(key, m);
            return m;
        }
    }

    public Path directory() {
        return directory;
    }

    public EncoderConfig config() {
        return config;
    }

    public Path tokenizerJson() {
        return directory.resolve("tokenizer.json");
    }

    /** A new encoder (all weights frozen, read from the shared arrays) whose own arrays belong to {@code manager}. */
    public BertEncoder newEncoder(NDManager manager) {
        return new BertEncoder(config, weights, manager);
    }

    /** Java copies of the pretrained weights (HF BertModel names) whose names start with {@code prefix}. */
    public Map<String, Tensor> weights(String prefix) {
        return weights.tensors(Objects.requireNonNull(prefix, "prefix"));
    }

    SharedWeights sharedWeights() {
        return weights;
    }

    /** A short name for reports: the catalog directory's name. */
    public String name() {
        return directory.getFileName().toString();
    }
}
