package org.mera.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A HuggingFace model directory: {@code config.json}, {@code model.safetensors} (F32) and {@code tokenizer.json},
 * the layout {@code AutoModel.from_pretrained} and mera's encoder read.
 */
public final class HfModelDirectory {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String TOKENIZER = "tokenizer.json";

    private HfModelDirectory() {
    }

    /** Whether {@code dir} holds all three files. */
    public static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG)) && Files.isRegularFile(dir.resolve(WEIGHTS))
                && Files.isRegularFile(dir.resolve(TOKENIZER));
    }

    /**
     * Writes the directory atomically: everything is built in a temporary sibling, then renamed onto
     * {@code target} (an existing directory there is replaced), so a crash never leaves half a model.
     * The weights are checked against the config before anything is written.
     */
    public static void write(Path target, BertConfig config, Map<String, Tensor> weights, String tokenizerJson)
            throws IOException {
        BertShapes.Dimensions dims = BertShapes.check(weights, target.resolve(WEIGHTS));
        checkAgrees(config, dims, target);
        if (tokenizerJson == null || tokenizerJson.isBlank()) {
            throw new IllegalArgumentException("empty tokenizer.json for " + target);
        }
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".building-");
        try {
            Files.writeString(tmp.resolve(CONFIG), config.toJson());
            SafeTensors.write(tmp.resolve(WEIGHTS), weights, Map.of("format", "pt"));
            Files.writeString(tmp.resolve(TOKENIZER), tokenizerJson);
            replaceDirectory(tmp, abs);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(tmp);
            throw e;
        }
    }

    /** Renames {@code built} onto {@code target}; an old {@code target} is moved aside first, then deleted. */
    static void replaceDirectory(Path built, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
            Files.move(target, old);
        }
        try {
            AtomicFiles.move(built, target);
        } catch (IOException e) {
            if (old != null) {
                Files.move(old, target);
            }
            throw e;
        }
        if (old != null) {
            deleteRecursively(old);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void checkAgrees(BertConfig c, BertShapes.Dimensions d, Path target) {
        String mismatch = null;
        if (c.vocabSize() != d.vocabSize()) {
            mismatch = "vocab_size " + c.vocabSize() + " vs word embeddings rows " + d.vocabSize();
        } else if (c.hiddenSize() != d.hiddenSize()) {
            mismatch = "hidden_size " + c.hiddenSize() + " vs weights " + d.hiddenSize();
        } else if (c.numHiddenLayers() != d.numLayers()) {
            mismatch = "num_hidden_layers " + c.numHiddenLayers() + " vs weights " + d.numLayers();
        } else if (c.intermediateSize() != d.intermediateSize()) {
            mismatch = "intermediate_size " + c.intermediateSize() + " vs weights " + d.intermediateSize();
        } else if (c.maxPositionEmbeddings() != d.maxPositionEmbeddings()) {
            mismatch = "max_position_embeddings " + c.maxPositionEmbeddings() + " vs weights " + d.maxPositionEmbeddings();
        } else if (c.typeVocabSize() != d.typeVocabSize()) {
            mismatch = "type_vocab_size " + c.typeVocabSize() + " vs weights " + d.typeVocabSize();
        }
        if (mismatch != null) {
            throw new IllegalArgumentException("config for " + target + " disagrees with its weights: " + mismatch);
        }
    }
}
