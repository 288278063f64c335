package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mera.experiment.cell.MeraCellRunner;
import org.mera.io.SafeTensors;

/**
 * One small experiment, end to end through the runner, on the tiny RoBERTa and DistilBERT directories of
 * src/test/resources/families named in {@code encoders:} by path: two source adapters trained on their pools,
 * adapter tuning, their average merged and fine-tuned, and AdapterFusion over them. The cached source adapters
 * are AdapterHub directories under the family's own module names.
 */
class FamilyExperimentTest {
    private static final String[] WORDS = {
        "river",
        "dog",
        "guitar",
        "library",
        "company",
        "weather",
        "meeting",
        "field",
        "capital",
        "children",
        "profits",
        "stage"
    };

    @ParameterizedTest
    @ValueSource(strings = {"roberta-tiny", "distilbert-tiny"})
    void adapterMergeAndFusionCellsRun(String family, @TempDir Path tmp) throws Exception {
        Path encoder = Path.of(Objects.requireNonNull(getClass().getResource("/families/" + family))
                .toURI());
        Path target = task(tmp.resolve("target"), "target", false);
        Path a = task(tmp.resolve("src-a"), "src-a", true);
        Path b = task(tmp.resolve("src-b"), "src-b", true);
        Path file = tmp.resolve("c.yaml");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "name: " + family,
                        "outputDir: " + tmp.resolve("out"),
                        "cacheDir: " + tmp.resolve("cache"),
                        "encoders: [" + encoder + "]",
                        "targets: [" + target + "]",
                        "sources: [" + a + ", " + b + "]",
                        "k: [4]",
                        "seeds: [13]",
                        "methods: [adapter, mera-average, fusion]",
                        "hyperparameters:",
                        "  default: {lr: 0.001, steps: 3, batchSize: 4, sourceSteps: 4, sourceBatchSize: 4}",
                        ""));
        ExperimentConfig config = ExperimentConfig.load(file);
        ExperimentRunner.Summary s = new ExperimentRunner(
                        config, new MeraCellRunner(new ArtifactCache(config.effectiveCacheDir()), false))
                .progressTo(new PrintStream(OutputStream.nullOutputStream()), false)
                .run();
        assertTrue(s.complete(), s.failures().toString());
        Map<String, ResultRecord> byMethod = new HashMap<>();
        ResultStore.read(s.resultsFile()).byKey().values().forEach(r -> byMethod.put(r.method(), r));
        assertEquals(
                List.of("adapter", "fusion", "mera-average"),
                byMethod.keySet().stream().sorted().toList());
        for (ResultRecord r : byMethod.values()) {
            double acc = r.metrics().get("accuracy");
            assertTrue(acc >= 0 && acc <= 1, r.method() + ": " + r.metrics());
        }
        // the source adapters were written in AdapterHub's naming for this family
        String site = family.startsWith("roberta")
                ? "roberta.encoder.layer.1.output.adapters."
                : "distilbert.transformer.layer.1.output_adapters.adapters.";
        List<Path> weights = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(tmp.resolve("cache"))) {
            walk.filter(p -> p.getFileName().toString().equals(org.mera.adapter.AdapterHubFormat.WEIGHTS))
                    .forEach(weights::add);
        }
        assertEquals(2, weights.size(), "one cached source adapter per source task: " + weights);
        for (Path w : weights) {
            assertTrue(
                    SafeTensors.read(w).tensors().keySet().stream().anyMatch(k -> k.startsWith(site)),
                    w + ": " + SafeTensors.read(w).tensors().keySet());
        }
    }

    /** A two-class task over short sentences; a source task has a pool (train, dev), a target k-shot splits and a test. */
    private static Path task(Path dir, String name, boolean source) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("task.yaml"),
                String.join(
                        "\n",
                        "name: " + name,
                        "kind: classification",
                        "text: text",
                        "label: label",
                        "labels: ['0', '1']",
                        "metrics: [accuracy]",
                        ""));
        int salt = name.hashCode() & 7;
        if (source) {
            write(dir.resolve("pool/train.jsonl"), name, 0, 16, salt);
            write(dir.resolve("pool/dev.jsonl"), name, 16, 8, salt);
        } else {
            write(dir.resolve("k-shot/4-13/train.jsonl"), name, 0, 8, salt);
            write(dir.resolve("k-shot/4-13/dev.jsonl"), name, 8, 8, salt);
            write(dir.resolve("test.jsonl"), name, 16, 8, salt);
        }
        return dir;
    }

    /** Rows {@code from..from+n-1}: texts differ across tasks (the runner removes a source row that is a target's text). */
    private static void write(Path file, String task, int from, int n, int salt) throws Exception {
        Files.createDirectories(file.getParent());
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + n; i++) {
            String text = "the " + WORDS[(i + salt) % WORDS.length] + " and the " + WORDS[(i * 5 + salt) % WORDS.length]
                    + " in " + task + " number " + i;
            sb.append("{\"text\": \"")
                    .append(text)
                    .append("\", \"label\": \"")
                    .append(i % 2)
                    .append("\"}\n");
        }
        Files.writeString(file, sb.toString());
    }
}
