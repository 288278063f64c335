package org.mera.data;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.util.PairList;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mera.io.Json;

/**
 * Turns {@link Example}s into {@link EncodedExample}s with a HuggingFace {@code tokenizer.json} (through
 * DJL): special tokens added, truncation to {@code maxLength} tokens (longest-first for pairs), token type
 * ids from the tokenizer's template, and no padding (the {@link Batcher} pads per batch). Whatever
 * truncation or padding the tokenizer.json itself configures is overridden.
 */
public final class TextEncoder implements AutoCloseable {
    static final int MEMO_SPLITS = 32;
    private static final Map<String, List<EncodedExample>> MEMO =
            Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, List<EncodedExample>> eldest) {
                    return size() > MEMO_SPLITS;
                }
            });
    public static final int DEFAULT_MAX_LENGTH = 128;
    private static final int CHUNK = 512;

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;
    private final int padId;
    private final String tokenizerSha256;

    private TextEncoder(HuggingFaceTokenizer tokenizer, int maxLength, int padId, String tokenizerSha256) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.padId = padId;
        this.tokenizerSha256 = tokenizerSha256;
    }

    public static TextEncoder load(Path tokenizerJson) throws IOException {
        return load(tokenizerJson, DEFAULT_MAX_LENGTH);
    }

    /**
     * The {@code model_max_length} of a tokenizer_config.json beside tokenizer.json: the longest input the model
     * takes (its position embeddings), which caps {@code maxLength}. No file, or no finite value (transformers
     * writes 1e30 for "unknown"), caps nothing.
     */
    static int modelMaxLength(Path tokenizerConfig) throws IOException {
        if (!Files.isRegularFile(tokenizerConfig)) {
            return Integer.MAX_VALUE;
        }
        JsonNode v;
        try {
            v = Json.PLAIN.readTree(tokenizerConfig.toFile()).get("model_max_length");
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(tokenizerConfig + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (v == null || v.isNull()) {
            return Integer.MAX_VALUE;
        }
        if (!v.isNumber() || v.doubleValue() < 3) {
            throw new IllegalArgumentException(
                    tokenizerConfig + ": field 'model_max_length' must be a number of at least 3, got " + v);
        }
        return v.doubleValue() >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) v.doubleValue();
    }

    /** Loads a tokenizer.json file (or a directory holding one); truncates to at most its model_max_length. */
    public static TextEncoder load(Path tokenizerJson, int maxLength) throws IOException {
        if (maxLength < 3) {
            throw new IllegalArgumentException("maxLength must leave room for special tokens, got " + maxLength);
        }
        Path file = Files.isDirectory(tokenizerJson) ? tokenizerJson.resolve("tokenizer.json") : tokenizerJson;
        if (!Files.isRegularFile(file)) {
            throw new IOException("tokenizer file not found: " + file);
        }
        maxLength = Math.min(maxLength, modelMaxLength(file.resolveSibling("tokenizer_config.json")));
        byte[] bytes = Files.readAllBytes(file);
        int padId = findPadId(file, bytes);
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(file)
                .optAddSpecialTokens(true)
                .optTruncation(true) // DJL's "true" is longest_first
                .optMaxLength(maxLength)
                .optPadding(false)
                .build();
        return new TextEncoder(tokenizer, maxLength, padId, sha256(bytes));
    }

    public int maxLength() {
        return maxLength;
    }

    /** The id of the padding token, for {@link Batcher}. */
    public int padId() {
        return padId;
    }

    public EncodedExample encode(Example x, Task task) {
        Encoding e = x.textB() == null ? tokenizer.encode(x.textA()) : tokenizer.encode(x.textA(), x.textB());
        return toEncoded(e, x, task);
    }

    /** Encodes a list in order (batched through the native tokenizer). */
    public List<EncodedExample> encodeAll(List<Example> xs, Task task) {
        List<EncodedExample> out = new ArrayList<>(xs.size());
        for (int start = 0; start < xs.size(); start += CHUNK) {
            List<Example> chunk = xs.subList(start, Math.min(xs.size(), start + CHUNK));
            // Runs of singles and runs of pairs go to the native batch encoder separately.
            int i = 0;
            while (i < chunk.size()) {
                boolean pair = chunk.get(i).isPair();
                int j = i;
                while (j < chunk.size() && chunk.get(j).isPair() == pair) {
                    j++;
                }
                List<Example> run = chunk.subList(i, j);
                Encoding[] enc;
                if (pair) {
                    PairList<String, String> pairs = new PairList<>(run.size());
                    run.forEach(x -> pairs.add(x.textA(), x.textB()));
                    enc = tokenizer.batchEncode(pairs);
                } else {
                    enc = tokenizer.batchEncode(run.stream().map(Example::textA).toList());
                }
                for (int k = 0; k < run.size(); k++) {
                    out.add(toEncoded(enc[k], run.get(k), task));
                }
                i = j;
            }
        }
        return out;
    }

    /**
     * {@link #encodeAll}, but a split this process encoded before under the same {@link #cacheKey} comes back
     * from memory: an experiment's cells score the same GLUE test set again and again (MNLI's 9815 pairs take
     * ~2 s to tokenise, its key ~0.1 s to hash). Holds the {@value #MEMO_SPLITS} most recently used splits.
     */
    public List<EncodedExample> encodeAllMemoized(List<Example> xs, Task task) {
        String key = cacheKey(xs, task);
        List<EncodedExample> known = MEMO.get(key);
        if (known != null) {
            return known;
        }
        List<EncodedExample> encoded = List.copyOf(encodeAll(xs, task));
        MEMO.put(key, encoded);
        return encoded;
    }

    /** A digest of everything the encoding depends on: the key of {@link #encodeAllMemoized}. */
    public String cacheKey(List<Example> xs, Task task) {
        MessageDigest md = sha256();
        for (Example x : xs) {
            update(md, x.textA());
            update(md, x.textB());
            update(md, x.label());
        }
        return "tokenizer=" + tokenizerSha256 + ";maxLength=" + maxLength + ";task=" + task.name() + ";labels="
                + task.labels() + ";n=" + xs.size() + ";examples="
                + HexFormat.of().formatHex(md.digest());
    }

    private EncodedExample toEncoded(Encoding e, Example x, Task task) {
        long[] ids = e.getIds();
        long[] types = e.getTypeIds();
        int[] inputIds = new int[ids.length];
        int[] typeIds = new int[types.length];
        for (int i = 0; i < ids.length; i++) {
            inputIds[i] = Math.toIntExact(ids[i]);
            typeIds[i] = Math.toIntExact(types[i]);
        }
        int labelIndex = -1;
        float target = Float.NaN;
        if (x.label() != null) {
            if (task.isRegression()) {
                try {
                    target = Float.parseFloat(x.label());
                } catch (NumberFormatException bad) {
                    throw new IllegalArgumentException(
                            "task " + task.name() + ": regression label '" + x.label() + "' is not a number", bad);
                }
            } else {
                labelIndex = task.labelIndex(x.label());
            }
        }
        return new EncodedExample(inputIds, typeIds, labelIndex, target);
    }

    /** padding.pad_id if the file configures padding, else the vocabulary's [PAD] or &lt;pad&gt; token. */
    private static int findPadId(Path file, byte[] bytes) throws IOException {
        JsonNode root = Json.PLAIN.readTree(bytes);
        JsonNode padding = root.path("padding");
        if (padding.has("pad_id")) {
            return padding.get("pad_id").asInt();
        }
        for (String token : List.of("[PAD]", "<pad>")) {
            for (JsonNode added : root.path("added_tokens")) {
                if (token.equals(added.path("content").asText())) {
                    return added.path("id").asInt();
                }
            }
            JsonNode id = root.path("model").path("vocab").get(token);
            if (id != null && id.isInt()) {
                return id.asInt();
            }
        }
        throw new IOException(file + ": no padding token ([PAD] or <pad>) and no padding.pad_id");
    }

    private static void update(MessageDigest md, String s) {
        if (s == null) {
            md.update((byte) 0);
        } else {
            md.update((byte) 1);
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            md.update(new byte[] {
                (byte) (b.length >>> 24), (byte) (b.length >>> 16), (byte) (b.length >>> 8), (byte) b.length
            });
            md.update(b);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
