package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.experiment.report.ReportWriter;
import org.mera.experiment.report.ResultsFolder;

class ConfigAndGridTest {
    static final List<String> TASKS = List.of("MRPC", "RTE", "MNLI", "QNLI", "SST-2", "QQP");

    static Path yaml(Path dir, String name, String... lines) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    @Test
    void cellsRunSeedMajorByDefaultAndTargetMajorOnRequestWithTheSameKeys(@TempDir Path tmp) throws IOException {
        FakeGlue.create(
                tmp.resolve("glue"),
                org.mera.data.GlueTasks.ALL.stream()
                        .map(org.mera.data.Task::name)
                        .toList(),
                List.of(16),
                ExperimentConfig.DEFAULT_SEEDS);
        ExperimentConfig c = ExperimentConfig.load(yaml(
                tmp,
                "o.yaml",
                "name: order",
                "dataRoot: glue",
                "outputDir: out",
                "encoders: [minilm]",
                "targets: [MRPC, RTE]",
                "seeds: [13, 21]",
                "methods: [adapter, full]"));
        Grid g = Grid.expand(c, "v1", Hyperparameters.KNOWN);
        List<String> seedMajor = g.cells().stream()
                .map(x -> x.task() + "/" + x.seed() + "/" + x.method().id())
                .toList();
        assertEquals(
                List.of(
                        "MRPC/13/adapter",
                        "MRPC/13/full",
                        "RTE/13/adapter",
                        "RTE/13/full",
                        "MRPC/21/adapter",
                        "MRPC/21/full",
                        "RTE/21/adapter",
                        "RTE/21/full"),
                seedMajor);
        Grid t = g.ordered(Grid.Order.TARGET);
        assertEquals(
                List.of(
                        "MRPC/13/adapter",
                        "MRPC/13/full",
                        "MRPC/21/adapter",
                        "MRPC/21/full",
                        "RTE/13/adapter",
                        "RTE/13/full",
                        "RTE/21/adapter",
                        "RTE/21/full"),
                t.cells().stream()
                        .map(x -> x.task() + "/" + x.seed() + "/" + x.method().id())
                        .toList());
        assertEquals(new java.util.TreeSet<>(keys(g)), new java.util.TreeSet<>(keys(t)), "order changes no cell");
        assertEquals(g.cells(), g.ordered(Grid.Order.SEED).cells());
    }

    @Test
    void loadsYamlWithDefaultsAndRelativePaths(@TempDir Path tmp) throws IOException {
        FakeGlue.create(
                tmp.resolve("glue"),
                org.mera.data.GlueTasks.ALL.stream()
                        .map(org.mera.data.Task::name)
                        .toList(),
                List.of(16),
                ExperimentConfig.DEFAULT_SEEDS);
        ExperimentConfig c = ExperimentConfig.load(yaml(
                tmp,
                "c.yaml",
                "name: demo",
                "dataRoot: glue",
                "outputDir: out",
                "encoders: [minilm]",
                "targets: [MRPC]",
                "methods: [full, mera-ot]",
                "hyperparameters:",
                "  mera-ot: {lr: 3.0e-4, otSolver: sinkhorn}"));
        assertEquals(tmp.resolve("glue"), c.dataRoot());
        assertEquals(List.of(13, 21, 42, 87, 100), c.seeds());
        assertEquals(List.of(16), c.k());
        assertFalse(c.allowTargetSource());
        assertEquals(List.of(), new ConfigValidator().validate(c));
        Grid g = Grid.expand(c, "v1", Hyperparameters.KNOWN);
        assertEquals(10, g.size());
        Cell ot = g.cells().get(1);
        assertEquals(Method.MERA_OT, ot.method());
        assertEquals(3.0e-4, ot.hyperparameters().getDouble("lr"));
        assertEquals("sinkhorn", ot.hyperparameters().getString("otSolver"));
        assertEquals(16, ot.hyperparameters().getInt("reductionFactor"));
        assertEquals(2e-5, g.cells().get(0).hyperparameters().getDouble("lr"), "full fine-tuning default");
        assertFalse(ot.sources().contains("MRPC"), "the target is never its own source by default");
        assertEquals(7, ot.sources().size(), "default sources: every other known task");
        assertEquals("f1", ot.primaryMetric());
        assertEquals("paraphrase", ot.track());
    }

    @Test
    void unknownFieldIsNamed(@TempDir Path tmp) throws IOException {
        Path f = yaml(tmp, "c.yaml", "name: x", "dataRoot: .", "outputDir: o", "encoder: [minilm]");
        IOException e = assertThrows(IOException.class, () -> ExperimentConfig.load(f));
        assertTrue(e.getMessage().contains("'encoder'") && e.getMessage().contains("encoders"), e.getMessage());
    }

