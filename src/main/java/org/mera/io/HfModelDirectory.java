package org.mera.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A HuggingFace model directory as {@code save_pretrained} writes it for the matching transformers class:
 * {@code config.json} (with {@code architectures}), {@code model.safetensors} (F32) and a complete tokenizer
 * directory ({@code tokenizer.json}, {@code tokenizer_config.json} with {@code model_max_length},
 * {@code special_tokens_map.json} and, for WordPiece, {@code vocab.txt}).
 *
 * <p>Weights without a head are stored as {@code BertModel} saves them (no prefix); weights with BERT's
 * masked-LM head as {@code BertForMaskedLM} saves them ({@code bert.}-prefixed encoder plus {@code cls.…}),
 * the two layouts transformers 4.x and 5.x both load as {@code AutoModel} and as task models.
 *
 * <p>Reading accepts every layout transformers writes or has written: prefixed or not ({@code bert.},
 * {@code roberta.}), TF-era {@code LayerNorm.gamma/beta} names, single or sharded
 * ({@code model.safetensors.index.json}) safetensors, and PyTorch {@code pytorch_model.bin} (single or
 * sharded) through the restricted {@link TorchPickle} reader. In memory mera always uses the bare
 * {@code BertModel} names plus {@code cls.…}.
 *
 * <p>{@value #LAYOUT_MARKER} records the layout version mera wrote; a catalog directory with an older or no
 * marker is rewritten in place on next use (see {@link #isCurrent}, {@link #migrate}).
 */
public final class HfModelDirectory {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String WEIGHTS_INDEX = "model.safetensors.index.json";
    public static final String TORCH_WEIGHTS = "pytorch_model.bin";
    public static final String TORCH_WEIGHTS_INDEX = "pytorch_model.bin.index.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    public static final String VOCAB = "vocab.txt";
    /** mera's own marker: the version of the layout it wrote; transformers ignores the file. */
    public static final String LAYOUT_MARKER = "mera-layout.json";
    /**
     * 1 (no marker): bare encoder names mixed with {@code cls.…}, no tokenizer_config.json.
     * 2: transformers' own layouts (see the class comment).
     */
    public static final int LAYOUT_VERSION = 2;

    /**
     * The model types {@link #write} writes: BERT's parameter names, which RobertaModel shares (DistilBERT's and
     * XLM-R's directories are read, not written).
     */
    public static final List<String> WRITTEN_MODEL_TYPES = List.of("bert", "roberta");

    private static final ObjectMapper JSON = Json.PRETTY;

    private HfModelDirectory() {}

    /** Whether {@code dir} holds a config, weights in one of the layouts read here, and tokenizer.json. */
    public static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG))
                && weightsFile(dir) != null
                && Files.isRegularFile(dir.resolve(TOKENIZER));
    }

    /** The file holding (or indexing) the weights, in transformers' order of preference; null if none. */
    public static Path weightsFile(Path dir) {
        for (String f : new String[] {WEIGHTS, WEIGHTS_INDEX, TORCH_WEIGHTS, TORCH_WEIGHTS_INDEX}) {
            if (Files.isRegularFile(dir.resolve(f))) {
                return dir.resolve(f);
            }
        }
        return null;
    }

    /** The layout version mera wrote into {@code dir}: 1 where there is no marker (directories before it). */
    public static int layoutVersion(Path dir) throws IOException {
        Path marker = dir.resolve(LAYOUT_MARKER);
        if (!Files.isRegularFile(marker)) {
            return 1;
        }
        JsonNode n;
        try {
            n = JSON.readTree(marker.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedFileException(marker, "invalid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode v = n == null ? null : n.get("layout_version");
        if (v == null || !v.canConvertToInt()) {
            throw new MalformedFileException(marker, "field layout_version missing or not an integer");
        }
        return v.asInt();
    }

    /** Whether {@code dir} is complete and in the layout this version of mera writes. */
    public static boolean isCurrent(Path dir) throws IOException {
        return isComplete(dir) && layoutVersion(dir) >= LAYOUT_VERSION;
    }

    /**
     * Rewrites a directory mera wrote in an older layout into the current one, from its own files (no
     * re-conversion): same config values, same tensors, same tokenizer.json, atomically.
     */
    public static void migrate(Path dir) throws IOException {
        BertConfig config = BertConfig.read(dir.resolve(CONFIG));
        Map<String, Tensor> weights = readWeights(dir);
        String tokenizer = Files.readString(dir.resolve(TOKENIZER));
        write(dir, config, weights, tokenizer);
    }

    /**
     * The weights of a model directory under mera's in-memory names: {@code bert.}/{@code roberta.} prefixes
     * removed, {@code LayerNorm.gamma/beta} renamed to {@code weight/bias}, shards joined.
     */
    public static Map<String, Tensor> readWeights(Path dir) throws IOException {
        Path file = weightsFile(dir);
        if (file == null) {
            throw new java.nio.file.NoSuchFileException(
                    dir.toString(),
                    null,
                    "no model weights (" + WEIGHTS + ", " + WEIGHTS_INDEX + ", " + TORCH_WEIGHTS + " or "
                            + TORCH_WEIGHTS_INDEX + ")");
        }
        String name = file.getFileName().toString();
        Map<String, Tensor> raw = new LinkedHashMap<>();
        if (name.endsWith(".index.json")) {
            JsonNode index;
            try {
                index = JSON.readTree(file.toFile());
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new MalformedFileException(file, "invalid JSON: " + e.getOriginalMessage(), e);
            }
            JsonNode map = index == null ? null : index.get("weight_map");
            if (map == null || !map.isObject() || map.isEmpty()) {
                throw new MalformedFileException(file, "no weight_map object");
            }
            java.util.LinkedHashSet<String> shards = new java.util.LinkedHashSet<>();
            map.properties()
                    .iterator()
                    .forEachRemaining(e -> shards.add(e.getValue().asText()));
            for (String shard : shards) {
                Path p = dir.resolve(shard).normalize();
                if (!p.getParent().equals(dir.normalize()) || !Files.isRegularFile(p)) {
                    throw new MalformedFileException(
                            file, "weight_map names shard '" + shard + "', which is not a file in " + dir);
                }
                raw.putAll(readOne(p));
            }
            var it = map.properties().iterator();
            while (it.hasNext()) {
                var e = it.next();
                if (!raw.containsKey(e.getKey())) {
                    throw new MalformedFileException(
                            file,
                            "weight_map lists " + e.getKey() + " in "
                                    + e.getValue().asText() + ", which does not hold it");
                }
            }
        } else {
            raw.putAll(readOne(file));
        }
        return normalizeNames(raw, file);
    }

    private static Map<String, Tensor> readOne(Path file) throws IOException {
        return file.getFileName().toString().endsWith(".safetensors")
                ? SafeTensors.read(file).tensors()
                : TorchPickle.read(file);
    }

    /** A key without the {@code bert.}/{@code roberta.} prefix a task model's state dict puts before encoder keys. */
    public static String withoutModelPrefix(String key) {
        for (String prefix : new String[] {"bert.", "roberta."}) {
            if (key.startsWith(prefix)) {
                return key.substring(prefix.length());
            }
        }
        return key;
    }

    /** mera's in-memory names for a state dict in any of transformers' BERT/RoBERTa layouts. */
    public static Map<String, Tensor> normalizeNames(Map<String, Tensor> weights, Path source)
            throws MalformedFileException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            String k = withoutModelPrefix(e.getKey());
            // checkpoints converted from TensorFlow by older transformers name LayerNorm parameters gamma/beta
            if (k.contains("LayerNorm.gamma")) {
                k = k.replace("LayerNorm.gamma", "LayerNorm.weight");
            } else if (k.contains("LayerNorm.beta")) {
                k = k.replace("LayerNorm.beta", "LayerNorm.bias");
            }
            if (k.equals("embeddings.position_ids")) {
                continue; // a buffer older transformers saved; it is always 0..n-1
            }
            if (out.put(k, e.getValue()) != null) {
                throw new MalformedFileException(
                        source, "tensor " + k + " appears twice (as " + e.getKey() + " and under another name)");
            }
        }
        return out;
    }

    /**
     * The names {@code save_pretrained} gives these weights: bare {@code BertModel} names without a head;
     * {@code BertForMaskedLM} names ({@code bert.} + encoder, {@code cls.…}) with the masked-LM head.
     */
    public static Map<String, Tensor> savedNames(Map<String, Tensor> weights) {
        if (!hasMaskedLmHead(weights)) {
            return weights;
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            out.put(e.getKey().startsWith("cls.") ? e.getKey() : "bert." + e.getKey(), e.getValue());
        }
        return out;
    }

    private static boolean hasMaskedLmHead(Map<String, Tensor> weights) {
        return weights.keySet().stream().anyMatch(k -> k.startsWith("cls."));
    }

    /**
     * Writes the directory atomically: everything is built in a temporary sibling, then renamed onto
     * {@code target} (an existing directory there is replaced), so a crash never leaves half a model.
     * The weights ({@code BertModel} names, optionally {@code cls.…}) are checked against the config before
     * anything is written; {@code architectures} is set from what the weights hold.
     */
    public static void write(Path target, BertConfig config, Map<String, Tensor> weights, String tokenizerJson)
            throws IOException {
        BertShapes.Dimensions dims = BertShapes.check(weights, target.resolve(WEIGHTS));
        checkAgrees(config, dims, target);
        if (tokenizerJson == null || tokenizerJson.isBlank()) {
            throw new IllegalArgumentException("empty tokenizer.json for " + target);
        }
        boolean head = hasMaskedLmHead(weights);
        if (head && !config.modelType().equals("bert")) {
            throw new IllegalArgumentException(target
                    + ": a masked-LM head (cls.…) is only written for model_type bert, not " + config.modelType());
        }
        String arch = config.modelType().equals("roberta") ? "RobertaModel" : head ? "BertForMaskedLM" : "BertModel";
        BertConfig written = new BertConfig(
                config.modelType(),
                List.of(arch),
                config.vocabSize(),
                config.hiddenSize(),
                config.numHiddenLayers(),
                config.numAttentionHeads(),
                config.intermediateSize(),
                config.hiddenAct(),
                config.maxPositionEmbeddings(),
                config.typeVocabSize(),
                config.layerNormEps(),
                config.padTokenId(),
                config.doLowerCase());
        Map<String, String> tokenizerFiles = tokenizerFiles(tokenizerJson, written, target);
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".building-");
        try {
            Files.writeString(tmp.resolve(CONFIG), written.toJson());
            SafeTensors.write(
                    tmp.resolve(WEIGHTS), savedNames(BertShapes.canonicalOrder(weights)), Map.of("format", "pt"));
            Files.writeString(tmp.resolve(TOKENIZER), tokenizerJson);
            for (Map.Entry<String, String> f : tokenizerFiles.entrySet()) {
                Files.writeString(tmp.resolve(f.getKey()), f.getValue());
            }
            Files.writeString(tmp.resolve(LAYOUT_MARKER), "{\n  \"layout_version\": " + LAYOUT_VERSION + "\n}\n");
            replaceDirectory(tmp, abs);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteTree(tmp);
            throw e;
        }
    }

    private static final String[][] BERT_SPECIALS = {
        {"cls_token", "[CLS]"},
        {"mask_token", "[MASK]"},
        {"pad_token", "[PAD]"},
        {"sep_token", "[SEP]"},
        {"unk_token", "[UNK]"}
    };
    private static final String[][] ROBERTA_SPECIALS = {
        {"bos_token", "<s>"},
        {"cls_token", "<s>"},
        {"eos_token", "</s>"},
        {"mask_token", "<mask>"},
        {"pad_token", "<pad>"},
        {"sep_token", "</s>"},
        {"unk_token", "<unk>"}
    };

    /**
     * The files {@code save_pretrained} writes beside {@code tokenizer.json}: tokenizer_config.json (with
     * {@code model_max_length}, without which transformers assumes 1e30), special_tokens_map.json, and for a
     * WordPiece vocabulary vocab.txt. A tokenizer.json of another kind gets a config naming
     * {@code PreTrainedTokenizerFast}, which loads tokenizer.json as it is.
     */
    static Map<String, String> tokenizerFiles(String tokenizerJson, BertConfig config, Path target) throws IOException {
        JsonNode tok;
        try {
            tok = JSON.readTree(tokenizerJson);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(
                    "tokenizer.json for " + target + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (tok == null || !tok.isObject()) {
            throw new IllegalArgumentException("tokenizer.json for " + target + " is not a JSON object");
        }
        String modelType = tok.path("model").path("type").asText("");
        Map<String, Integer> ids = new LinkedHashMap<>();
        tok.path("model")
                .path("vocab")
                .properties()
                .iterator()
                .forEachRemaining(e -> ids.put(e.getKey(), e.getValue().asInt()));
        tok.path("added_tokens")
                .forEach(t ->
                        ids.putIfAbsent(t.path("content").asText(), t.path("id").asInt()));
        String[][] specials =
                modelType.equals("WordPiece") ? BERT_SPECIALS : modelType.equals("BPE") ? ROBERTA_SPECIALS : null;
        if (specials != null) {
            for (String[] s : specials) {
                if (!ids.containsKey(s[1])) {
                    specials = null; // not the usual special tokens: describe the tokenizer generically
                    break;
                }
            }
        }
        // RoBERTa's positions start after the padding index, so two fewer tokens fit
        int maxLength = config.maxPositionEmbeddings() - (config.modelType().equals("roberta") ? 2 : 0);
        Map<String, String> files = new TreeMap<>();
        ObjectNode cfg = JSON.createObjectNode();
        ObjectNode decoder = cfg.putObject("added_tokens_decoder");
        tok.path("added_tokens").forEach(t -> {
            ObjectNode d = decoder.putObject(Integer.toString(t.path("id").asInt()));
            d.put("content", t.path("content").asText());
            for (String f : new String[] {"lstrip", "normalized", "rstrip", "single_word", "special"}) {
                d.put(f, t.path(f).asBoolean(false));
            }
        });
        cfg.put("clean_up_tokenization_spaces", true);
        ObjectNode map = JSON.createObjectNode();
        if (specials != null) {
            for (String[] s : specials) {
                cfg.put(s[0], s[1]);
                map.put(s[0], s[1]);
            }
        }
        if (specials == BERT_SPECIALS) {
            JsonNode norm = tok.path("normalizer");
            cfg.put(
                    "do_lower_case",
                    norm.path("lowercase").asBoolean(config.doLowerCase() == null || config.doLowerCase()));
            JsonNode strip = norm.get("strip_accents");
            if (strip == null || strip.isNull()) {
                cfg.putNull("strip_accents");
            } else {
                cfg.put("strip_accents", strip.asBoolean());
            }
            cfg.put("tokenize_chinese_chars", norm.path("handle_chinese_chars").asBoolean(true));
            cfg.put("tokenizer_class", "BertTokenizer");
            List<String> vocab = new ArrayList<>();
            tok.path("model").path("vocab").properties().iterator().forEachRemaining(e -> {
                int id = e.getValue().asInt();
                while (vocab.size() <= id) {
                    vocab.add(null);
                }
                vocab.set(id, e.getKey());
            });
            int gap = vocab.indexOf(null);
            if (gap >= 0) {
                throw new IllegalArgumentException(
                        "tokenizer.json for " + target + ": WordPiece vocab has no token with id " + gap);
            }
            files.put(VOCAB, String.join("\n", vocab) + "\n");
        } else if (specials == ROBERTA_SPECIALS) {
            cfg.put("add_prefix_space", false);
            cfg.put("errors", "replace");
            cfg.put("tokenizer_class", "RobertaTokenizer");
            cfg.put("trim_offsets", true);
        } else {
            cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        }
        cfg.put("model_max_length", maxLength);
        files.put(TOKENIZER_CONFIG, JSON.writeValueAsString(cfg) + "\n");
        files.put(SPECIAL_TOKENS_MAP, JSON.writeValueAsString(map) + "\n");
        return files;
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
            AtomicFiles.deleteTree(old);
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
            mismatch =
                    "max_position_embeddings " + c.maxPositionEmbeddings() + " vs weights " + d.maxPositionEmbeddings();
        } else if (c.typeVocabSize() != d.typeVocabSize()) {
            mismatch = "type_vocab_size " + c.typeVocabSize() + " vs weights " + d.typeVocabSize();
        }
        if (mismatch != null) {
            throw new IllegalArgumentException("config for " + target + " disagrees with its weights: " + mismatch);
        }
    }
}
