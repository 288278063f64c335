package org.mera.spark;

import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.ResultRecord;
import org.mera.experiment.ResultStore;
import org.mera.io.BertConfig;
import org.mera.io.BertShapes;
import org.mera.io.HfModelDirectory;
import org.mera.io.Tensor;
import org.mera.model.ModelCatalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A grid cheap enough for two shared cores with the real runner: a 2-layer hidden-32 random BERT (minilm's tokenizer),
 * the core's hand-written trec6 task (k=4, seed 13) as target and two source tasks made of its similarity task, so
 * stage 1 trains two source adapters and stage 2 runs full, adapter, two single cells, two merges and fusion.
 */
final class TinyGrid {
    /** The core's test tasks (this module lives in spark/ beside the core's src/). */
    static final Path TASKS = Path.of("../src/test/resources/tasks").toAbsolutePath().normalize();
    static final int CELLS = 7;

    private TinyGrid() {
    }

    /** Writes the shared inputs (encoder, tasks) under {@code root}; returns root. */
    static Path inputs(Path root) throws IOException {
        encoder(root.resolve("tiny-bert"));
        copyTree(TASKS.resolve("trec6"), root.resolve("trec6"));
        copyTree(TASKS.resolve("similarity"), root.resolve("sim-a"));
        copyTree(TASKS.resolve("similarity"), root.resolve("sim-b"));
        for (String s : List.of("sim-a", "sim-b")) {
            Path yaml = root.resolve(s).resolve("task.yaml");
            Files.writeString(yaml, Files.readString(yaml).replace("name: similarity", "name: " + s));
        }
        return root;
    }

    /** A config over {@link #inputs} writing to {@code out}, with its own artifact cache there. */
    static Path config(Path inputs, Path file, Path out) throws IOException {
        Files.writeString(file, String.join("\n",
                "name: spark-tiny",
                "outputDir: " + out,
                "cacheDir: " + out.resolve("cache"),
                "encoders: [" + inputs.resolve("tiny-bert") + "]",
                "targets: [" + inputs.resolve("trec6") + "]",
                "k: [4]",
                "seeds: [13]",
                "methods: [full, adapter, single, mera-average, mera-ot, fusion]",
                "sources: [" + inputs.resolve("sim-a") + ", " + inputs.resolve("sim-b") + "]",
                "hyperparameters:",
                "  default: {lr: 0.001, steps: 3, batchSize: 4, sourceSteps: 4, sourceBatchSize: 4, sourceEvalEvery: 2}",
                ""));
        return file;
    }

    static ExperimentConfig load(Path file) throws IOException {
        return ExperimentConfig.load(file);
    }

    /**
     * Asserts two output folders hold the same cells with the same metrics, extras (less wall times) and predictions
     * files, byte for byte.
     */
    static void assertSameResults(Path expectedDir, Path actualDir) throws IOException {
        Map<String, ResultRecord> expected = ResultStore.read(expectedDir.resolve("results.jsonl")).byKey();
        Map<String, ResultRecord> actual = ResultStore.read(actualDir.resolve("results.jsonl")).byKey();
        assertEquals(CELLS, expected.size(), "the reference run is complete");
        assertEquals(expected.keySet(), actual.keySet(), "the same cell keys");
        for (String key : expected.keySet()) {
            ResultRecord e = expected.get(key);
            ResultRecord a = actual.get(key);
            String what = e.method() + (e.source() == null ? "" : "[" + e.source() + "]");
            assertEquals(e.metrics(), a.metrics(), "metrics of " + what);
            assertEquals(withoutTimes(e.extra()), withoutTimes(a.extra()), "extra of " + what);
            Path pe = expectedDir.resolve("predictions").resolve(key + ".bin.gz");
            Path pa = actualDir.resolve("predictions").resolve(key + ".bin.gz");
            assertTrue(Files.isRegularFile(pe), "reference predictions of " + what);
            assertEquals(org.mera.experiment.CellPredictions.read(pe), org.mera.experiment.CellPredictions.read(pa),
                    "predictions of " + what);
        }
    }

    /** The extra's values with every wall-time entry ("seconds", "...Seconds", "...Ms") removed, at any depth, as JSON text. */
    static String withoutTimes(Object value) throws IOException {
        return CellTasks.JSON.writeValueAsString(strip(CellTasks.JSON.readValue(CellTasks.JSON.writeValueAsString(value), Object.class)));
    }

    @SuppressWarnings("unchecked")
    private static Object strip(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            ((Map<String, Object>) m).forEach((k, x) -> {
                if (!(k.equals("seconds") || k.endsWith("Seconds") || k.endsWith("Ms"))) {
                    out.put(k, strip(x));
                }
            });
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(TinyGrid::strip).toList();
        }
        return v;
    }

    /** A 2-layer, hidden-32 BERT with random weights and minilm's WordPiece tokenizer (as the core's TinyGlue). */
    static Path encoder(Path dir) throws IOException {
        int v = 30522;
        int h = 32;
        int f = 64;
        Random rnd = new Random(5);
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("embeddings.word_embeddings.weight", normal(rnd, v, h));
        w.put("embeddings.position_embeddings.weight", normal(rnd, 512, h));
        w.put("embeddings.token_type_embeddings.weight", normal(rnd, 2, h));
        ln(w, "embeddings.LayerNorm", h);
        for (int i = 0; i < 2; i++) {
            String p = "encoder.layer." + i + ".";
            for (String s : List.of("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense")) {
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
        String tokenizer = Files.readString(ModelCatalog.fromEnvironment().resolve("minilm").resolve("tokenizer.json"));
        HfModelDirectory.write(dir, BertConfig.bert(BertShapes.check(w, dir), 2, false, true), w, tokenizer);
        return dir;
    }

    private static Tensor normal(Random rnd, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) (rnd.nextGaussian() * 0.02);
        }
        return t;
    }

    private static void ln(Map<String, Tensor> w, String prefix, int h) {
        Tensor g = Tensor.zeros(h);
        java.util.Arrays.fill(g.data(), 1f);
        w.put(prefix + ".weight", g);
        w.put(prefix + ".bias", Tensor.zeros(h));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