    @Test
    void everyProblemIsListedAtOnce(@TempDir Path tmp) throws IOException {
        FakeGlue.create(tmp.resolve("glue"), List.of("MRPC", "SST-2", "MNLI"), List.of(16), List.of(13));
        Files.delete(tmp.resolve("glue")
                .resolve("MRPC")
                .resolve("k-shot")
                .resolve("16-13")
                .resolve("dev.jsonl"));
        ExperimentConfig c = ExperimentConfig.load(yaml(
                tmp,
                "c.yaml",
                "name: bad",
                "dataRoot: glue",
                "outputDir: out",
                "encoders: [minilm]",
                "targets: [MRPC, SST-2, WNLI]",
                "seeds: [13]",
                "k: [16, 0]",
                "methods: [adapter, mera-same-track, mera-magic, fusion]",
                "sources: [SST-2, MNLI]",
                "hyperparameters:",
                "  default: {lr: -1, batchSize: 2.5, lrr: 1}",
                "  mera-ot: {otSolver: hungarian}",
                "  fulll: {lr: 1.0e-5}"));
        ValidationException e =
                assertThrows(ValidationException.class, () -> Grid.expand(c, "v", Hyperparameters.KNOWN));
        String all = String.join("\n", e.problems());
        for (String expected : List.of(
                "targets[2]: task 'WNLI' is neither a directory nor a built-in task",
                "methods[2]: unknown method 'mera-magic'",
                "k[1]: 0 must be > 0",
                "hyperparameters.default.lr: -1.0 is out of range",
                "hyperparameters.default.batchSize: expected a whole number",
                "hyperparameters.default.lrr: unknown hyperparameter",
                "hyperparameters.mera-ot.otSolver: 'hungarian' is not one of [emd, sinkhorn]",
                "hyperparameters.fulll: not a method",
                "MRPC k=16 seed=13: no dev file",
                "mera-same-track for target MRPC needs at least one source adapter: no source task in MRPC's track 'paraphrase'",
                "mera-same-track for target SST-2 needs at least one source adapter: no source task in SST-2's track 'sentiment' other than SST-2 itself",
                "fusion for target SST-2 needs at least 2 source adapters to combine")) {
            assertTrue(all.contains(expected), "missing problem '" + expected + "' in:\n" + all);
        }
        assertEquals(e.problems().size(), new HashSet<>(e.problems()).size(), "no problem listed twice");
    }

    /**
     * Settings that are known keys but have one supported value are refused by validation itself, with the runner's
     * reason, so no runner accepts a config the experiment runner would reject; the supported value passes.
     */
    @Test
    void settingsWithOneSupportedValueAreRejectedUpFront(@TempDir Path tmp) throws IOException {
        FakeGlue.create(tmp.resolve("glue"), List.of("MRPC", "SST-2", "MNLI"), List.of(16), List.of(13));
        ExperimentConfig c = ExperimentConfig.load(yaml(
                tmp,
                "c.yaml",
                "name: bad",
                "dataRoot: glue",
                "outputDir: out",
                "encoders: [minilm]",
                "targets: [MRPC]",
                "seeds: [13]",
                "methods: [adapter, fusion]",
                "sources: [SST-2, MNLI]",
                "hyperparameters:",
                "  default: {maxLength: 256, patience: 3}",
                "  fusion: {fusionRegularization: 0.1, fusionTemperature: 2}"));
        String all = String.join("\n", new ConfigValidator().validate(c));
        for (String expected : List.of(
                "hyperparameters.default.maxLength: this runner truncates at 128 tokens",
                "hyperparameters.default.patience: early stopping is not supported; the best dev checkpoint is kept instead",
                "hyperparameters.fusion.fusionRegularization: AdapterHub's dynamic fusion uses 0.01",
                "hyperparameters.fusion.fusionTemperature: only temperature 1 is supported")) {
            assertTrue(all.contains(expected), "missing problem '" + expected + "' in:\n" + all);
        }
        ExperimentConfig ok = ExperimentConfig.load(yaml(
                tmp,
                "ok.yaml",
                "name: ok",
                "dataRoot: glue",
                "outputDir: out",
                "encoders: [minilm]",
                "targets: [MRPC]",
                "seeds: [13]",
                "methods: [adapter, fusion]",
                "sources: [SST-2, MNLI]",
                "hyperparameters:",
                "  default: {maxLength: 128, patience: 0}",
                "  fusion: {fusionRegularization: 0.01, fusionTemperature: 1}"));
        assertEquals(List.of(), new ConfigValidator().validate(ok));
    }

