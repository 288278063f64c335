package org.mera.experiment.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.cli.ExperimentCommand;
import org.mera.cli.ReportCommand;
import org.mera.experiment.CellPredictions;
import org.mera.experiment.CellRunner;
import org.mera.experiment.CellRunnerFactory;
import org.mera.experiment.CheapCellRunner;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.FakeGlue;
import org.mera.experiment.Method;
import org.mera.experiment.ResultRecord;
import org.mera.experiment.ResultStore;
import org.mera.experiment.RunInfo;
import org.mera.experiment.stats.PairedStatistics;
import org.mera.experiment.stats.ResultTables;
import org.mera.experiment.stats.TrivialBaselines;
import org.mera.experiment.stats.Verdict;
import picocli.CommandLine;

/**
 * The report from a synthetic demo grid. With -Dmera.demoReportDir=DIR the demo experiment is kept in DIR
 * (used to render docs/report-example.png, see docs/experiments.md).
 */
class ReportWriterTest {
    static final List<String> ALL =
            org.mera.data.GlueTasks.ALL.stream().map(org.mera.data.Task::name).toList();

    static Path demoConfig(Path dir) throws IOException {
        return demoConfig(
                dir,
                "[MRPC, RTE, STS-B]",
                "[4, 16]",
                "[full, adapter, single, fusion, mera-average, mera-ot, mera-same-track, mera-auto]");
    }

    static Path demoConfig(Path dir, String targets, String ks, String methods) throws IOException {
        FakeGlue.create(dir.resolve("glue"), ALL, List.of(4, 16), ExperimentConfig.DEFAULT_SEEDS);
        Path f = dir.resolve("demo.yaml");
        Files.writeString(
                f,
                String.join(
                        "\n",
                        "name: synthetic-demo (NOT real results)",
                        "dataRoot: glue",
                        "outputDir: out",
                        "encoders: [demo-encoder]",
                        "targets: " + targets,
                        "k: " + ks,
                        "methods: " + methods,
                        "hyperparameters:",
                        "  default: {lr: 1.0e-4}",
                        ""));
        return f;
    }

