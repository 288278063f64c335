package org.mera.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Checks that a state dict with HuggingFace BertModel names (no {@code bert.} prefix) is a complete, consistent
 * BERT encoder, and reads its dimensions off the weights (all but the head count, which weights do not show).
 */
public final class BertShapes {
    private BertShapes() {}

    public record Dimensions(
            int vocabSize,
            int hiddenSize,
            int numLayers,
            int intermediateSize,
            int maxPositionEmbeddings,
            int typeVocabSize,
            boolean hasPooler) {}

    /** Validates every tensor the encoder needs; {@code source} names the file for error messages. */
    public static Dimensions check(Map<String, Tensor> weights, Path source) throws MalformedFileException {
        Tensor word = need(weights, "embeddings.word_embeddings.weight", source);
        if (word.rank() != 2) {
            throw new MalformedFileException(
                    source,
                    "embeddings.word_embeddings.weight has shape " + word.shapeString() + ", expected [vocab, hidden]");
        }
        int vocab = word.dim(0);
        int hidden = word.dim(1);
        Tensor pos = need(weights, "embeddings.position_embeddings.weight", source);
        Tensor types = need(weights, "embeddings.token_type_embeddings.weight", source);
        expectMatrixWithCols(pos, "embeddings.position_embeddings.weight", hidden, source);
        expectMatrixWithCols(types, "embeddings.token_type_embeddings.weight", hidden, source);
        expect(weights, "embeddings.LayerNorm.weight", source, hidden);
        expect(weights, "embeddings.LayerNorm.bias", source, hidden);
        int layers = 0;
        while (weights.containsKey("encoder.layer." + layers + ".attention.self.query.weight")) {
            layers++;
        }
        if (layers == 0) {
            throw new MalformedFileException(
                    source, "no encoder layers (encoder.layer.0.attention.self.query.weight missing)");
        }
        Tensor inter0 = need(weights, "encoder.layer.0.intermediate.dense.weight", source);
        if (inter0.rank() != 2) {
            throw new MalformedFileException(
                    source,
                    "encoder.layer.0.intermediate.dense.weight has shape " + inter0.shapeString()
                            + ", expected [intermediate, hidden]");
        }
        int inter = inter0.dim(0);
        for (int i = 0; i < layers; i++) {
            String p = "encoder.layer." + i + ".";
            for (String qkv : new String[] {"query", "key", "value"}) {
                expect(weights, p + "attention.self." + qkv + ".weight", source, hidden, hidden);
                expect(weights, p + "attention.self." + qkv + ".bias", source, hidden);
            }
            expect(weights, p + "attention.output.dense.weight", source, hidden, hidden);
            expect(weights, p + "attention.output.dense.bias", source, hidden);
            expect(weights, p + "attention.output.LayerNorm.weight", source, hidden);
            expect(weights, p + "attention.output.LayerNorm.bias", source, hidden);
            expect(weights, p + "intermediate.dense.weight", source, inter, hidden);
            expect(weights, p + "intermediate.dense.bias", source, inter);
            expect(weights, p + "output.dense.weight", source, hidden, inter);
            expect(weights, p + "output.dense.bias", source, hidden);
            expect(weights, p + "output.LayerNorm.weight", source, hidden);
            expect(weights, p + "output.LayerNorm.bias", source, hidden);
        }
        boolean pooler = weights.containsKey("pooler.dense.weight") || weights.containsKey("pooler.dense.bias");
        if (pooler) {
            expect(weights, "pooler.dense.weight", source, hidden, hidden);
            expect(weights, "pooler.dense.bias", source, hidden);
        }
        return new Dimensions(vocab, hidden, layers, inter, pos.dim(0), types.dim(0), pooler);
    }

    private static Tensor need(Map<String, Tensor> weights, String name, Path source) throws MalformedFileException {
        Tensor t = weights.get(name);
        if (t == null) {
            throw new MalformedFileException(source, "missing BERT tensor " + name);
        }
        return t;
    }

    private static void expect(Map<String, Tensor> weights, String name, Path source, int... shape)
            throws MalformedFileException {
        Tensor t = need(weights, name, source);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new MalformedFileException(
                    source, name + " has shape " + t.shapeString() + ", expected " + Arrays.toString(shape));
        }
    }

    private static void expectMatrixWithCols(Tensor t, String name, int cols, Path source)
            throws MalformedFileException {
        if (t.rank() != 2 || t.dim(1) != cols) {
            throw new MalformedFileException(
                    source, name + " has shape " + t.shapeString() + ", expected [n, " + cols + "]");
        }
    }

    /**
     * The same tensors ordered as a PyTorch state dict lists them: embeddings, layers by number (not by string),
     * pooler, then anything else (e.g. the masked-LM head) by name.
     */
    public static Map<String, Tensor> canonicalOrder(Map<String, Tensor> weights) {
        java.util.List<String> names = new java.util.ArrayList<>(weights.keySet());
        names.sort(BertShapes::compareNames);
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (String n : names) {
            out.put(n, weights.get(n));
        }
        return out;
    }

    private static int rank(String name) {
        if (name.startsWith("embeddings.")) {
            return 0;
        }
        if (name.startsWith("encoder.")) {
            return 1;
        }
        if (name.startsWith("pooler.")) {
            return 2;
        }
        return 3;
    }

    private static final String[] LAYER_ORDER = {
        "attention.self.query.",
        "attention.self.key.",
        "attention.self.value.",
        "attention.output.dense.",
        "attention.output.LayerNorm.",
        "intermediate.dense.",
        "output.dense.",
        "output.LayerNorm."
    };

    private static final String[] EMBEDDING_ORDER = {
        "embeddings.word_embeddings.",
        "embeddings.position_embeddings.",
        "embeddings.token_type_embeddings.",
        "embeddings.LayerNorm."
    };

    private static int compareNames(String a, String b) {
        int c = Integer.compare(rank(a), rank(b));
        if (c != 0) {
            return c;
        }
        if (rank(a) == 0) {
            c = Integer.compare(indexOfPrefix(EMBEDDING_ORDER, a), indexOfPrefix(EMBEDDING_ORDER, b));
        } else if (rank(a) == 1) {
            c = Integer.compare(layerNumber(a), layerNumber(b));
            if (c == 0) {
                String ra = a.substring(a.indexOf('.', "encoder.layer.".length()) + 1);
                String rb = b.substring(b.indexOf('.', "encoder.layer.".length()) + 1);
                c = Integer.compare(indexOfPrefix(LAYER_ORDER, ra), indexOfPrefix(LAYER_ORDER, rb));
            }
        }
        if (c != 0) {
            return c;
        }
        // weight before bias, as PyTorch registers them
        boolean aw = a.endsWith(".weight");
        boolean bw = b.endsWith(".weight");
        String sa = a.substring(0, a.lastIndexOf('.') + 1);
        String sb = b.substring(0, b.lastIndexOf('.') + 1);
        if (sa.equals(sb) && aw != bw) {
            return aw ? -1 : 1;
        }
        return a.compareTo(b);
    }

    private static int indexOfPrefix(String[] prefixes, String name) {
        for (int i = 0; i < prefixes.length; i++) {
            if (name.startsWith(prefixes[i])) {
                return i;
            }
        }
        return prefixes.length;
    }

    private static int layerNumber(String name) {
        int start = "encoder.layer.".length();
        int end = name.indexOf('.', start);
        if (!name.startsWith("encoder.layer.") || end < 0) {
            return Integer.MAX_VALUE;
        }
        try {
            return Integer.parseInt(name.substring(start, end));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}