    @Test
    void allowTargetSourceIsTheOnlyWayATargetBecomesItsOwnSource(@TempDir Path tmp) throws IOException {
        FakeGlue.create(tmp.resolve("glue"), TASKS, List.of(16), List.of(13));
        String[] base = {
            "name: t",
            "dataRoot: glue",
            "outputDir: out",
            "encoders: [e]",
            "targets: [SST-2]",
            "seeds: [13]",
            "methods: [mera-same-track]"
        };
        ExperimentConfig off = ExperimentConfig.load(yaml(tmp, "off.yaml", base));
        assertFalse(new ConfigValidator().validate(off).isEmpty());
        String[] on = java.util.Arrays.copyOf(base, base.length + 1);
        on[base.length] = "allowTargetSource: true";
        ExperimentConfig c = ExperimentConfig.load(yaml(tmp, "on.yaml", on));
        Grid g = Grid.expand(c, "v", Hyperparameters.KNOWN);
        assertEquals(List.of("SST-2"), g.cells().get(0).sources());
    }

    @Test
    void excludeLeavesOutInapplicableCellsWithoutChangingTheOthersKeys(@TempDir Path tmp) throws IOException {
        FakeGlue.create(tmp.resolve("glue"), List.of("MRPC", "QQP", "SST-2", "RTE"), List.of(16), List.of(13));
        String[] base = {
            "name: t",
            "dataRoot: glue",
            "outputDir: out",
            "encoders: [e]",
            "targets: [MRPC, SST-2]",
            "seeds: [13]",
            "methods: [adapter, mera-same-track]"
        };
        ValidationException e = assertThrows(
                ValidationException.class,
                () -> Grid.expand(ExperimentConfig.load(yaml(tmp, "a.yaml", base)), "v", Hyperparameters.KNOWN));
        assertTrue(String.join("\n", e.problems()).contains("mera-same-track for target SST-2"), e.getMessage());

        String[] withExclude = java.util.Arrays.copyOf(base, base.length + 2);
        withExclude[base.length] = "exclude:";
        withExclude[base.length + 1] = "  - {targets: [SST-2], methods: [mera-same-track]}";
        Grid g = Grid.expand(ExperimentConfig.load(yaml(tmp, "b.yaml", withExclude)), "v", Hyperparameters.KNOWN);
        assertEquals(
                List.of("MRPC/adapter", "MRPC/mera-same-track", "SST-2/adapter"),
                g.cells().stream().map(c -> c.task() + "/" + c.method().id()).toList());

        String[] mrpcOnly = base.clone();
        mrpcOnly[4] = "targets: [MRPC]";
        Grid plain = Grid.expand(ExperimentConfig.load(yaml(tmp, "c.yaml", mrpcOnly)), "v", Hyperparameters.KNOWN);
        assertEquals(keys(plain), keys(g).subList(0, 2), "an exclusion does not change the keys of the cells it keeps");

        String[] typo = java.util.Arrays.copyOf(base, base.length + 3);
        typo[base.length] = "exclude:";
        typo[base.length + 1] = "  - {targets: [SST2], methods: [mera-same-track]}";
        typo[base.length + 2] = "  - {}";
        ValidationException t = assertThrows(
                ValidationException.class,
                () -> Grid.expand(ExperimentConfig.load(yaml(tmp, "d.yaml", typo)), "v", Hyperparameters.KNOWN));
        String all = String.join("\n", t.problems());
        assertTrue(all.contains("exclude[0].targets: 'SST2' is not in the grid"), all);
        assertTrue(all.contains("exclude[1]: empty"), all);
    }