    @Test
    void demoReportHasTablesChartsAndIsSelfContained(@TempDir Path tmp) throws Exception {
        String keep = System.getProperty("mera.demoReportDir");
        Path dir = keep != null ? Files.createDirectories(Path.of(keep)) : tmp;
        ExperimentConfig c = ExperimentConfig.load(demoConfig(dir));
        ExperimentRunner.Summary s = new ExperimentRunner(c, new CheapCellRunner(0))
                .progressTo(new PrintStream(OutputStream.nullOutputStream()), false)
                .run();
        assertEquals(3 * 2 * 5 * (7 + 7), s.cellsTotal(), "7 single sources + 7 other methods per target, k and seed");

        ReportWriter.Output out = ReportWriter.write(c.outputDir());
        String md = Files.readString(out.markdown());
        assertTrue(md.contains("SYNTHETIC EXAMPLE DATA"));
        assertTrue(md.contains("| Method | MRPC (f1) | RTE (accuracy) | STS-B (pearson) | Average |"), md);
        assertTrue(md.contains("## demo-encoder, k = 4") && md.contains("## demo-encoder, k = 16"));
        assertTrue(md.contains("| " + ResultTables.SINGLE_MEAN + " |")
                && md.contains("| " + ResultTables.SINGLE_BEST + " |"));
        assertTrue(md.contains("420 of 420 cells finished"), md);
        assertTrue(
                md.contains("| Task | Comparison | Per seed | Mean | 95 % CI | p (t) | p (Holm) | W/T/L | Verdict |")
                        && md.contains("| RTE | mera-same-track − adapter | 13: "),
                md);
        assertTrue(md.contains("| MRPC | mera-ot − mera-average |"), md);
        // the claims section, first, selects those comparisons per claim and sets each method against doing nothing
        assertTrue(md.indexOf("## The paper's claims") < md.indexOf("\n## demo-encoder, k = 4"), md);
        assertTrue(
                md.matches("(?s).*\\| RTE \\| same-track > full fine-tuning \\| mera-same-track − full \\| [^|]+ \\| "
                        + "[^|]+ \\| [^|]+ vs [a-z ()]+: (supported|no support|contradicted).*"),
                md);
        // and, first, the same comparisons as one claim × target grid: every target a column, verdict words in each
        // cell
        String glance = md.substring(md.indexOf("### demo-encoder, k = 16, at a glance"));
        glance = glance.substring(0, glance.indexOf("\n### "));
        assertTrue(glance.contains("| Claim | Comparison | MRPC (f1) | RTE (accuracy) | STS-B (pearson) |"), glance);
        assertTrue(
                glance.matches("(?s).*\\| same-track > full fine-tuning \\| mera-same-track − full "
                        + "(\\| [+−]?\\d+\\.\\d (no support|(supported|contradicted)(\\\\\\*)?°?, Holm [<0-9.]+)"
                        + "( †)? ){3}\\|.*"),
                glance);
        assertFalse(glance.contains("single [QQP]"), "a merge against each of its own sources stays in the full table");
        assertEquals(
                List.of("merged > single adapters"),
                ClaimsSection.claimsOf(new ResultTables.Paired(
                        "MRPC", "mera-same-track", ResultTables.singleSource("QQP"), new java.util.TreeMap<>())));
        assertEquals(
                List.of(),
                ClaimsSection.claimsOf(new ResultTables.Paired(
                        "MRPC", "mera-ot", ResultTables.singleSource("QQP"), new java.util.TreeMap<>())),
                "only same-track is set against its own sources");
        // report.md carries what report.html does (one document, two renderings): bold best cells, runs, config
        List<String> table = md.substring(md.indexOf("\n## demo-encoder, k = 16") + 1)
                .lines()
                .skip(4)
                .takeWhile(l -> !l.isEmpty())
                .toList();
        for (int col = 1; col <= 4; col++) {
            int column = col;
            List<String> bold = table.stream()
                    .filter(l -> l.split(" \\| ")[column].startsWith("**"))
                    .toList();
            assertEquals(1, bold.size(), "one best cell in column " + col + ": " + table);
            assertFalse(
                    bold.get(0).startsWith("| " + TrivialBaselines.PREFIX)
                            || bold.get(0).startsWith("| " + ResultTables.SINGLE_BEST),
                    bold.get(0));
        }
        assertTrue(
                md.contains("## Runs and environment")
                        && md.contains("Environment: cores ")
                        && md.contains("Every run with its environment: listed in report.html."),
                md);
        assertTrue(Files.readString(out.html()).contains("<summary>Every run with its environment</summary>"));
        // MRPC's second metric (accuracy) with its trivial rows scored on it; STS-B's synthetic "accuracy" is not a
        // metric regression predictions can be scored on, so it has no second-metric column
        assertTrue(md.contains("## Second metric") && md.contains("| Method | MRPC (accuracy) |"), md);
        assertFalse(md.contains("STS-B (accuracy)"), md);
        assertTrue(md.contains("## Configuration\n\n```\n") && md.contains("mera-same-track"), md);
        assertTrue(md.contains("Every finished cell with all its metrics: listed in report.html."), md);

        // The CSV's numbers are the mean and sample std over seeds of the stored results, x100.
        List<String> csv = Files.readAllLines(out.csv());
        assertEquals(
                1 + 2 * (7 + 3 + 8 + 4),
                csv.size(),
                "header + (7 methods + 3 single summaries + 8 single sources + 4 trivial baselines) per k");
        List<String> header = List.of(csv.get(0).split(","));
        Map<String, ResultRecord> results = ResultStore.read(c.outputDir().resolve(ExperimentRunner.RESULTS_FILE))
                .byKey();
        List<Double> rte = new ArrayList<>();
        for (ResultRecord r : results.values()) {
            if (r.task().equals("RTE") && r.method().equals("mera-ot") && r.k() == 16) {
                rte.add(100 * r.metrics().get("accuracy"));
            }
        }
        assertEquals(5, rte.size());
        double mean = rte.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double std =
                Math.sqrt(rte.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / 4);
        String row = csv.stream()
                .filter(l -> l.startsWith("demo-encoder,16,mera-ot,"))
                .findFirst()
                .orElseThrow();
        List<String> fields = List.of(row.split(",", -1));
        assertEquals(String.format(Locale.ROOT, "%.1f", mean), fields.get(header.indexOf("RTE_mean")));
        assertEquals(String.format(Locale.ROOT, "%.1f", std), fields.get(header.indexOf("RTE_std")));
        assertEquals("5", fields.get(header.indexOf("RTE_n")));
        String best = csv.stream()
                .filter(l -> l.startsWith("demo-encoder,16," + ResultTables.SINGLE_BEST))
                .findFirst()
                .orElseThrow();
        assertFalse(
                List.of(best.split(",", -1)).get(header.indexOf("MRPC_note")).isEmpty(), "best source is named");

        // Charts: bars per k, and metric-vs-k lines per task since there are two k values.
        assertEquals(2 + 3, out.charts().size(), out.charts().toString());
        for (Path png : out.charts()) {
            BufferedImage img = ImageIO.read(png.toFile());
            assertNotNull(img, png + " is a PNG");
            assertTrue(img.getWidth() >= 900);
        }
        String html = Files.readString(out.html());
        assertTrue(html.contains("SYNTHETIC EXAMPLE DATA"));
        assertEquals(5, html.split("data:image/png;base64,", -1).length - 1, "every chart is inlined");
        assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "no external resources");
        assertTrue(html.contains("<h2>Runs and environment</h2>") && html.contains("cores") && html.contains("djl"));
        assertTrue(html.contains("<h2>Configuration</h2>") && html.contains("mera-same-track"));
    }

    @Test
    void theLearningRateTableFlagsOnlyOneSidedEdgesAndCountsRunsStillImprovingAtTheLastStep() {
        java.util.function.BiFunction<Integer, double[], ResultRecord> cell = (seed, lrAndStep) -> new ResultRecord(
                "k" + seed,
                "minilm",
                "QQP",
                16,
                seed,
                "adapter",
                null,
                List.of(),
                "f1",
                Map.of("f1", 0.5),
                Map.of(
                        "lrGrid",
                        List.of(1e-4, 3e-4, 1e-3),
                        "lr",
                        lrAndStep[0],
                        "lrOnGridEdge",
                        lrAndStep[0] != 3e-4,
                        "bestStep",
                        (int) lrAndStep[1],
                        "steps",
                        200),
                1,
                "2026-12-07T00:00:00Z",
                "r");
        java.util.function.Function<List<ResultRecord>, ResultsFolder> folder = cells -> new ResultsFolder(
                "g", cells, List.of(), 0, List.of(), Map.of(), List.of(), List.of(), List.of(), Map.of(), 5, false,
                null, Map.of());
        ReportWriter.LrChoice both = ReportWriter.lrChoices(folder.apply(List.of(
                        cell.apply(13, new double[] {1e-4, 40}),
                        cell.apply(21, new double[] {1e-3, 200}),
                        cell.apply(42, new double[] {3e-4, 200}))))
                .get(0);
        assertEquals("2/3 (1 low, 1 high)", ReportWriter.edge(both), "edges at both ends: what chance gives");
        assertEquals(2, both.atLastStep(), "seeds 21 and 42 kept their last step");
        ReportWriter.LrChoice low = ReportWriter.lrChoices(folder.apply(
                        List.of(cell.apply(13, new double[] {1e-4, 40}), cell.apply(21, new double[] {1e-4, 60}))))
                .get(0);
        assertEquals("⚠ 2/2 (2 low)", ReportWriter.edge(low), "every seed at the smallest rate: widen the grid down");
        assertEquals(0, low.atLastStep());
        // the claims tables mark (‡) a comparison either of whose sides is such a method
        java.util.Set<String> flagged = ReportWriter.atOneEdge(List.of(both, low), "minilm", 16);
        assertEquals(java.util.Set.of("QQP\u0000adapter"), flagged, "only the one-sided choice");
        assertEquals(
                " ‡",
                ClaimsSection.edgeMark(new ResultTables.Paired("QQP", "mera-ot", "adapter", new TreeMap<>()), flagged));
        assertEquals(
                "",
                ClaimsSection.edgeMark(new ResultTables.Paired("QQP", "mera-ot", "full", new TreeMap<>()), flagged));
        assertEquals(java.util.Set.of(), ReportWriter.atOneEdge(List.of(both, low), "minilm", 4), "another k");
    }

    @Test
    void theEngineLineNamesEachEngineOnceAndCountsRunsPerThreadCount() {
        String engine = "PyTorch 2.7.1 (DJL 0.36.0, cpu())";
        java.util.function.Function<Map<String, Object>, RunInfo> run =
                env -> new RunInfo("r", "g", null, null, "done", "mera", "4", false, 1, 0, 1, 0, env);
        java.util.function.Function<List<RunInfo>, String> line = runs -> ReportWriter.engines(new ResultsFolder(
                "g", List.of(), List.of(), 0, List.of(), Map.of(), runs, List.of(), List.of(), Map.of(), 5, false, null,
                Map.of()));
        assertEquals(
                engine + ", 1 thread",
                line.apply(List.of(
                        run.apply(Map.of("engine", engine, "torchThreads", 1)),
                        run.apply(Map.of("engine", engine, "torchThreads", 1)))));
        assertEquals(
                engine + "; torch threads by run: not recorded (2 runs), 1 (1 run)",
                line.apply(List.of(
                        run.apply(Map.of("engine", engine)),
                        run.apply(Map.of("engine", engine)),
                        run.apply(Map.of("engine", engine, "torchThreads", 1)))));
        assertEquals(
                engine + "; not recorded by 1 run(s) from before mera named it; torch threads by run: 2 (1 run)",
                line.apply(List.of(run.apply(null), run.apply(Map.of("engine", engine, "torchThreads", 2)))));
    }

    @Test
    void reportShowsTrivialBaselinesAndIntervalsFromStoredPredictions(@TempDir Path tmp) throws Exception {
        ExperimentConfig c =
                ExperimentConfig.load(demoConfig(tmp, "[MRPC, STS-B]", "[16]", "[full, adapter, mera-ot]"));
        new ExperimentRunner(c, new CheapCellRunner(0))
                .progressTo(new PrintStream(OutputStream.nullOutputStream()), false)
                .run();
        Map<String, ResultRecord> results = ResultStore.read(c.outputDir().resolve(ExperimentRunner.RESULTS_FILE))
                .byKey();
        assertEquals(2 * 5 * 3, results.size());
        Map<Integer, CellPredictions> mrpcOt = new java.util.TreeMap<>();
        Map<Integer, CellPredictions> mrpcAdapter = new java.util.TreeMap<>();
        for (ResultRecord r : results.values()) {
            CellPredictions p = CellPredictions.read(CellPredictions.file(c.outputDir(), r.key()));
            assertEquals(
                    r.primary(),
                    p.score(r.primaryMetric()),
                    1e-4,
                    "the stored predictions give the stored score: " + r.key());
            if (r.task().equals("MRPC") && r.method().equals("mera-ot")) {
                mrpcOt.put(r.seed(), p);
            } else if (r.task().equals("MRPC") && r.method().equals("adapter")) {
                mrpcAdapter.put(r.seed(), p);
            }
        }

        ReportWriter.Output out = ReportWriter.write(c.outputDir());
        String md = Files.readString(out.markdown());
        // Always positive on MRPC, from the stored gold labels: F1 = 2·positives / (positives + n).
        int[] gold = mrpcOt.get(13).goldClasses();
        long positives = java.util.Arrays.stream(gold).filter(g -> g == 1).count();
        double alwaysPositive = 100 * 2.0 * positives / (positives + gold.length);
        assertTrue(
                md.contains("| " + TrivialBaselines.ALWAYS_POSITIVE + " | "
                        + String.format(Locale.ROOT, "%.1f ± 0.0", alwaysPositive) + " | – |"),
                md);
        assertTrue(
                md.contains("| " + TrivialBaselines.CONSTANT + " | – | 0.0 ± 0.0 |"),
                "Pearson of a constant is 0: " + md);
        assertTrue(md.contains("| " + TrivialBaselines.KSHOT_MAJORITY + " | "), md);
        assertTrue(md.contains("| 95 % CI | p (t) | p (Holm) | W/T/L | Verdict |"), md);
        assertTrue(md.contains(PairedStatistics.RESAMPLES + " resamples"), md);

        // The interval in comparisons.csv is the bootstrap of the stored predictions of mera-ot and adapter on MRPC.
        List<String> rows = Files.readAllLines(out.comparisonsCsv());
        List<String> header = List.of(rows.get(0).split(","));
        List<String> line = rows.stream()
                .filter(l -> l.contains(",MRPC,f1,mera-ot,adapter,"))
                .map(l -> List.of(l.split(",", -1)))
                .findFirst()
                .orElseThrow();
        PairedStatistics.Interval ci = PairedStatistics.interval(
                "f1",
                mrpcOt.values().stream().map(List::of).toList(),
                mrpcAdapter.values().stream().map(List::of).toList());
        assertEquals(String.format(Locale.ROOT, "%.2f", ci.low()), line.get(header.indexOf("ci_low")));
        assertEquals(String.format(Locale.ROOT, "%.2f", ci.high()), line.get(header.indexOf("ci_high")));
        assertEquals(Verdict.of(ci.low(), ci.high()).words(), line.get(header.indexOf("verdict")));

        // Against doing nothing: mera-ot minus always positive on MRPC (on a tie with the test-majority oracle the
        // bar named is the rule that does not read the test labels), bootstrapped against an all-1 prediction.
        boolean positiveIsMajority = 2 * positives >= gold.length;
        String bar = positiveIsMajority ? TrivialBaselines.ALWAYS_POSITIVE : TrivialBaselines.TEST_MAJORITY;
        List<String> trivialLine = rows.stream()
                .filter(l -> l.contains(",MRPC,f1,mera-ot," + bar + ","))
                .map(l -> List.of(l.split(",", -1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no mera-ot − " + bar + " line in " + rows));
        List<List<CellPredictions>> constant = new ArrayList<>();
        for (CellPredictions p : mrpcOt.values()) {
            int[] c1 = new int[p.size()];
            java.util.Arrays.fill(c1, positiveIsMajority ? 1 : 0);
            constant.add(
                    List.of(CellPredictions.classification(p.numClasses(), c1, p.goldClasses(), p.trainClassCounts())));
        }
        PairedStatistics.Interval trivialCi = PairedStatistics.interval(
                "f1", mrpcOt.values().stream().map(List::of).toList(), constant);
        assertEquals(String.format(Locale.ROOT, "%.2f", trivialCi.low()), trivialLine.get(header.indexOf("ci_low")));
        assertEquals(String.format(Locale.ROOT, "%.2f", trivialCi.high()), trivialLine.get(header.indexOf("ci_high")));
        assertTrue(md.contains("Against doing nothing"), md);
        // Predicted classes: the test labels' own shares on MRPC, and mera-ot's, from its stored predictions.
        String goldShares = String.format(
                Locale.ROOT,
                "%.0f / %.0f",
                100.0 * (gold.length - positives) / gold.length,
                100.0 * positives / gold.length);
        assertTrue(md.contains("## Predicted classes"), md);
        assertTrue(md.contains("| " + PredictionShares.GOLD + " | " + goldShares + " |"), md);
        double otPositive = mrpcOt.values().stream()
                .mapToDouble(p -> PredictionShares.shares(p.predictedClasses(), 2)[1])
                .average()
                .orElseThrow();
        assertTrue(
                md.contains("| mera-ot | "
                        + String.format(Locale.ROOT, "%.0f / %.0f", 100 * (1 - otPositive), 100 * otPositive)),
                md);
        assertTrue(md.contains("| MRPC | mera-ot − " + bar + " | "), md);
        String html = Files.readString(out.html());
        assertTrue(
                html.contains("<th>engine</th>") && html.contains("none (CheapCellRunner"),
                "the engine column names what ran");
        assertTrue(md.contains("Engine: none (CheapCellRunner"), md);

        // A folder from before predictions were stored still reports, and says what it cannot compute.
        try (var files = Files.list(c.outputDir().resolve(CellPredictions.DIR))) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        String old = Files.readString(ReportWriter.write(c.outputDir()).markdown());
        assertFalse(old.contains("| " + TrivialBaselines.ALWAYS_POSITIVE), old);
        assertTrue(old.contains("| no per-example predictions (seed 13) |"), old);
        assertTrue(old.contains("this folder has no per-example predictions"), old);
    }

    @Test
    void aMeanOverFewerSeedsThanTheGridHasIsNeverBold() {
        java.util.function.Function<double[], TreeMap<Integer, Double>> seeds = v -> {
            TreeMap<Integer, Double> m = new TreeMap<>();
            for (int i = 0; i < v.length; i++) {
                m.put(new int[] {13, 21, 42, 87, 100}[i], v[i]);
            }
            return m;
        };
        ResultTables.Table t = new ResultTables.Table(
                "minilm",
                16,
                List.of("CoLA"),
                Map.of("CoLA", "mcc"),
                List.of(
                        new ResultTables.Row(
                                "adapter",
                                Map.of("CoLA", seeds.apply(new double[] {.10, .12, .11, .09, .10})),
                                Map.of()),
                        new ResultTables.Row(
                                "fusion", Map.of("CoLA", seeds.apply(new double[] {.30, .28})), Map.of())));
        List<List<ReportDocument.Cell>> rows =
                ReportWriter.resultsTable(t, 5, Set.of()).rows();
        assertEquals(ReportDocument.Cell.Style.STRONG, rows.get(0).get(1).style(), "the best over all five seeds");
        assertEquals(
                ReportDocument.Cell.Style.PLAIN, rows.get(1).get(1).style(), "higher, but over two seeds: not bold");
    }

    @Test
    void aSourceAtChanceOnItsPoolIsMarkedWhereTheResultsTableNamesIt() {
        TreeMap<Integer, Double> v = new TreeMap<>(Map.of(13, 60.0, 21, 62.0));
        ResultTables.Table t = new ResultTables.Table(
                "minilm",
                16,
                List.of("QQP"),
                Map.of("QQP", "f1"),
                List.of(
                        new ResultTables.Row("mera-same-track", Map.of("QQP", v), Map.of("QQP", "MRPC + STS-B")),
                        new ResultTables.Row(
                                ResultTables.SINGLE_DEV, Map.of("QQP", v), Map.of("QQP", "STS-B ×1, MRPC ×1")),
                        new ResultTables.Row("single [MRPC]", Map.of("QQP", v), Map.of()),
                        new ResultTables.Row("single [STS-B]", Map.of("QQP", v), Map.of())));
        List<List<ReportDocument.Cell>> rows =
                ReportWriter.resultsTable(t, 2, Set.of("MRPC")).rows();
        String mark = " (at chance on its pool)";
        assertTrue(
                rows.get(0).get(1).text().endsWith("[MRPC" + mark + " + STS-B]"),
                rows.get(0).get(1).text());
        assertTrue(
                rows.get(1).get(1).text().endsWith("[STS-B ×1, MRPC ×1" + mark + "]"),
                rows.get(1).get(1).text());
        assertEquals("single [MRPC]" + mark, rows.get(2).get(0).text());
        assertEquals("single [STS-B]", rows.get(3).get(0).text());
        assertEquals("MRPC-2 + MRPCX", ReportWriter.markAtChance("MRPC-2 + MRPCX", Set.of("MRPC")), "whole names only");
    }

    @Test
    void incompleteGridIsReportedAsSuch(@TempDir Path tmp) throws Exception {
        ExperimentConfig c = ExperimentConfig.load(demoConfig(tmp, "[MRPC, RTE]", "[16]", "[adapter, fusion]"));
        CellRunner flaky = CheapCellRunner.wrapped("flaky", cell -> {
            if (cell.seed() == 100 && cell.method() == Method.FUSION) {
                throw new IllegalStateException("simulated failure");
            }
        });
        new ExperimentRunner(c, flaky)
                .keepGoing(true)
                .progressTo(new PrintStream(OutputStream.nullOutputStream()), false)
                .run();
        String md = Files.readString(ReportWriter.write(c.outputDir()).markdown());
        assertTrue(md.contains("18 of 20 cells finished (**incomplete**: 2 still to run"), md);
        assertTrue(md.contains("cells finished by target: MRPC 9/10, RTE 9/10)"), md);
        assertFalse(
                md.matches("(?s).*\\*\\*[^*|]*\\(n=\\d\\)\\*\\*.*"), "a mean over fewer seeds is never bold: " + md);
        assertTrue(md.matches("(?s).*\\| fusion \\| [0-9.]+ ± [0-9.]+ \\(n=4\\) \\|.*"), md);
    }

    @Test
    void withoutAComparedPairTheReportSaysWhichPairsItCompares(@TempDir Path tmp) throws Exception {
        // Two methods and five seeds, yet no pair the report compares: the note must not blame the seeds.
        ExperimentConfig c = ExperimentConfig.load(demoConfig(tmp, "[RTE]", "[16]", "[mera-ot, mera-same-track]"));
        new ExperimentRunner(c, new CheapCellRunner(0))
                .progressTo(new PrintStream(OutputStream.nullOutputStream()), false)
                .run();
        String md = Files.readString(ReportWriter.write(c.outputDir()).markdown());
        assertTrue(md.contains("No paired comparisons: the report pairs every method with adapter tuning"), md);
        assertTrue(md.contains("Add a baseline"), md);
        assertFalse(md.contains("at least two seeds"), md);
    }

    @Test
    void withoutSameTrackTheMergesStandInForItAgainstTheBaselines(@TempDir Path tmp) throws Exception {
        ExperimentConfig c =
                ExperimentConfig.load(demoConfig(tmp, "[RTE]", "[16]", "[full, adapter, single, mera-average]"));
        new ExperimentRunner(c, new CheapCellRunner(0))
                .progressTo(new PrintStream(OutputStream.nullOutputStream()), false)
                .run();
        String md = Files.readString(ReportWriter.write(c.outputDir()).markdown());
        assertTrue(
                md.contains("| RTE | merged > full fine-tuning (no same-track here) | mera-average − full |")
                        && md.contains(
                                "| RTE | merged > adapter tuning (no same-track here) | mera-average − adapter |"),
                md);
        // with same-track on the target, it alone is set against the baselines
        ExperimentConfig withTrack = ExperimentConfig.load(
                demoConfig(tmp.resolve("b"), "[RTE]", "[16]", "[full, adapter, mera-average, mera-same-track]"));
        new ExperimentRunner(withTrack, new CheapCellRunner(0))
                .progressTo(new PrintStream(OutputStream.nullOutputStream()), false)
                .run();
        String md2 = Files.readString(ReportWriter.write(withTrack.outputDir()).markdown());
        assertTrue(md2.contains("| RTE | same-track > full fine-tuning |"), md2);
        assertFalse(md2.contains("no same-track here"), md2);
    }

    @Test
    void commandsReportAndFailClearlyWithoutARunner(@TempDir Path tmp) throws Exception {
        Path config = demoConfig(tmp, "[RTE]", "[16]", "[full, adapter, single, mera-same-track]");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream savedErr = System.err;
        PrintStream savedOut = System.out;
        CellRunnerFactory saved = CellRunnerFactory.REGISTERED.getAndSet(null);
        try {
            System.setErr(new PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            int code = new CommandLine(new ExperimentCommand())
                    .execute(config.toString(), "--out", tmp.resolve("o1").toString());
            assertEquals(2, code);
            assertTrue(
                    err.toString(java.nio.charset.StandardCharsets.UTF_8).contains("no CellRunner is registered"),
                    err.toString(java.nio.charset.StandardCharsets.UTF_8));

            CellRunnerFactory.register((cfg, cache) -> new CheapCellRunner(0));
            System.setOut(new PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            code = new CommandLine(new ExperimentCommand())
                    .execute(config.toString(), "--out", tmp.resolve("o2").toString());
            assertEquals(0, code, err.toString(java.nio.charset.StandardCharsets.UTF_8));
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            // the terminal gets the results table and then the claims table, the report's own lines without bold
            String out = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
            String md = Files.readString(tmp.resolve("o2/report/report.md"));
            String results = md.lines()
                    .dropWhile(l -> !l.equals("## demo-encoder, k = 16"))
                    .skip(2)
                    .takeWhile(l -> l.startsWith("|"))
                    .map(l -> l.replace("**", ""))
                    .collect(java.util.stream.Collectors.joining("\n"));
            assertTrue(results.contains("| trivial: "), results);
            int r = out.indexOf("demo-encoder, k = 16\n" + results + "\n");
            int c = out.indexOf("The paper's claims, demo-encoder, k = 16 (method − baseline ×100, 95 % CI):\n"
                    + "| Task | Claim | Comparison |");
            assertTrue(r >= 0 && c > r, out);
            assertTrue(out.contains("| RTE | same-track > full fine-tuning | mera-same-track − full |"), out);
            assertFalse(out.contains("**") || out.contains("Per seed") || out.contains("| Learning rate"), out);
            assertTrue(Files.exists(tmp.resolve("o2/report/report.html")));
            Files.delete(tmp.resolve("o2/report/report.html"));
            assertEquals(
                    0,
                    new CommandLine(new ReportCommand())
                            .execute(tmp.resolve("o2").toString()));
            assertTrue(Files.exists(tmp.resolve("o2/report/report.html")), "report regenerated from results alone");
            // the per-example predictions as one CSV, row for row what the stored files hold
            Path csv = tmp.resolve("predictions.csv");
            assertEquals(
                    0,
                    new CommandLine(new ReportCommand())
                            .execute(tmp.resolve("o2").toString(), "--predictions", csv.toString()));
            List<String> lines = Files.readAllLines(csv);
            assertEquals(PredictionExport.HEADER, lines.get(0));
            int expected = 0;
            for (ResultRecord cell :
                    ResultStore.read(tmp.resolve("o2/results.jsonl")).byKey().values()) {
                CellPredictions p = CellPredictions.read(CellPredictions.file(tmp.resolve("o2"), cell.key()));
                expected += p.size();
                String[] first = lines.stream()
                        .filter(l -> l.startsWith(cell.key() + ","))
                        .findFirst()
                        .orElseThrow()
                        .split(",");
                assertEquals("0", first[7]);
                assertEquals(String.valueOf(p.goldClasses()[0]), first[8]);
                assertEquals(String.valueOf(p.predictedClasses()[0]), first[9]);
            }
            assertEquals(expected + 1, lines.size());
            assertEquals(
                    1,
                    new CommandLine(new ReportCommand())
                            .execute(tmp.resolve("nothing-here").toString()));
        } finally {
            System.setErr(savedErr);
            System.setOut(savedOut);
            CellRunnerFactory.REGISTERED.set(saved);
        }
    }
}
