package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.data.Example;
import org.mera.data.TaskDirectory;
import org.mera.experiment.cell.MeraCellRunner;
import org.mera.experiment.report.ReportWriter;

/**
 * A source pool row that is a target's evaluation text, in another tokenisation and with its pair reversed, is
 * removed before the source adapter trains; the counts land in the adapter's metadata, the cells that use it and the
 * report. The source adapter trains until its pool-dev score stops improving and is reused by a later grid. A target's
 * k-shot row inside its own test file is left out of the test set. Small task directories written here, a tiny BERT.
 */
class SourceDecontaminationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] SUBJECTS = {
        "The committee",
        "A local farmer",
        "The old bridge",
        "Our new teacher",
        "The city council",
        "A young pilot",
        "The museum",
        "That small company",
        "The river",
        "A famous singer",
        "The hospital",
        "The train"
    };
    private static final String[] PREDICATES = {
        "approved the budget on Monday",
        "sold twelve cows at the market",
        "was closed for repairs last week",
        "explained the lesson twice",
        "voted against the plan",
        "landed safely in the storm",
        "opened a new wing in May",
        "hired forty workers",
        "flooded the lower fields",
        "cancelled her summer tour",
        "treated 300 patients",
        "arrived an hour late"
    };

    /** Pair i: a sentence and a paraphrase (label 1) or an unrelated sentence (label 0); all texts distinct. */
    private static Example pair(int i) {
        String a = SUBJECTS[i % SUBJECTS.length] + " " + PREDICATES[(i * 5) % PREDICATES.length] + " in year "
                + (1900 + i) + ".";
        boolean paraphrase = i % 2 == 0;
        String b = paraphrase
                ? "In " + (1900 + i) + ", "
                        + a.toLowerCase(java.util.Locale.ROOT).replace(" in year " + (1900 + i) + ".", " indeed.")
                : SUBJECTS[(i + 3) % SUBJECTS.length] + " " + PREDICATES[(i + 7) % PREDICATES.length] + " (case " + i
                        + ").";
        return new Example(a, b, paraphrase ? "1" : "0");
    }

    private static String line(Example e) throws Exception {
        return JSON.writeValueAsString(Map.of("text_a", e.textA(), "text_b", e.textB(), "label", e.label()));
    }

    private static void write(Path file, List<Example> rows) throws Exception {
        Files.createDirectories(file.getParent());
        List<String> lines = new ArrayList<>();
        for (Example e : rows) {
            lines.add(line(e));
        }
        Files.write(file, lines);
    }

    /** MRPC-style tokenisation, with the two texts swapped: what a copy of the row in another task looks like. */
    private static Example retokenisedAndReversed(Example e, String label) {
        java.util.function.UnaryOperator<String> tok =
                s -> s.replaceAll("([.,()])", " $1 ").replace("'", " '").trim();
        return new Example(tok.apply(e.textB()), tok.apply(e.textA()).toUpperCase(java.util.Locale.ROOT), label);
    }

    private static void taskYaml(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("task.yaml"),
                String.join(
                        "\n",
                        "name: " + name,
                        "kind: classification",
                        "text: text_a",
                        "textPair: text_b",
                        "label: label",
                        "labels: ['0', '1']",
                        "metrics: [accuracy]",
                        "track: news",
                        ""));
    }

    @Test
    void aPoolRowThatIsATargetTestRowIsRemovedBeforeTrainingAndCounted(@TempDir Path tmp) throws Exception {
        Path encoder = TinyGlue.encoder(tmp.resolve("tiny-bert"));
        // Target "para": rows 0-7 k-shot train, 8-15 k-shot dev, 16-27 test plus k-shot train row 3 at the test's end.
        Path target = tmp.resolve("para");
        taskYaml(target, "para");
        List<Example> kTrain = new ArrayList<>();
        List<Example> kDev = new ArrayList<>();
        List<Example> test = new ArrayList<>();
        for (int i = 0; i < 28; i++) {
            (i < 8 ? kTrain : i < 16 ? kDev : test).add(pair(i));
        }
        test.add(kTrain.get(3));
        write(target.resolve("k-shot/4-13/train.jsonl"), kTrain);
        write(target.resolve("k-shot/4-13/dev.jsonl"), kDev);
        write(target.resolve("test.jsonl"), test);
        // Source "news": its own pairs 100-147, with the target's test row 20 (retokenised, reversed, relabelled) at
        // index 5
        // and its k-shot dev row 9 at index 30 of the pool's train split, and test row 25 in its dev split.
        Path source = tmp.resolve("news");
        taskYaml(source, "news");
        List<Example> poolTrain = new ArrayList<>();
        for (int i = 100; i < 148; i++) {
            poolTrain.add(pair(i));
        }
        poolTrain.add(5, retokenisedAndReversed(test.get(4), "0"));
        poolTrain.add(30, retokenisedAndReversed(kDev.get(1), "1"));
        List<Example> poolDev = new ArrayList<>();
        for (int i = 200; i < 216; i++) {
            poolDev.add(pair(i));
        }
        poolDev.add(retokenisedAndReversed(test.get(9), "1"));
        write(source.resolve("pool/train.jsonl"), poolTrain);
        write(source.resolve("pool/dev.jsonl"), poolDev);
        assertFalse(
                poolTrain.get(5).textA().equals(test.get(4).textA())
                        || poolTrain.get(5).textA().equals(test.get(4).textB()),
                "the copy is not the same string");

        ExperimentConfig config = config(tmp, encoder, target, source, tmp.resolve("out"));
        MeraCellRunner runner = new MeraCellRunner(new ArtifactCache(config.effectiveCacheDir()), false);
        Grid grid = new ExperimentRunner(config, runner).plan();
        assertEquals(1, grid.size());
        Cell cell = grid.cells().get(0);
        ContaminationReference.CleanedPool cleaned = cell.decontamination().clean(TaskDirectory.open(source));
        assertEquals(List.of(5, 30), cleaned.train().removedIndexes());
        assertEquals(48, cleaned.train().kept().size());
        assertFalse(
                cleaned.train().kept().contains(poolTrain.get(5))
                        || cleaned.train().kept().contains(poolTrain.get(30)),
                "the training rows handed to the trainer");
        assertEquals(List.of(16), cleaned.dev().removedIndexes());

        // --sources-only: the source adapter is trained into the cache and no cell runs
        ExperimentRunner.PreparationSummary prepared = new ExperimentRunner(config, runner)
                .progressTo(new PrintStream(OutputStream.nullOutputStream()), false)
                .prepareOnly(java.util.Set.of());
        assertEquals(new ExperimentRunner.PreparationSummary(1, 1, 1), prepared);
        assertEquals(1, sourceAdapters(config.effectiveCacheDir()).size());
        assertFalse(Files.exists(config.outputDir().resolve(ExperimentRunner.RESULTS_FILE)), "no cell ran");
        long preparedAt = Files.getLastModifiedTime(
                        sourceAdapters(config.effectiveCacheDir()).get(0).resolve("metrics.json"))
                .toMillis();

        ExperimentRunner.Summary s = new ExperimentRunner(config, runner)
                .progressTo(new PrintStream(OutputStream.nullOutputStream()), false)
                .run();
        assertTrue(s.complete(), s.failures().toString());
        List<Path> adapters = sourceAdapters(config.effectiveCacheDir());
        assertEquals(1, adapters.size());
        assertEquals(
                preparedAt,
                Files.getLastModifiedTime(adapters.get(0).resolve("metrics.json"))
                        .toMillis(),
                "the cell used the prepared adapter");
        assertEquals(
                new ExperimentRunner.PreparationSummary(0, 0, 0),
                new ExperimentRunner(config, runner)
                        .progressTo(new PrintStream(OutputStream.nullOutputStream()), false)
                        .prepareOnly(java.util.Set.of()),
                "a finished grid needs none");
        JsonNode meta = JSON.readTree(adapters.get(0).resolve("metrics.json").toFile());
        assertEquals(50, meta.at("/decontamination/train/before").asInt());
        assertEquals(2, meta.at("/decontamination/train/removed").asInt());
        assertEquals(48, meta.at("/decontamination/train/kept").asInt());
        assertEquals(2, meta.at("/decontamination/train/byTarget/para").asInt());
        assertEquals(1, meta.at("/decontamination/dev/removed").asInt());
        // convergence: evaluated every 2 steps, patience 2, a 60-step budget; the best state is the one recorded
        int steps = meta.get("steps").asInt();
        int best = meta.get("bestStep").asInt();
        assertEquals(60, meta.get("stepBudget").asInt());
        assertTrue(best > 0 && best % 2 == 0 && best <= steps, meta.toString());
        assertTrue(meta.get("stoppedEarly").asBoolean(), "a 4-example head on a tiny random encoder plateaus: " + meta);
        assertEquals(best + 2 * 2, steps, "stops two evaluations after the best");
        assertTrue(meta.get("poolDevScore").isNumber() && meta.get("seconds").asDouble() > 0, meta.toString());

        ResultRecord r =
                ResultStore.read(s.resultsFile()).byKey().values().iterator().next();
        assertEquals(1, ((Number) r.extra().get("testRowsInKShot")).intValue());
        assertEquals(12, ((Number) r.extra().get("testRows")).intValue());
        assertEquals(List.of(12), r.extra().get("testRowsInKShotIndexes"));
        @SuppressWarnings("unchecked")
        Map<String, Object> used =
                (Map<String, Object>) ((Map<String, Object>) r.extra().get("sourceAdapters")).get("news");
        assertEquals(steps, ((Number) used.get("steps")).intValue());
        // which weights the cell merged, so a source trained again into other weights is told apart in the report
        assertEquals(
                org.mera.io.Json.sha256Hex(
                        Files.readAllBytes(adapters.get(0).resolve(org.mera.adapter.AdapterHubFormat.WEIGHTS))),
                used.get("weightsSha256"));
        assertEquals(
                2,
                ((Number) ((Map<?, ?>) ((Map<?, ?>) used.get("decontamination")).get("train")).get("removed"))
                        .intValue());

        ReportWriter.Output out = ReportWriter.write(s.resultsFile().getParent());
        String report = Files.readString(out.markdown());
        String html = Files.readString(out.html());
        assertTrue(
                html.contains("<h2>Source adapters</h2>") && html.contains("<td>para 2</td>"),
                "the HTML report has the table");
        assertTrue(
                report.contains(
                        "Test rows left out because they are the target's own k-shot rows (by seed): para (k=4) 13: 1."),
                report);
        assertTrue(report.contains("## Source adapters"), report);
        String row = report.lines()
                .filter(l -> l.startsWith("| news "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(report));
        assertTrue(row.contains("| 50 | 2 | para 2 |") && row.contains("| " + steps + " | " + best + " |"), row);
        // beside the pool-dev score, what learning nothing scores there, from the cleaned pool dev split's labels
        assertTrue(used.get("poolDevTrivial") instanceof Number, used.toString());
        assertTrue(
                row.contains(String.format(
                        java.util.Locale.ROOT,
                        "; learning nothing: %.1f",
                        100 * ((Number) used.get("poolDevTrivial")).doubleValue())),
                row);

        // A second grid on the same cache: the finished source adapter is reused, not trained again.
        long modified = Files.getLastModifiedTime(adapters.get(0).resolve("metrics.json"))
                .toMillis();
        ExperimentConfig again = config(tmp, encoder, target, source, tmp.resolve("out2"));
        ExperimentRunner.Summary s2 = new ExperimentRunner(
                        again, new MeraCellRunner(new ArtifactCache(again.effectiveCacheDir()), false))
                .progressTo(new PrintStream(OutputStream.nullOutputStream()), false)
                .run();
        assertTrue(s2.complete(), s2.failures().toString());
        assertEquals(1, s2.cellsRun());
        assertEquals(adapters, sourceAdapters(again.effectiveCacheDir()));
        assertEquals(
                modified,
                Files.getLastModifiedTime(adapters.get(0).resolve("metrics.json"))
                        .toMillis());
    }

    /**
     * A cell's key holds the rows decontamination removes from its sources' pools: a target added to the grid changes
     * the keys of the cells whose sources it takes rows from, and no other key (so a grid split over folders by target
     * still imports, as long as the parts' targets take the same rows out).
     */
    @Test
    void aNewTargetRerunsOnlyTheCellsWhosePoolsItCleans(@TempDir Path tmp) throws Exception {
        Path data = FakeGlue.create(
                tmp.resolve("glue"), List.of("MRPC", "RTE", "QNLI", "QQP", "SST-2"), List.of(16), List.of(13));
        java.util.function.Function<String, Grid> grid = targets -> {
            try {
                Path f = tmp.resolve(targets.replaceAll("[^A-Z]", "") + ".yaml");
                Files.writeString(
                        f,
                        String.join(
                                "\n",
                                "name: g",
                                "dataRoot: glue",
                                "outputDir: out",
                                "encoders: [e]",
                                "targets: [" + targets + "]",
                                "seeds: [13]",
                                "methods: [adapter, single]",
                                "sources: [QQP, SST-2]",
                                ""));
                return Grid.expand(ExperimentConfig.load(f), "v", Hyperparameters.KNOWN);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        };
        java.util.function.Function<Grid, Map<String, String>> keys = g -> {
            Map<String, String> m = new java.util.TreeMap<>();
            g.cells().stream().filter(c -> !c.task().equals("QNLI")).forEach(c -> m.put(c.describe(), c.key()));
            return m;
        };
        Map<String, String> before = keys.apply(grid.apply("MRPC, RTE"));
        assertEquals(
                before, keys.apply(grid.apply("MRPC, RTE, QNLI")), "QNLI's files hold no pool row: no key changes");
        // QNLI's test file now holds QQP's pool row, in another tokenisation and order.
        Files.writeString(
                data.resolve("QNLI/test.jsonl"),
                "{\"text_a\": \"SECOND 0\", \"text_b\": \"qqp-pool 0\", \"label\": \"entailment\"}\n");
        Map<String, String> after = keys.apply(grid.apply("MRPC, RTE, QNLI"));
        for (String cell : before.keySet()) {
            boolean usesQqp = cell.endsWith("single[QQP]");
            assertEquals(usesQqp, !before.get(cell).equals(after.get(cell)), cell);
        }
        Grid g = grid.apply("MRPC, RTE, QNLI");
        assertEquals(
                Map.of("QNLI", 1),
                g.cells()
                        .get(0)
                        .decontamination()
                        .clean(TaskDirectory.under(data, org.mera.data.GlueTasks.QQP))
                        .train()
                        .removedByOwner());
    }

    /**
     * The convergence settings are known, range-checked keys (SourceAdapterStoreKeysTest: every key the source adapters
     * read is known).
     */
    @Test
    void convergenceSettingsAreValidatedKeys(@TempDir Path tmp) throws Exception {
        Hyperparameters defaults =
                Hyperparameters.resolve(Method.MERA_OT, Map.of(), Hyperparameters.KNOWN, new ArrayList<>());
        assertEquals(Hyperparameters.SOURCE_STEP_BUDGET, defaults.getInt("sourceSteps"));
        assertEquals(100, defaults.getInt("sourceEvalEvery"));
        assertEquals(5, defaults.getInt("sourcePatience"));
        Path target = tmp.resolve("para");
        taskYaml(target, "para");
        write(target.resolve("k-shot/4-13/train.jsonl"), List.of(pair(0), pair(1)));
        write(target.resolve("k-shot/4-13/dev.jsonl"), List.of(pair(2), pair(3)));
        write(target.resolve("test.jsonl"), List.of(pair(4), pair(5)));
        Path source = tmp.resolve("news");
        taskYaml(source, "news");
        write(source.resolve("pool/train.jsonl"), List.of(pair(6), pair(7)));
        write(source.resolve("pool/dev.jsonl"), List.of(pair(8), pair(9)));
        Path file = tmp.resolve("bad.yaml");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "name: bad",
                        "outputDir: " + tmp.resolve("out"),
                        "encoders: [minilm]",
                        "targets: [" + target + "]",
                        "sources: [" + source + "]",
                        "k: [4]",
                        "seeds: [13]",
                        "methods: [single]",
                        "hyperparameters:",
                        "  default: {sourcePatience: -1, sourceEvalEvery: 2.5}",
                        ""));
        ExperimentConfig bad = ExperimentConfig.load(file);
        ValidationException e = org.junit.jupiter.api.Assertions.assertThrows(
                ValidationException.class,
                () -> new ExperimentRunner(bad, new MeraCellRunner(new ArtifactCache(tmp.resolve("cache")), false))
                        .plan());
        assertTrue(
                e.getMessage().contains("hyperparameters.default.sourcePatience: -1 is out of range"), e.getMessage());
        assertTrue(
                e.getMessage().contains("hyperparameters.default.sourceEvalEvery: expected a whole number"),
                e.getMessage());
    }

    private static List<Path> sourceAdapters(Path cache) throws Exception {
        try (var s = Files.list(cache)) {
            return s.filter(p -> p.getFileName().toString().startsWith("source-adapter-"))
                    .sorted()
                    .toList();
        }
    }

    private static ExperimentConfig config(Path tmp, Path encoder, Path target, Path source, Path out)
            throws Exception {
        Path file = tmp.resolve(out.getFileName() + ".yaml");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "name: decontamination",
                        "outputDir: " + out,
                        "cacheDir: " + tmp.resolve("cache"),
                        "encoders: [" + encoder + "]",
                        "targets: [" + target + "]",
                        "sources: [" + source + "]",
                        "k: [4]",
                        "seeds: [13]",
                        "methods: [single]",
                        "hyperparameters:",
                        "  default: {lr: 0.001, steps: 2, batchSize: 4, sourceSteps: 60, sourceBatchSize: 8, sourceEvalEvery: 2, "
                                + "sourcePatience: 2, sourceLr: 0.001}",
                        ""));
        return ExperimentConfig.load(file);
    }
}