    @Test
    void keysChangeOnlyWhereTheResultWould(@TempDir Path tmp) throws IOException {
        Path data = FakeGlue.create(tmp.resolve("glue"), TASKS, List.of(16), List.of(13, 21));
        String[] base = {
            "name: a",
            "dataRoot: glue",
            "outputDir: out",
            "encoders: [e]",
            "targets: [MRPC, RTE]",
            "seeds: [13, 21]",
            "methods: [adapter, single, mera-ot]",
            "sources: [MNLI, QNLI, SST-2]"
        };
        Grid g0 = Grid.expand(ExperimentConfig.load(yaml(tmp, "a.yaml", base)), "v1", Hyperparameters.KNOWN);
        assertEquals(2 * 2 * (1 + 3 + 1), g0.size());
        assertEquals(g0.size(), g0.cells().stream().map(Cell::key).distinct().count(), "keys are unique");
        assertEquals(
                keys(g0),
                keys(Grid.expand(ExperimentConfig.load(yaml(tmp, "a2.yaml", base)), "v1", Hyperparameters.KNOWN)),
                "same config, same keys");

        String[] renamed = base.clone();
        renamed[0] = "name: renamed";
        renamed[2] = "outputDir: elsewhere";
        assertEquals(
                keys(g0),
                keys(Grid.expand(ExperimentConfig.load(yaml(tmp, "b.yaml", renamed)), "v1", Hyperparameters.KNOWN)));

        String[] lr = java.util.Arrays.copyOf(base, base.length + 2);
        lr[base.length] = "hyperparameters:";
        lr[base.length + 1] = "  mera-ot: {lr: 0.001}";
        Grid g1 = Grid.expand(ExperimentConfig.load(yaml(tmp, "c.yaml", lr)), "v1", Hyperparameters.KNOWN);
        assertEquals(changedMethods(g0, g1), Set.of("mera-ot"));
        assertEquals(4, changed(g0, g1).size());

        Files.writeString(
                data.resolve("QNLI/pool/train.jsonl"),
                "{\"text_a\": \"edited\", \"text_b\": \"b\", \"label\": \"entailment\"}\n",
                StandardOpenOption.APPEND);
        Grid g2 = Grid.expand(ExperimentConfig.load(yaml(tmp, "a3.yaml", base)), "v1", Hyperparameters.KNOWN);
        Set<Cell> c2 = changed(g0, g2);
        assertEquals(2 * 2 * 2, c2.size(), "single[QNLI] and mera-ot for both targets and seeds");
        assertTrue(c2.stream().allMatch(c -> c.sources().contains("QNLI")));

        Grid g3 = Grid.expand(ExperimentConfig.load(yaml(tmp, "a4.yaml", base)), "v2", Hyperparameters.KNOWN);
        assertEquals(g0.size(), changed(g2, g3).size(), "a new runner version re-runs everything");
    }

    @Test
    void aTrackAddedToAUserTargetKeepsItsFinishedCells(@TempDir Path tmp) throws IOException {
        // The README tells a user to add 'track:' to a target's task.yaml after a first run; the track decides only
        // which sources same-track merging takes (a cell's "sources" record that), so no other cell may re-run.
        Path target = tmp.resolve("para");
        String definition = String.join(
                "\n",
                "name: para",
                "kind: classification",
                "text: text_a",
                "textPair: text_b",
                "label: label",
                "labels: ['0', '1']",
                "metrics: [accuracy, f1]",
                "");
        Files.createDirectories(target.resolve("k-shot/4-13"));
        Files.writeString(target.resolve("task.yaml"), definition);
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            rows.append("{\"text_a\": \"a" + i + "\", \"text_b\": \"b" + i + "\", \"label\": \"" + (i % 2) + "\"}\n");
        }
        for (String f : List.of("k-shot/4-13/train.jsonl", "k-shot/4-13/dev.jsonl", "test.jsonl")) {
            Files.writeString(target.resolve(f), rows.toString().replace("\"a", "\"" + f.charAt(8) + "a"));
        }
        for (String s : List.of("news", "wire")) {
            Path source = tmp.resolve(s);
            Files.createDirectories(source.resolve("pool"));
            Files.writeString(
                    source.resolve("task.yaml"), definition.replace("name: para", "name: " + s) + "track: reports\n");
            Files.writeString(
                    source.resolve("pool/train.jsonl"), rows.toString().replace("\"a", "\"" + s + "a"));
            Files.writeString(source.resolve("pool/dev.jsonl"), rows.toString().replace("\"a", "\"" + s + "d"));
        }
        String[] config = {
            "name: byo",
            "outputDir: out",
            "encoders: [e]",
            "targets: [" + target + "]",
            "sources: [" + tmp.resolve("news") + ", " + tmp.resolve("wire") + "]",
            "k: [4]",
            "seeds: [13]",
            "methods: [adapter, full, single, mera-average]"
        };
        Grid before = Grid.expand(ExperimentConfig.load(yaml(tmp, "a.yaml", config)), "v1", Hyperparameters.KNOWN);
        assertEquals(5, before.size());

        Files.writeString(target.resolve("task.yaml"), definition + "track: reports\n");
        Grid withTrack = Grid.expand(ExperimentConfig.load(yaml(tmp, "b.yaml", config)), "v1", Hyperparameters.KNOWN);
        assertEquals(keys(before), keys(withTrack), "a track alone changes no cell");
        assertEquals("reports", withTrack.cells().get(0).track());

        Files.writeString(
                target.resolve("task.yaml"),
                definition.replace("metrics: [accuracy, f1]", "metrics: [f1, accuracy]") + "track: reports\n");
        Grid otherMetric = Grid.expand(ExperimentConfig.load(yaml(tmp, "c.yaml", config)), "v1", Hyperparameters.KNOWN);
        assertEquals(before.size(), changed(withTrack, otherMetric).size(), "another primary metric re-runs all");

