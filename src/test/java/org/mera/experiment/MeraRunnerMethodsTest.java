package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.experiment.cell.MeraCellRunner;
import org.mera.experiment.report.ReportWriter;
import org.mera.experiment.report.ResultsFolder;

/**
 * Every source-using method of the real runner completes on a tiny encoder and real GLUE slices, and records
 * what it did: which sources mera-auto chose (from the k-shot splits), alignment distances for
 * activation-based OT, fusion's parameter count.
 */
@Tag("glue")
class MeraRunnerMethodsTest {
    @Test
    void autoActivationOtAndFusionRun(@TempDir Path tmp) throws Exception {
        Path encoder = TinyGlue.encoder(tmp.resolve("tiny-bert"));
        Path data = TinyGlue.data(tmp.resolve("glue"), List.of(13));
        Path config = tmp.resolve("c.yaml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "name: methods",
                        "dataRoot: " + data,
                        "outputDir: " + tmp.resolve("out"),
                        "encoders: [" + encoder + "]",
                        "targets: [RTE]",
                        "seeds: [13]",
                        "methods: [mera-auto, mera-ot, mera-sum, fusion]",
                        "sources: [MRPC, SST-2]",
                        "hyperparameters:",
                        "  default: {lr: 0.001, epochs: 1, batchSize: 8, sourceSteps: 4, sourceBatchSize: 16}",
                        "  mera-auto: {autoTop: 1, autoSteps: 3}",
                        "  mera-ot: {alignment: acts, alignmentExamples: 8}",
                        ""));
        ExperimentConfig c = ExperimentConfig.load(config);
        ExperimentRunner.Summary s = new ExperimentRunner(
                        c, new MeraCellRunner(new ArtifactCache(c.effectiveCacheDir()), false))
                .progressTo(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), false)
                .run();
        assertTrue(s.complete(), s.failures().toString());
        Map<String, ResultRecord> byMethod = new java.util.HashMap<>();
        ResultStore.read(s.resultsFile()).byKey().values().forEach(r -> byMethod.put(r.method(), r));
        assertEquals(4, byMethod.size());
        assertEquals(
                "sum",
                byMethod.get("mera-sum").extra().get("merge"),
                byMethod.get("mera-sum").extra().toString());
        Map<String, Object> auto = byMethod.get("mera-auto").extra();
        assertEquals(1, ((List<?>) auto.get("autoChosen")).size(), auto.toString());
        assertEquals(2, ((Map<?, ?>) auto.get("autoRanking")).size(), auto.toString());
        Map<String, Object> ot = byMethod.get("mera-ot").extra();
        assertTrue(
                ((Number) ot.get("alignmentDistanceAfter")).doubleValue()
                        <= ((Number) ot.get("alignmentDistanceBefore")).doubleValue() + 1e-9,
                ot.toString());
        // fusion trains Q, K, V per layer (3H^2 + 2H with H = 32, 2 layers) plus the head
        long fusionParams = ((Number) byMethod.get("fusion").extra().get("trainableParams")).longValue();
        assertEquals(2 * (3 * 32 * 32 + 2 * 32) + (32 * 32 + 32) + (2 * 32 + 2), fusionParams);
        for (ResultRecord r : byMethod.values()) {
            assertTrue(r.metrics().containsKey("accuracy"), r.metrics().toString());
            // The stored per-example predictions are the ones scored: same count as the test file, same accuracy.
            CellPredictions p = CellPredictions.read(CellPredictions.file(c.outputDir(), r.key()));
            List<org.mera.data.Example> test =
                    org.mera.data.ExampleReader.read(data.resolve("RTE/test.tsv"), org.mera.data.GlueTasks.RTE);
            assertEquals(test.size(), p.size(), r.method());
            assertEquals(org.mera.data.GlueTasks.RTE.labelIndex(test.get(0).label()), p.goldClasses()[0]);
            assertEquals(r.metrics().get("accuracy"), p.score("accuracy"), 1e-12, r.method());
            List<org.mera.data.Example> train = org.mera.data.ExampleReader.read(
                    data.resolve("RTE/k-shot/16-13/train.tsv"), org.mera.data.GlueTasks.RTE);
            assertEquals(
                    train.size(),
                    java.util.Arrays.stream(p.trainClassCounts()).sum(),
                    "the k-shot training labels of seed 13");
        }
        Map<String, Object> env =
                ResultsFolder.read(c.outputDir()).runs().get(0).environment();
        assertTrue(String.valueOf(env.get("engine")).startsWith("PyTorch "), env.toString());
        assertEquals(ai.djl.pytorch.jni.JniUtils.getNumThreads(), ((Number) env.get("torchThreads")).intValue());
        assertTrue(env.containsKey("fastPath"), env.toString());
        String md = Files.readString(ReportWriter.write(c.outputDir()).markdown());
        int threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        assertTrue(md.contains(", " + threads + (threads == 1 ? " thread" : " threads")), md);
    }

    /**
     * lrGrid: each rate trains in full, the best k-shot dev score chooses (ties: the smaller rate), the cell reports
     * the chosen run (the same numbers as a cell run with that rate alone), and the report flags a choice on the edge.
     */
    @Test
    void learningRateIsChosenOnTheKShotDevSplit(@TempDir Path tmp) throws Exception {
        Path encoder = TinyGlue.encoder(tmp.resolve("tiny-bert"));
        Path data = TinyGlue.data(tmp.resolve("glue"), List.of(13));
        java.util.function.BiFunction<String, String, ExperimentConfig> config = (name, lr) -> {
            try {
                Path file = tmp.resolve(name + ".yaml");
                Files.writeString(
                        file,
                        String.join(
                                "\n",
                                "name: " + name,
                                "dataRoot: " + data,
                                "outputDir: " + tmp.resolve(name),
                                "cacheDir: " + tmp.resolve("cache"),
                                "encoders: [" + encoder + "]",
                                "targets: [RTE]",
                                "seeds: [13]",
                                "methods: [adapter]",
                                "hyperparameters:",
                                "  default: {" + lr + ", steps: 6, evalEvery: 2, batchSize: 8}",
                                ""));
                return ExperimentConfig.load(file);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        ExperimentConfig grid = config.apply("grid", "lrGrid: [1.0e-2, 1.0e-5, 1.0e-3]");
        assertTrue(new ExperimentRunner(grid, new MeraCellRunner(new ArtifactCache(grid.effectiveCacheDir()), false))
                .progressTo(quiet, false)
                .run()
                .complete());
        ResultRecord r = ResultStore.read(grid.outputDir().resolve(ExperimentRunner.RESULTS_FILE))
                .byKey()
                .values()
                .iterator()
                .next();
        assertEquals(List.of(1e-5, 1e-3, 1e-2), r.extra().get("lrGrid"), "the grid is kept in ascending order");
        @SuppressWarnings("unchecked")
        Map<String, Double> dev = (Map<String, Double>) r.extra().get("lrGridDev");
        assertEquals(3, dev.size());
        double best =
                dev.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double expectedLr = dev.entrySet().stream()
                .filter(e -> e.getValue() == best)
                .mapToDouble(e -> Double.parseDouble(e.getKey()))
                .min()
                .orElseThrow();
        double chosen = ((Number) r.extra().get("lr")).doubleValue();
        assertEquals(expectedLr, chosen, 0.0, "the best dev score chooses, ties to the smaller rate: " + dev);
        assertEquals(best, r.metrics().get("dev_accuracy"), 1e-12, "the reported dev score is the chosen run's");
        assertEquals(chosen != 1e-3, r.extra().get("lrOnGridEdge"));
        int bestStep = ((Number) r.extra().get("bestStep")).intValue();
        assertTrue(bestStep >= 1 && bestStep <= 6, "best state within the 6-step budget: " + bestStep);

        // The same cell with the chosen rate alone trains the same model: the grid only chooses.
        ExperimentConfig alone = config.apply("alone", "lr: " + chosen);
        assertTrue(new ExperimentRunner(alone, new MeraCellRunner(new ArtifactCache(alone.effectiveCacheDir()), false))
                .progressTo(quiet, false)
                .run()
                .complete());
        ResultRecord single = ResultStore.read(alone.outputDir().resolve(ExperimentRunner.RESULTS_FILE))
                .byKey()
                .values()
                .iterator()
                .next();
        assertEquals(single.metrics(), r.metrics());
        assertEquals(
                CellPredictions.read(CellPredictions.file(alone.outputDir(), single.key())),
                CellPredictions.read(CellPredictions.file(grid.outputDir(), r.key())));

        String md = Files.readString(ReportWriter.write(grid.outputDir()).markdown());
        assertTrue(md.contains("## Learning-rate selection"), md);
        assertTrue(md.contains("| RTE | adapter | 1e-5, 1e-3, 1e-2 | 13: "), md);
        // one seed: an edge choice is every seed at the same edge, the one case flagged
        assertTrue(
                md.contains(chosen != 1e-3 ? "| ⚠ 1/1 (" + (chosen == 1e-5 ? "1 low" : "1 high") + ") |" : "| 0/1 |"),
                md);
    }

    /** A mean-pooled head is a config line; it gives its own source adapters and cells, and a wrong name is caught. */
    @Test
    void meanPoolingHasItsOwnSourceAdaptersAndCells(@TempDir Path tmp) throws Exception {
        Path encoder = TinyGlue.encoder(tmp.resolve("tiny-bert"));
        Path data = TinyGlue.data(tmp.resolve("glue"), List.of(13));
        java.util.function.Function<String, ExperimentConfig> config = pooling -> {
            try {
                Path file = tmp.resolve(pooling + ".yaml");
                Files.writeString(
                        file,
                        String.join(
                                "\n",
                                "name: pooling",
                                "dataRoot: " + data,
                                "outputDir: " + tmp.resolve("out"),
                                "cacheDir: " + tmp.resolve("cache"),
                                "encoders: [" + encoder + "]",
                                "targets: [RTE]",
                                "seeds: [13]",
                                "methods: [adapter, mera-average]",
                                "sources: [MRPC, SST-2]",
                                "hyperparameters:",
                                "  default: {lr: 0.001, epochs: 1, batchSize: 8, sourceSteps: 4, sourceBatchSize: 16"
                                        + (pooling.equals("unset") ? "" : ", pooling: " + pooling) + "}",
                                ""));
                return ExperimentConfig.load(file);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        for (String pooling : List.of("unset", "mean")) {
            ExperimentConfig c = config.apply(pooling);
            ExperimentRunner.Summary s = new ExperimentRunner(
                            c, new MeraCellRunner(new ArtifactCache(c.effectiveCacheDir()), false))
                    .progressTo(quiet, false)
                    .run();
            assertTrue(s.complete(), s.failures().toString());
            assertEquals(2, s.cellsRun(), pooling + ": both cells are new");
        }
        try (var cached = Files.list(tmp.resolve("cache"))) {
            assertEquals(
                    4,
                    cached.filter(p -> p.getFileName().toString().startsWith("source-adapter-"))
                            .count(),
                    "two source adapters per pooling");
        }
        ExperimentConfig wrong = config.apply("max");
        ValidationException e = org.junit.jupiter.api.Assertions.assertThrows(
                ValidationException.class,
                () -> new ExperimentRunner(
                                wrong, new MeraCellRunner(new ArtifactCache(wrong.effectiveCacheDir()), false))
                        .plan());
        assertTrue(
                e.getMessage().contains("hyperparameters.default.pooling")
                        && e.getMessage().contains("'max'"),
                e.getMessage());
    }
}
