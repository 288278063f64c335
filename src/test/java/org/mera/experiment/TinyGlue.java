package org.mera.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mera.io.BertConfig;
import org.mera.io.BertShapes;
import org.mera.io.HfModelDirectory;
import org.mera.io.Tensor;
import org.mera.model.ModelCatalog;

/** A tiny random BERT (real tokenizer) and small slices of the real GLUE data, for fast end-to-end grids. */
public final class TinyGlue {
    static final Path GLUE = org.mera.GlueData.ROOT;

    private TinyGlue() {}

    /** A 2-layer, hidden-32 BERT with random weights and minilm's WordPiece tokenizer. */
    public static Path encoder(Path dir) throws IOException {
        Map<String, Tensor> w = weights(30522, 512, 32, 64, 5);
        String tokenizer = Files.readString(
                ModelCatalog.fromEnvironment().resolve("minilm").resolve("tokenizer.json"));
        HfModelDirectory.write(dir, BertConfig.bert(BertShapes.check(w, dir), 2, false, true), w, tokenizer);
        return dir;
    }

    /** Random weights of a 2-layer BERT (HF BertModel names, zero biases, unit LayerNorm scales). */
    public static Map<String, Tensor> weights(int v, int positions, int h, int f, long seed) {
        Random rnd = new Random(seed);
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("embeddings.word_embeddings.weight", normal(rnd, v, h));
        w.put("embeddings.position_embeddings.weight", normal(rnd, positions, h));
        w.put("embeddings.token_type_embeddings.weight", normal(rnd, 2, h));
        ln(w, "embeddings.LayerNorm", h);
        for (int i = 0; i < 2; i++) {
            String p = "encoder.layer." + i + ".";
            for (String s : List.of(
                    "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense")) {
                w.put(p + s + ".weight", normal(rnd, h, h));
                w.put(p + s + ".bias", Tensor.zeros(h));
            }
            ln(w, p + "attention.output.LayerNorm", h);
            w.put(p + "intermediate.dense.weight", normal(rnd, f, h));
            w.put(p + "intermediate.dense.bias", Tensor.zeros(f));
            w.put(p + "output.dense.weight", normal(rnd, h, f));
            w.put(p + "output.dense.bias", Tensor.zeros(h));
            ln(w, p + "output.LayerNorm", h);
        }
        return w;
    }

    /** RTE's k-shot splits for {@code seeds} with a 40-example test set; MRPC and SST-2 pools cut to 64/32 rows. */
    static Path data(Path root, List<Integer> seeds) throws IOException {
        for (int seed : seeds) {
            for (String f : List.of("train.tsv", "dev.tsv")) {
                copy(
                        GLUE.resolve("RTE/k-shot/16-" + seed + "/" + f),
                        root.resolve("RTE/k-shot/16-" + seed + "/" + f),
                        1000);
            }
        }
        copy(GLUE.resolve("RTE/test.tsv"), root.resolve("RTE/test.tsv"), 41);
        for (String t : List.of("MRPC", "SST-2")) {
            copy(GLUE.resolve(t + "/pool/train.jsonl"), root.resolve(t + "/pool/train.jsonl"), 64);
            copy(GLUE.resolve(t + "/pool/dev.jsonl"), root.resolve(t + "/pool/dev.jsonl"), 32);
        }
        return root;
    }

    private static void copy(Path from, Path to, int lines) throws IOException {
        org.mera.GlueData.file(GLUE.relativize(from).toString());
        Files.createDirectories(to.getParent());
        List<String> all = Files.readAllLines(from);
        Files.write(to, all.subList(0, Math.min(lines, all.size())));
    }

    private static void ln(Map<String, Tensor> w, String prefix, int h) {
        Tensor g = Tensor.zeros(h);
        java.util.Arrays.fill(g.data(), 1f);
        w.put(prefix + ".weight", g);
        w.put(prefix + ".bias", Tensor.zeros(h));
    }

    private static Tensor normal(Random rnd, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) (rnd.nextGaussian() * 0.02);
        }
        return t;
    }
}