        // A source's task.yaml: its track changes nothing; its label order changes the adapter trained on it, so the
        // cells that start from that source re-run, and only those.
        Path wire = tmp.resolve("wire/task.yaml");
        Files.writeString(wire, Files.readString(wire).replace("track: reports", "track: wires"));
        Grid sourceTrack = Grid.expand(ExperimentConfig.load(yaml(tmp, "d.yaml", config)), "v1", Hyperparameters.KNOWN);
        assertEquals(keys(otherMetric), keys(sourceTrack));
        Files.writeString(wire, Files.readString(wire).replace("labels: ['0', '1']", "labels: ['1', '0']"));
        Grid sourceLabels =
                Grid.expand(ExperimentConfig.load(yaml(tmp, "e.yaml", config)), "v1", Hyperparameters.KNOWN);
        assertEquals(
                Set.of("single[wire]", "mera-average"),
                changed(sourceTrack, sourceLabels).stream()
                        .map(Cell::methodLabel)
                        .collect(Collectors.toSet()));
    }

    @Test
    void rerunAfterAConfigChangeRunsOnlyTheChangedCells(@TempDir Path tmp) throws IOException {
        FakeGlue.create(tmp.resolve("glue"), TASKS, List.of(16), List.of(13, 21));
        String[] base = {
            "name: a",
            "dataRoot: glue",
            "outputDir: out",
            "encoders: [e]",
            "targets: [MRPC, RTE]",
            "seeds: [13, 21]",
            "methods: [adapter, mera-ot]",
            "sources: [MNLI, QNLI]"
        };
        AtomicInteger calls = new AtomicInteger();
        CellRunner counting = CheapCellRunner.wrapped("c", cell -> calls.incrementAndGet());
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        ExperimentRunner.Summary s1 = new ExperimentRunner(ExperimentConfig.load(yaml(tmp, "a.yaml", base)), counting)
                .progressTo(quiet, false)
                .run();
        assertEquals(8, s1.cellsRun());
        ExperimentRunner.Summary s2 = new ExperimentRunner(ExperimentConfig.load(yaml(tmp, "a.yaml", base)), counting)
                .progressTo(quiet, false)
                .run();
        assertEquals(0, s2.cellsRun());
        assertEquals(8, s2.cellsDoneBefore());
        String[] lr = java.util.Arrays.copyOf(base, base.length + 2);
        lr[base.length] = "hyperparameters:";
        lr[base.length + 1] = "  adapter: {lr: 0.002}";
        ExperimentRunner changedLr =
                new ExperimentRunner(ExperimentConfig.load(yaml(tmp, "b.yaml", lr)), counting).progressTo(quiet, false);
        Set<String> finished = changedLr.finishedKeys();
        assertEquals(
                4,
                changedLr.plan().cells().stream()
                        .filter(c -> !finished.contains(c.key()))
                        .count(),
                "what --dry-run lists as to run: the adapter cells whose learning rate changed");
        ExperimentRunner.Summary s3 = changedLr.run();
        assertEquals(4, s3.cellsRun());
        assertEquals(12, calls.get());
        assertEquals(
                12,
                Files.readAllLines(tmp.resolve("out").resolve(ExperimentRunner.RESULTS_FILE))
                        .size(),
                "append-only: the old adapter results stay in the file, the grid file says which are current");
    }

    @Test
    void aGridSplitOverTwoFoldersIsImportedWithoutRunningOrDoublingACell(@TempDir Path tmp) throws IOException {
        FakeGlue.create(tmp.resolve("glue"), TASKS, List.of(16), List.of(13, 21));
        String[] whole = {
            "name: whole",
            "dataRoot: glue",
            "outputDir: whole",
            "encoders: [e]",
            "targets: [MRPC, RTE, QNLI]",
            "seeds: [13, 21]",
            "methods: [adapter, mera-ot]",
            "sources: [MNLI, SST-2, QQP]"
        };
        String[] partA = whole.clone();
        partA[2] = "outputDir: part-a";
        partA[4] = "targets: [MRPC, RTE]";
        String[] partB = whole.clone();
        partB[2] = "outputDir: part-b";
        partB[4] = "targets: [QNLI, MNLI]";
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        AtomicInteger calls = new AtomicInteger();
        CellRunner counting = CheapCellRunner.wrapped("c", cell -> calls.incrementAndGet());
        new ExperimentRunner(ExperimentConfig.load(yaml(tmp, "a.yaml", partA)), counting)
                .progressTo(quiet, false)
                .run();
        new ExperimentRunner(ExperimentConfig.load(yaml(tmp, "b.yaml", partB)), counting)
                .progressTo(quiet, false)
                .run();
        assertEquals(8 + 8, calls.get());

        // part b's process is still running (its record says so): importing its finished cells must not make a later
        // run here close that record as killed
        Path bRecord;
        try (var files = Files.list(tmp.resolve("part-b").resolve(ExperimentRunner.RUNS_DIR))) {
            bRecord = files.findFirst().orElseThrow();
        }
        Files.writeString(bRecord, Files.readString(bRecord).replace("\"complete\"", "\"running\""));

        ExperimentRunner w = new ExperimentRunner(ExperimentConfig.load(yaml(tmp, "w.yaml", whole)), counting)
                .progressTo(quiet, false);
        // a dry run's preview counts what an import would copy and writes nothing
        ExperimentRunner.ImportPreview pa = w.previewImport(tmp.resolve("part-a"));
        assertEquals(8, pa.keys().size());
        assertEquals(0, pa.alreadyHere());
        assertFalse(Files.exists(tmp.resolve("whole")), "a preview creates nothing");
        ExperimentRunner.ImportSummary ia = w.importFrom(tmp.resolve("part-a"));
        assertEquals(pa.keys(), w.finishedKeys(), "the import copied exactly the previewed cells");
        assertEquals(8, ia.imported());
        assertEquals(0, ia.notInGrid());
        ExperimentRunner.ImportSummary ib = w.importFrom(tmp.resolve("part-b"));
        assertEquals(4, ib.imported(), "QNLI's cells");
        assertEquals(4, ib.notInGrid(), "MNLI's cells are not in the whole grid");
        assertEquals(0, w.importFrom(tmp.resolve("part-a")).imported(), "importing again adds nothing");
        assertEquals(8, w.previewImport(tmp.resolve("part-a")).alreadyHere());
        assertTrue(w.previewImport(tmp.resolve("part-a")).keys().isEmpty());
        ExperimentRunner.Summary s = w.run();
        assertEquals(0, s.cellsRun());
        assertEquals(12, s.cellsDoneBefore());
        assertEquals(16, calls.get(), "no cell ran again");
        List<String> lines = Files.readAllLines(tmp.resolve("whole").resolve(ExperimentRunner.RESULTS_FILE));
        assertEquals(12, lines.size());
        Set<String> copiedRuns = new HashSet<>();
        try (var files = Files.list(tmp.resolve("whole").resolve(ExperimentRunner.RUNS_DIR))) {
            files.forEach(f -> copiedRuns.add(f.getFileName().toString()));
        }
        assertEquals(3, copiedRuns.size(), "the two parts' run records, and the whole grid's own: " + copiedRuns);
        String imported = Files.readString(
                tmp.resolve("whole").resolve(ExperimentRunner.RUNS_DIR).resolve(bRecord.getFileName()));
        assertTrue(imported.contains("\"running in " + tmp.resolve("part-b") + " when imported\""), imported);
        assertThrows(java.nio.file.NoSuchFileException.class, () -> w.importFrom(tmp.resolve("nowhere")));
    }

    /** The config of one part of a small grid that two processes share, writing to {@code outputDir}. */
    private static String[] sharedGridPart(String outputDir) {
        return new String[] {
            "name: shared",
            "dataRoot: glue",
            "outputDir: " + outputDir,
            "encoders: [e]",
            "targets: [MRPC, RTE]",
            "seeds: [13, 21]",
            "methods: [adapter, mera-ot]",
            "sources: [MNLI, SST-2, QQP]"
        };
    }

    @Test
    void twoProcessesImportingEachOtherShareAGridWithoutRunningACellTwice(@TempDir Path tmp) throws IOException {
        FakeGlue.create(tmp.resolve("glue"), TASKS, List.of(16), List.of(13, 21));
        String[] a = sharedGridPart("a");
        String[] b = sharedGridPart("b");
        b[4] = "targets: [RTE, MRPC]"; // the same grid (same keys), the other target first
        Files.createDirectories(tmp.resolve("b"));
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        List<String> ranInA = new java.util.ArrayList<>();
        List<String> ranInB = new java.util.ArrayList<>();
        CellRunner bRunner = CheapCellRunner.wrapped("c", cell -> ranInB.add(cell.key()));
        ExperimentConfig bConfig = ExperimentConfig.load(yaml(tmp, "b.yaml", b));
        CellRunner aRunner = CheapCellRunner.wrapped("c", cell -> {
            ranInA.add(cell.key());
            if (ranInA.size() == 1) {
                // while a computes its first cell, b (importing a's folder, which has no finished cell yet) runs the
                // whole grid in its own order
                new ExperimentRunner(bConfig, bRunner)
                        .importWhileRunning(List.of(tmp.resolve("a")))
                        .progressTo(quiet, false)
                        .run();
            }
        });
        ExperimentRunner.Summary s = new ExperimentRunner(ExperimentConfig.load(yaml(tmp, "a.yaml", a)), aRunner)
                .importWhileRunning(List.of(tmp.resolve("b")))
                .progressTo(quiet, false)
                .run();
        assertEquals(8, ranInB.size(), "b ran the whole grid (a had finished nothing when b started)");
        assertEquals(1, ranInA.size(), "a ran only its first cell and imported the other seven from b");
        assertEquals(1, s.cellsRun());
        assertEquals(7, s.cellsImported());
        assertTrue(s.complete(), "every cell is here, run or imported");
        Map<String, ResultRecord> inA = ResultStore.read(tmp.resolve("a").resolve(ExperimentRunner.RESULTS_FILE))
                .byKey();
        assertEquals(8, inA.size());
        Map<String, ResultRecord> inB = ResultStore.read(tmp.resolve("b").resolve(ExperimentRunner.RESULTS_FILE))
                .byKey();
        assertEquals(inB.keySet(), inA.keySet());
        for (String key : inB.keySet()) {
            if (!key.equals(ranInA.get(0))) {
                assertEquals(inB.get(key).runId(), inA.get(key).runId(), "imported, with b's run: " + key);
                assertTrue(
                        Files.exists(tmp.resolve("a")
                                .resolve(ExperimentRunner.RUNS_DIR)
                                .resolve(inB.get(key).runId() + ".json")),
                        "b's run record came along");
            }
        }
    }

    @Test
    void aReportIncludesTheCellsAnotherPartOfTheGridFinished(@TempDir Path tmp) throws IOException {
        FakeGlue.create(tmp.resolve("glue"), TASKS, List.of(16), List.of(13, 21));
        String[] a = sharedGridPart("a");
        String[] b = sharedGridPart("b");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        // a finishes MRPC only (its RTE cells fail); b, the other part, finishes everything
        CellRunner noRte = CheapCellRunner.wrapped("c", cell -> {
            if (cell.task().equals("RTE")) {
                throw new IllegalStateException("not this part's");
            }
        });
        new ExperimentRunner(ExperimentConfig.load(yaml(tmp, "a.yaml", a)), noRte)
                .keepGoing(true)
                .progressTo(quiet, false)
                .run();
        new ExperimentRunner(ExperimentConfig.load(yaml(tmp, "b.yaml", b)), CheapCellRunner.wrapped("c", cell -> {}))
                .progressTo(quiet, false)
                .run();
        ResultsFolder alone = ResultsFolder.read(tmp.resolve("a"));
        assertEquals(4, alone.shown().size());
        ResultsFolder both = ResultsFolder.read(tmp.resolve("a"), List.of(tmp.resolve("b")));
        assertEquals(8, both.shown().size(), "a's four cells and b's four RTE cells");
        assertTrue(both.missing().isEmpty());
        assertEquals(Map.of(tmp.resolve("b"), 4), both.includedFrom());
        assertEquals(2, both.runs().size(), "a's run and b's");
        assertEquals(8, both.predictions().count(), "b's cells bring their predictions from b");
        String md = Files.readString(ReportWriter.write(tmp.resolve("a"), tmp.resolve("r"), List.of(tmp.resolve("b")))
                .markdown());
        assertTrue(
                md.contains("8 of 8 cells finished (4 of them read from " + tmp.resolve("b")
                        + ", another part of the grid)."),
                md);
        assertThrows(IOException.class, () -> ResultsFolder.read(tmp.resolve("a"), List.of(tmp.resolve("nowhere"))));
    }

    @Test
    void aSecondWriterOfTheSameFolderIsRefusedUntilTheFirstEnds(@TempDir Path tmp) throws IOException {
        FakeGlue.create(tmp.resolve("glue"), TASKS, List.of(16), List.of(13));
        ExperimentConfig c = ExperimentConfig.load(yaml(
                tmp,
                "a.yaml",
                "name: a",
                "dataRoot: glue",
                "outputDir: out",
                "encoders: [e]",
                "targets: [RTE]",
                "seeds: [13]",
                "methods: [adapter]"));
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        List<String> refusals = new java.util.ArrayList<>();
        CellRunner second = new CheapCellRunner(0);
        CellRunner startsAnother = CheapCellRunner.wrapped("v", cell -> {
            IOException e = assertThrows(
                    IOException.class,
                    () -> new ExperimentRunner(c, second)
                            .progressTo(quiet, false)
                            .importFrom(tmp.resolve("elsewhere")));
            refusals.add(e.getMessage());
            IOException e2 = assertThrows(
                    IOException.class,
                    () -> new ExperimentRunner(c, second)
                            .progressTo(quiet, false)
                            .run());
            refusals.add(e2.getMessage());
            assertEquals(
                    Set.of(), new ExperimentRunner(c, second).finishedKeys(), "a dry run may look while the grid runs");
        });
        Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(tmp.resolve("elsewhere").resolve(ExperimentRunner.RESULTS_FILE), "");
        assertEquals(
                1,
                new ExperimentRunner(c, startsAnother)
                        .progressTo(quiet, false)
                        .run()
                        .cellsRun());
        assertEquals(2, refusals.size());
        for (String m : refusals) {
            assertTrue(m.contains("another mera experiment is already writing to") && m.contains(".lock"), m);
        }
        // Released at the end: the next run takes the folder and finds the cell done.
        assertEquals(
                1,
                new ExperimentRunner(c, startsAnother)
                        .progressTo(quiet, false)
                        .run()
                        .cellsDoneBefore());
    }

    @Test
    void failingCellIsNotRecordedAndMissingPrimaryMetricFails(@TempDir Path tmp) throws IOException {
        FakeGlue.create(tmp.resolve("glue"), TASKS, List.of(16), List.of(13));
        ExperimentConfig c = ExperimentConfig.load(yaml(
                tmp,
                "a.yaml",
                "name: a",
                "dataRoot: glue",
                "outputDir: out",
                "encoders: [e]",
                "targets: [MRPC, RTE]",
                "seeds: [13]",
                "methods: [adapter]"));
        CellRunner wrongMetric = new CellRunner() {
            @Override
            public String version() {
                return "w";
            }

            @Override
            public CellResult run(Cell cell, ProgressListener progress) {
                if (cell.task().equals("RTE")) {
                    throw new IllegalStateException("boom");
                }
                return CellResult.of(Map.of("accuracy", 0.5));
            }
        };
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        ExperimentRunner.CellFailedException e = assertThrows(
                ExperimentRunner.CellFailedException.class,
                () -> new ExperimentRunner(c, wrongMetric)
                        .progressTo(quiet, false)
                        .run());
        assertTrue(e.getMessage().contains("without the primary metric 'f1' of MRPC"), e.getMessage());
        ExperimentRunner.Summary s = new ExperimentRunner(c, wrongMetric)
                .keepGoing(true)
                .progressTo(quiet, false)
                .run();
        assertEquals(2, s.failures().size());
        assertFalse(s.complete());
        assertEquals(
                0,
                ResultStore.read(tmp.resolve("out").resolve(ExperimentRunner.RESULTS_FILE))
                        .byKey()
                        .size());
    }

    @Test
    void runnerAndExtraValidatorsAddTheirProblems(@TempDir Path tmp) throws IOException {
        FakeGlue.create(tmp.resolve("glue"), TASKS, List.of(16), List.of(13));
        ExperimentConfig c = ExperimentConfig.load(yaml(
                tmp,
                "a.yaml",
                "name: a",
                "dataRoot: glue",
                "outputDir: out",
                "encoders: [nosuchmodel]",
                "targets: [WNLI]",
                "seeds: [13]",
                "methods: [adapter]"));
        CellRunner r = new CellRunner() {
            @Override
            public String version() {
                return "v";
            }

            @Override
            public List<String> validate(ExperimentConfig config) {
                return List.of("encoders[0]: no model files for 'nosuchmodel'");
            }

            @Override
            public CellResult run(Cell cell, ProgressListener progress) {
                throw new AssertionError("must not run");
            }
        };
        ValidationException e = assertThrows(
                ValidationException.class,
                () -> new ExperimentRunner(c, r)
                        .addValidator(cfg -> List.of("lead: extra check"))
                        .run());
        assertEquals(3, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("3 problems"));
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written before validation passes");
    }

    @Test
    @org.junit.jupiter.api.Tag("glue")
    void realGlueDataValidates() throws IOException {
        Path glue = org.mera.GlueData.root();
        ExperimentConfig c = new ExperimentConfig(
                "real",
                glue,
                Path.of("target/unused"),
                null,
                List.of("minilm"),
                List.of("MRPC", "RTE", "SST-2", "CoLA", "STS-B", "QQP", "MNLI", "QNLI"),
                null,
                null,
                List.of("full", "adapter", "single", "fusion", "mera-average", "mera-ot", "mera-auto"),
                null,
                false,
                null,
                null,
                null,
                null);
        assertEquals(List.of(), new ConfigValidator().validate(c));
    }

    private static List<String> keys(Grid g) {
        return g.cells().stream().map(Cell::key).toList();
    }

    private static Set<Cell> changed(Grid a, Grid b) {
        Set<String> old = new HashSet<>(keys(a));
        return b.cells().stream().filter(c -> !old.contains(c.key())).collect(Collectors.toSet());
    }

    private static Set<String> changedMethods(Grid a, Grid b) {
        return changed(a, b).stream().map(c -> c.method().id()).collect(Collectors.toSet());
    }
}
