package org.mera.experiment.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mera.experiment.Cell;
import org.mera.experiment.CellPredictions;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.ResultRecord;
import org.mera.experiment.RunInfo;
import org.mera.experiment.stats.ComparisonStatistics;
import org.mera.experiment.stats.IdenticalPredictions;
import org.mera.experiment.stats.PairedStatistics;
import org.mera.experiment.stats.ResultTables;
import org.mera.experiment.stats.TrivialBaselines;
import org.mera.experiment.stats.Verdict;
import org.mera.io.AtomicFiles;
import org.mera.io.Json;
import org.mera.train.ProgressBar;

/**
 * Writes the report of an experiment folder from its results file alone (no training): {@code report/}
 * holds report.md, results-table.csv, comparisons.csv, PNG charts and report.html, a single self-contained page
 * (inline CSS, charts as base64) that opens offline. The report is built once as a {@link ReportDocument}, which
 * report.md and report.html render. Only results of the current grid ({@code grid.json}) are
 * shown when that file exists; results of cells a config change replaced stay in the file but not in
 * the tables.
 */
public final class ReportWriter {
    public static final String REPORT_DIR = "report";
    /** What ends the heading of the claims table with one row per target and comparison ("minilm, k = 16, …"). */
    public static final String CLAIM_BY_CLAIM = ", claim by claim";

    public record Output(Path directory, Path markdown, Path csv, Path comparisonsCsv, Path html, List<Path> charts) {}

    private ReportWriter() {}

    public static Output write(Path resultsDir) throws IOException {
        return write(resultsDir, resultsDir.resolve(REPORT_DIR));
    }

    public static Output write(Path resultsDir, Path reportDir) throws IOException {
        return write(resultsDir, reportDir, List.of());
    }

    /**
     * @param include other folders holding parts of the same grid (run by other processes, {@code mera experiment
     *     --import}): their finished cells of this folder's grid are shown too, with their predictions and run records
     */
    public static Output write(Path resultsDir, Path reportDir, List<Path> include) throws IOException {
        return write(ResultsFolder.read(resultsDir, include), reportDir);
    }

    /** The report of a results folder already read (its predictions are read once for the report and an export). */
    public static Output write(ResultsFolder in, Path reportDir) throws IOException {
        List<ResultTables.Table> tables = tables(in);
        Map<ResultTables.Table, List<ComparisonStatistics.Line>> stats = new LinkedHashMap<>();
        Map<ResultTables.Table, List<ComparisonStatistics.Line>> trivial = new LinkedHashMap<>();
        for (ResultTables.Table t : tables) {
            stats.put(t, ComparisonStatistics.of(t, in.predictions()));
            trivial.put(t, ComparisonStatistics.againstTrivial(t, in.predictions()));
        }
        List<PredictionShares.Section> shares = PredictionShares.sections(tables, in.predictions());
        Files.createDirectories(reportDir);
        Map<String, byte[]> charts = charts(tables);
        List<Path> chartFiles = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : charts.entrySet()) {
            Path p = reportDir.resolve(e.getKey());
            AtomicFiles.write(p, o -> o.write(e.getValue()));
            chartFiles.add(p);
        }
        ReportDocument doc = document(in, tables, stats, trivial, shares, charts);
        Path md = reportDir.resolve("report.md");
        AtomicFiles.writeString(md, MarkdownRenderer.render(doc));
        Path csv = reportDir.resolve("results-table.csv");
        AtomicFiles.writeString(csv, csv(tables));
        Path comparisons = reportDir.resolve("comparisons.csv");
        AtomicFiles.writeString(comparisons, comparisonsCsv(stats, trivial));
        Path html = reportDir.resolve("report.html");
        AtomicFiles.writeString(html, HtmlRenderer.render(doc, ExperimentRunner.RESULTS_FILE, Instant.now()));
        return new Output(reportDir, md, csv, comparisons, html, chartFiles);
    }

    /** The report's tables: the methods' rows, then the trivial baselines computed from the stored test labels. */
    static List<ResultTables.Table> tables(ResultsFolder in) {
        return tables(in, null);
    }

    /** The same on {@code metricByTask} (see {@link ResultTables#build}); null for each task's primary metric. */
    private static List<ResultTables.Table> tables(ResultsFolder in, Map<String, String> metricByTask) {
        return ResultTables.build(in.shown(), in.taskOrder(), in.methodOrder(), in.expectedSources(), metricByTask)
                .stream()
                .map(t -> TrivialBaselines.addTo(t, in.predictions()))
                .toList();
    }

    // ---------------------------------------------------------------- the document

    /** The whole report, in reading order; report.md and report.html are renderings of it. */
    static ReportDocument document(
            ResultsFolder in,
            List<ResultTables.Table> tables,
            Map<ResultTables.Table, List<ComparisonStatistics.Line>> stats,
            Map<ResultTables.Table, List<ComparisonStatistics.Line>> trivial,
            List<PredictionShares.Section> shares,
            Map<String, byte[]> charts)
            throws IOException {
        ReportDocument d = new ReportDocument("Experiment report: " + in.name());
        if (in.synthetic()) {
            d.banner("**SYNTHETIC EXAMPLE DATA.** Every number in this report was produced by a test runner (cheap "
                    + "deterministic computation), not by training models. It shows what a report looks like and means "
                    + "nothing.");
        }
        if (Boolean.TRUE.equals(in.config().get("allowTargetSource"))) {
            d.warning("**allowTargetSource is on:** a target task's own pretrained adapter may be among its sources.");
        }
        if (in.tornTail()) {
            d.warning("The results file ends with an incomplete line (a run was killed while writing); it is ignored.");
        }
        d.paragraph(completeness(in) + " Engine: " + ReportDocument.literal(engines(in)) + ".");
        d.note("Primary metric ×100, mean ± sample standard deviation over seeds; (n=…) marks fewer seeds than "
                + "configured. Average: per seed, the mean over tasks, then mean ± std over seeds. `"
                + ResultTables.SINGLE_BEST
                + "` picks, per task, the source with the best mean test score [named], an oracle upper bound; `"
                + ResultTables.SINGLE_DEV
                + "` picks, per seed, the source whose cell has the best k-shot dev score [how often each was picked], as "
                + "a user who tries every adapter would; `single [S]` rows are each source adapter fine-tuned alone. "
                + "Same-track rows name the sources they merged [in brackets]; a source named with \""
                + AT_CHANCE_MARK.substring(1, AT_CHANCE_MARK.length() - 1)
                + "\" scored within a point of learning nothing on its own pool's dev split (Source adapters, below), "
                + "so it brings next to nothing to a merge. Bold: the best mean in each column "
                + "among the methods with every seed of the grid (the trivial rows, the oracle best source, the mean of"
                + " the sources, which is no one model, and the `single [S]` rows are not candidates). "
                + trivialNote(in));
        d.note(statisticsNote(in));
        boolean claimsHeading = false;
        Map<String, Set<String>> atChance = SourceAdapterTable.atChance(in.shown());
        List<LrChoice> lrChoices = lrChoices(in);
        for (ResultTables.Table t : tables) {
            claimsHeading |= ClaimsSection.addTo(
                    d,
                    t,
                    stats.get(t),
                    trivial.get(t),
                    in.expectedSeeds(),
                    !claimsHeading,
                    atOneEdge(lrChoices, t.encoder(), t.k()));
        }
        for (ResultTables.Table t : tables) {
            d.heading(heading(t));
            d.add(resultsTable(t, in.expectedSeeds(), atChance.getOrDefault(t.encoder(), Set.of())));
            if (stats.get(t).isEmpty()) {
                d.note(noComparisonsNote(t));
            }
            String same = identicalNote(IdenticalPredictions.of(t, in.predictions()));
            if (same != null) {
                d.note(same);
            }
            comparisons(
                    d,
                    stats.get(t),
                    "Paired by seed (same split; method minus baseline, ×100; " + familyNote(stats.get(t)) + "):",
                    in.expectedSeeds());
            comparisons(d, trivial.get(t), againstTrivialNote(trivial.get(t)), in.expectedSeeds());
            String bars = barsChart(t);
            if (charts.containsKey(bars)) {
                d.add(new ReportDocument.Image(bars, charts.get(bars)));
            }
        }
        List<String> kCharts =
                charts.keySet().stream().filter(n -> n.startsWith("k-")).toList();
        if (!kCharts.isEmpty()) {
            d.heading("Metric vs k");
            kCharts.forEach(n -> d.add(new ReportDocument.Image(n, charts.get(n))));
        }
        secondMetric(d, in, atChance);
        PredictionShares.addTo(d, shares);
        lrSelection(d, lrChoices);
        SourceAdapterTable.addTo(d, in.shown());
        runs(d, in);
        if (!in.missing().isEmpty()) {
            List<List<ReportDocument.Cell>> rows = new ArrayList<>();
            for (Map<String, Object> c : in.missing()) {
                rows.add(List.of(
                        ReportDocument.Cell.of(String.valueOf(c.get("encoder"))),
                        ReportDocument.Cell.of(String.valueOf(c.get("task"))),
                        ReportDocument.Cell.of(String.valueOf(c.get("k"))),
                        ReportDocument.Cell.of(String.valueOf(c.get("seed"))),
                        ReportDocument.Cell.of(
                                Cell.methodLabel(String.valueOf(c.get("method")), (String) c.get("source"))),
                        ReportDocument.Cell.code(String.valueOf(c.get("key")))));
            }
            d.heading("Cells still to run (" + in.missing().size() + ")");
            d.add(new ReportDocument.Collapsed(
                    "Every cell still to run",
                    ReportDocument.Table.of(List.of("encoder", "task", "k", "seed", "method", "key"), 6, rows)));
        }
        List<List<ReportDocument.Cell>> finished = new ArrayList<>();
        for (ResultRecord r : in.shown()) {
            finished.add(List.of(
                    ReportDocument.Cell.of(r.encoder()),
                    ReportDocument.Cell.of(r.task()),
                    ReportDocument.Cell.of(String.valueOf(r.k())),
                    ReportDocument.Cell.of(String.valueOf(r.seed())),
                    ReportDocument.Cell.of(r.methodLabel()),
                    ReportDocument.Cell.of(r.primaryMetric()),
                    ReportDocument.Cell.of(String.format(Locale.ROOT, "%.1f", 100 * r.primary())),
                    ReportDocument.Cell.note(Json.canonical(r.metrics())),
                    ReportDocument.Cell.of(ProgressBar.formatDuration(Duration.ofMillis(r.durationMs()))),
                    ReportDocument.Cell.code(r.key())));
        }
        d.heading("All finished cells (" + in.shown().size() + ")");
        d.add(new ReportDocument.Collapsed(
                "Every finished cell with all its metrics",
                new ReportDocument.Table(
                        List.of(
                                "encoder",
                                "task",
                                "k",
                                "seed",
                                "method",
                                "metric",
                                "×100",
                                "all metrics",
                                "time",
                                "key"),
                        // k and seed as text, as in the list of cells still to run: labels, not quantities
                        List.of(false, false, false, false, false, false, true, false, true, false),
                        finished)));
        if (!in.stale().isEmpty()) {
            Map<String, String> runner = new LinkedHashMap<>();
            in.runs().forEach(r -> runner.put(r.runId(), r.runnerName() + " " + r.runnerVersion()));
            List<List<ReportDocument.Cell>> rows = new ArrayList<>();
            Map<String, Integer> byRunner = new LinkedHashMap<>();
            for (ResultRecord r : in.stale()) {
                byRunner.merge(runner.getOrDefault(r.runId(), "no run record"), 1, Integer::sum);
                rows.add(List.of(
                        ReportDocument.Cell.of(r.encoder()),
                        ReportDocument.Cell.of(r.task()),
                        ReportDocument.Cell.of(String.valueOf(r.k())),
                        ReportDocument.Cell.of(String.valueOf(r.seed())),
                        ReportDocument.Cell.of(r.methodLabel()),
                        ReportDocument.Cell.of(String.format(Locale.ROOT, "%.1f", 100 * r.primary())),
                        ReportDocument.Cell.of(runner.getOrDefault(r.runId(), "no run record")),
                        ReportDocument.Cell.code(r.key())));
            }
            d.heading("Results not shown (" + in.stale().size() + ")");
            d.note("Results in the file whose cells are no longer in the grid: a change of config, data or runner "
                    + "version gave those cells new keys, so they ran again and only the new results are in the tables "
                    + "(by the runner that produced them: "
                    + ReportDocument.literal(byRunner.entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue())
                            .collect(java.util.stream.Collectors.joining(", ")))
                    + ").");
            d.add(new ReportDocument.Collapsed(
                    "Every result not shown",
                    new ReportDocument.Table(
                            List.of("encoder", "task", "k", "seed", "method", "×100", "runner", "key"),
                            List.of(false, false, false, false, false, true, false, false),
                            rows)));
        }
        d.heading("Configuration");
        d.add(new ReportDocument.Preformatted(yaml(in.config())));
        return d;
    }

    /**
     * For tasks scored by more than one test metric, the tables again on the second (accuracy where there is one:
     * MRPC's F1 rewards leaning to "paraphrase", its accuracy does not; STS-B's Spearman beside its Pearson), with the
     * trivial rows on that metric; not compared pairwise.
     */
    static void secondMetric(ReportDocument d, ResultsFolder in, Map<String, Set<String>> atChance) {
        Map<String, String> second = new LinkedHashMap<>();
        for (ResultRecord r : in.shown()) {
            if (second.containsKey(r.task())) {
                continue;
            }
            // only a metric the stored predictions can score, so that the trivial rows can be scored on it too
            java.util.Set<String> scorable = CellPredictions.REGRESSION_METRICS.contains(r.primaryMetric())
                    ? CellPredictions.REGRESSION_METRICS
                    : CellPredictions.CLASSIFICATION_METRICS;
            List<String> others = r.metrics().keySet().stream()
                    .filter(m -> scorable.contains(m) && !m.equals(r.primaryMetric()))
                    .sorted()
                    .toList();
            if (!others.isEmpty()) {
                second.put(r.task(), others.contains("accuracy") ? "accuracy" : others.get(0));
            }
        }
        if (second.isEmpty()) {
            return;
        }
        List<ResultTables.Table> tables = tables(in, second);
        d.heading("Second metric");
        d.note("Tasks scored by more than one test metric, on the second (mean ± std over seeds ×100, as above; the "
                + "single source chosen on dev is still chosen on the primary metric). Not compared pairwise: the "
                + "verdicts above are on the primary metric.");
        for (ResultTables.Table t : tables) {
            d.subheading(heading(t));
            d.add(resultsTable(t, in.expectedSeeds(), atChance.getOrDefault(t.encoder(), Set.of())));
        }
    }

    /**
     * One table: a row per method (and trivial baseline), a column per task, then the average over tasks. Sources in
     * {@code atChance} (learned next to nothing on their own pool) are marked where a row names them, so that a merge
     * of them reads as what it is.
     */
    static ReportDocument.Table resultsTable(ResultTables.Table t, int expectedSeeds, Set<String> atChance) {
        List<String> cols = new ArrayList<>(t.tasks());
        boolean withAverage = t.tasks().size() > 1;
        if (withAverage) {
            cols.add(null); // the average
        }
        Map<Integer, Double> best = new LinkedHashMap<>();
        for (int c = 0; c < cols.size(); c++) {
            double b = Double.NEGATIVE_INFINITY;
            for (ResultTables.Row r : t.rows()) {
                ResultTables.Stat s = stat(t, r, cols.get(c));
                if (complete(s, expectedSeeds) && ranked(r)) {
                    b = Math.max(b, s.mean());
                }
            }
            best.put(c, b);
        }
        List<String> header = new ArrayList<>(List.of("Method"));
        t.tasks().forEach(task -> header.add(taskHeader(t, task)));
        if (withAverage) {
            header.add("Average");
        }
        List<List<ReportDocument.Cell>> rows = new ArrayList<>();
        for (ResultTables.Row r : t.rows()) {
            String source = ResultTables.sourceOf(r.label());
            List<ReportDocument.Cell> row = new ArrayList<>(List.of(ReportDocument.Cell.of(
                    r.label() + (source != null && atChance.contains(source) ? " " + AT_CHANCE_MARK : ""))));
            for (int c = 0; c < cols.size(); c++) {
                String col = cols.get(c);
                ResultTables.Stat s = stat(t, r, col);
                row.add(new ReportDocument.Cell(
                        Formats.cell(
                                s,
                                expectedSeeds,
                                col == null ? null : markAtChance(r.notes().get(col), atChance)),
                        complete(s, expectedSeeds) && ranked(r) && s.mean() == best.get(c)
                                ? ReportDocument.Cell.Style.STRONG
                                : ReportDocument.Cell.Style.PLAIN));
            }
            rows.add(row);
        }
        return ReportDocument.Table.of(header, 1, rows);
    }

    /** Follows a source's name where it learned next to nothing on its own pool (the Source adapters table). */
    static final String AT_CHANCE_MARK = "(at chance on its pool)";

    /** "MRPC + STS-B" with MRPC at chance: "MRPC (at chance on its pool) + STS-B"; names are whole words. */
    static String markAtChance(String note, Set<String> atChance) {
        if (note == null) {
            return null;
        }
        String out = note;
        for (String source : atChance) {
            out = out.replaceAll(
                    "(?<![\\w-])" + java.util.regex.Pattern.quote(source) + "(?![\\w-])( ×\\d+)?",
                    java.util.regex.Matcher.quoteReplacement(source) + "$1 " + AT_CHANCE_MARK);
        }
        return out;
    }

    /** A mean over every seed of the grid: only those compete for bold (two seeds against five is no contest). */
    private static boolean complete(ResultTables.Stat s, int expectedSeeds) {
        return s != null && (expectedSeeds <= 0 || s.n() >= expectedSeeds);
    }

    private static ResultTables.Stat stat(ResultTables.Table t, ResultTables.Row r, String task) {
        return task == null ? r.average(t.tasks()) : r.stat(task);
    }

    /**
     * Rows that compete for "best": the methods, not the trivial baselines, nor the oracle pick of sources, nor the
     * sources one by one (the best of them is that oracle), nor their mean (a summary of many models, not one a user
     * could keep).
     */
    private static boolean ranked(ResultTables.Row r) {
        return !r.label().equals(ResultTables.SINGLE_BEST)
                && !r.label().equals(ResultTables.SINGLE_MEAN)
                && !TrivialBaselines.isTrivial(r.label())
                && ResultTables.sourceOf(r.label()) == null;
    }

    /** One comparisons table (nothing when there are no lines). */
    private static void comparisons(
            ReportDocument d, List<ComparisonStatistics.Line> lines, String intro, int expectedSeeds) {
        if (lines.isEmpty()) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (ComparisonStatistics.Line l : lines) {
            ResultTables.Paired p = l.paired();
            rows.add(List.of(
                    p.task(),
                    p.method() + " − " + p.baseline(),
                    Formats.perSeed(p),
                    Formats.signed(p.mean()),
                    Formats.ci(l),
                    Formats.pValue(l.p()),
                    Formats.pValue(l.pHolm()),
                    l.signs().toString(),
                    qualifiedVerdict(l, expectedSeeds)));
        }
        d.note(intro);
        d.add(new ReportDocument.Table(
                List.of("Task", "Comparison", "Per seed", "Mean", "95 % CI", "p (t)", "p (Holm)", "W/T/L", "Verdict"),
                List.of(false, false, false, true, true, true, true, true, false),
                ReportDocument.Table.plain(rows)));
    }

    /** The learning-rate selection section, where cells chose their rate on a grid ({@link #lrChoices}). */
    static void lrSelection(ReportDocument d, List<LrChoice> choices) {
        if (choices.isEmpty()) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (LrChoice c : choices) {
            rows.add(List.of(
                    c.encoder() + ", " + c.k(),
                    c.task(),
                    c.method(),
                    lrList(c.grid()),
                    Formats.bySeed(c.lr(), ReportWriter::lr),
                    Formats.bySeed(c.bestStep(), String::valueOf),
                    edge(c),
                    c.atLastStep() + "/" + c.bestStep().size(),
                    c.tiedOnDev() + "/" + c.lr().size()));
        }
        d.heading("Learning-rate selection");
        d.note("Each cell trained once per learning rate of its grid and kept the rate with the best k-shot dev score "
                + "(and, within that run, the best dev evaluation's state, at the step shown). **Edge** counts seeds "
                + "whose choice is the smallest (low) or largest (high) rate of the grid; with three rates two of them "
                + "are edges, so edges at both ends are expected by chance, and ⚠ marks only a method whose every "
                + "seed chose the same edge: its best rate may lie outside the grid. **Best at the last step** counts "
                + "seeds whose kept state is the run's last step: still improving when the step budget ran out. "
                + "**Tied on dev** counts seeds "
                + "where another rate reached the same best dev score, and the smallest of them was kept: on 16 "
                + "examples per class a tie often means the runs answer alike (e.g. one class for every dev example), "
                + "so the choice there says little about the rate.");
        d.add(new ReportDocument.Table(
                List.of(
                        "Encoder, k",
                        "Task",
                        "Method",
                        "Grid",
                        "Chosen lr by seed",
                        "Best step by seed",
                        "Edge",
                        "Best at the last step",
                        "Tied on dev"),
                List.of(false, false, false, false, false, false, true, true, true),
                ReportDocument.Table.plain(rows)));
    }

    /** The runs that made these results, with their wall time and environment. */
    private static void runs(ReportDocument d, ResultsFolder in) {
        d.heading("Runs and environment");
        Map<String, Long> lastFinish = new LinkedHashMap<>();
        long cellMs = 0;
        for (ResultRecord r : in.shown()) {
            cellMs += r.durationMs();
            if (r.runId() != null && r.finishedAt() != null) {
                long t = parse(r.finishedAt());
                lastFinish.merge(r.runId(), t, Math::max);
            }
        }
        Object encoders = in.config().get("encoders");
        d.paragraph("Encoder(s): **" + ReportDocument.literal(encoders == null ? "?" : encoders)
                + "**. Total wall time of all runs: **"
                + ProgressBar.formatDuration(Duration.ofMillis(totalWall(in.runs(), lastFinish)))
                + "**; time inside cells shown: " + ProgressBar.formatDuration(Duration.ofMillis(cellMs)) + ".");
        if (in.runs().isEmpty()) {
            d.note("No run records (runs/*.json) in the folder.");
            return;
        }
        Set<String> envKeys = new TreeSet<>();
        in.runs()
                .forEach(r -> envKeys.addAll(
                        r.environment() == null ? Set.of() : r.environment().keySet()));
        envKeys.add("engine"); // runs recorded before the engine was named show "not recorded"
        List<String> header = new ArrayList<>(List.of("run", "started", "wall time", "status", "runner", "cells run"));
        List<Boolean> numeric = new ArrayList<>(List.of(false, false, true, false, false, true));
        for (String k : envKeys) {
            header.add(k);
            numeric.add(false);
        }
        List<List<ReportDocument.Cell>> rows = new ArrayList<>();
        for (RunInfo r : in.runs()) {
            long wall = wall(r, lastFinish);
            List<ReportDocument.Cell> row = new ArrayList<>(List.of(
                    ReportDocument.Cell.code(String.valueOf(r.runId())),
                    ReportDocument.Cell.of(String.valueOf(r.startedAt())),
                    ReportDocument.Cell.of(wall < 0 ? "?" : ProgressBar.formatDuration(Duration.ofMillis(wall))),
                    ReportDocument.Cell.of(
                            r.endedAt() == null ? "killed or still running" : String.valueOf(r.status())),
                    ReportDocument.Cell.of(
                            r.runnerName() + " " + r.runnerVersion() + (r.synthetic() ? " (synthetic)" : "")),
                    ReportDocument.Cell.of(r.endedAt() == null ? "?" : String.valueOf(r.cellsRun()))));
            for (String k : envKeys) {
                Object v = r.environment() == null ? null : r.environment().get(k);
                row.add(ReportDocument.Cell.of(
                        String.valueOf(v != null ? v : k.equals("engine") ? "not recorded" : "")));
            }
            rows.add(row);
        }
        d.paragraph("Environment: " + ReportDocument.literal(environmentSummary(in.runs(), envKeys)) + ".");
        d.add(new ReportDocument.Collapsed(
                "Every run with its environment", new ReportDocument.Table(header, numeric, rows)));
    }

    /** Per environment key, its value if all runs agree, else each value with its number of runs (a few at most). */
    static String environmentSummary(List<RunInfo> runs, Set<String> keys) {
        List<String> parts = new ArrayList<>();
        for (String k : keys) {
            if (k.equals("pid")) {
                continue; // a different one per process by nature
            }
            Map<String, Integer> values = new LinkedHashMap<>();
            for (RunInfo r : runs) {
                Object v = r.environment() == null ? null : r.environment().get(k);
                values.merge(v == null ? "not recorded" : v.toString(), 1, Integer::sum);
            }
            if (values.size() == 1) {
                parts.add(k + " " + values.keySet().iterator().next());
            } else if (values.size() <= 3) {
                List<String> each = new ArrayList<>();
                values.forEach((v, n) -> each.add(v + " (" + n + (n == 1 ? " run)" : " runs)")));
                parts.add(k + " " + String.join(", ", each));
            } else {
                parts.add(k + ": " + values.size() + " different values");
            }
        }
        return String.join("; ", parts);
    }

    static String barsChart(ResultTables.Table t) {
        return "bars-" + fileSafe(t.encoder()) + "-k" + t.k() + ".png";
    }

    // ---------------------------------------------------------------- formatting

    private static String heading(ResultTables.Table t) {
        return t.encoder() + ", k = " + t.k();
    }

    private static String taskHeader(ResultTables.Table t, String task) {
        return task + " (" + t.metricByTask().get(task) + ")";
    }

    static String againstTrivialNote(List<ComparisonStatistics.Line> lines) {
        return "Against doing nothing: each method minus the task's strongest trivial baseline (the trivial row with the "
                + "highest mean, an oracle if that is the test majority), paired by seed and test example; a family of "
                + "its own (Holm within each task, over its "
                + testsByTask(lines)
                + "), apart from the comparisons between methods:";
    }

    static String verdict(ComparisonStatistics.Line l) {
        return l.note() == null ? l.verdict().words() : l.note();
    }

    /** Whether the CI excludes zero (either way), so that the verdict is a word other than "no support". */
    static boolean decided(ComparisonStatistics.Line l) {
        return (l.verdict() == Verdict.SUPPORTED || l.verdict() == Verdict.CONTRADICTED) && l.note() == null;
    }

    /** Whether the comparison has fewer seeds than the grid. */
    static boolean interim(ComparisonStatistics.Line l, int expectedSeeds) {
        return expectedSeeds > 0 && l.paired().differences().size() < expectedSeeds;
    }

    /**
     * The verdict as the tables show it: the CI's word, then what should temper it: fewer seeds than the grid has
     * (an interim verdict), and, for a CI that excludes zero, a paired t-test that does not (with five seeds or
     * fewer a percentile bootstrap can be the narrower of the two).
     */
    static String qualifiedVerdict(ComparisonStatistics.Line l, int expectedSeeds) {
        String v = verdict(l);
        List<String> caveats = new ArrayList<>();
        int n = l.paired().differences().size();
        if (interim(l, expectedSeeds)) {
            caveats.add("interim: " + n + " of " + expectedSeeds + " seeds");
        }
        if (decided(l) && l.p() > T_TEST_LEVEL) {
            caveats.add("t-test p " + Formats.pValue(l.p()));
        }
        return caveats.isEmpty() ? v : v + " (" + String.join("; ", caveats) + ")";
    }

    /** The level below which a paired t-test is said to agree with an interval that excludes zero. */
    static final double T_TEST_LEVEL = 0.05;

    /** The rows with identical predictions, per task; null when there are none. */
    static String identicalNote(Map<String, List<List<String>>> byTask) {
        if (byTask.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        byTask.forEach((task, groups) -> {
            for (List<String> g : groups) {
                parts.add(task + ": " + String.join(" = ", g));
            }
        });
        return "Identical test predictions, example by example, at every seed (so their differences are exactly 0 and "
                + "their rows are one result, not several; the predicted-class table shows whether it is a constant "
                + "answer): " + String.join("; ", parts) + ".";
    }

    /** Why a table has no paired comparisons: the seeds (a one-seed run has nothing to pair), else too few methods. */
    static String noComparisonsNote(ResultTables.Table t) {
        Set<Integer> seeds = new TreeSet<>();
        t.rows().stream()
                .filter(r -> !TrivialBaselines.isTrivial(r.label()))
                .forEach(r -> r.seedValues().values().forEach(v -> seeds.addAll(v.keySet())));
        return seeds.size() < 2
                ? "No paired comparisons, CIs or verdicts: they pair methods seed by seed and need at least two seeds; "
                        + "this table has " + seeds.size() + " (" + seeds + "). Run more seeds (`--seeds 13,21,42`, or "
                        + "`seeds:` in a config) before reading a difference above as more than noise."
                : "No paired comparisons: the report pairs every method with adapter tuning and full fine-tuning, the "
                        + "merges with the single adapters and AdapterFusion, same-track with each source it merged and "
                        + "OT with plain averaging, and this table has none of those pairs with two seeds in common. Add "
                        + "a baseline (`--methods` with adapter or full, or `methods:` in a config) to compare against.";
    }

    static String familyNote(List<ComparisonStatistics.Line> lines) {
        return "Holm within each task, over its " + testsByTask(lines);
    }

    /** "30 t-tests" for one task, "MRPC 30, MNLI 30 t-tests" for several, in the table's order. */
    private static String testsByTask(List<ComparisonStatistics.Line> lines) {
        Map<String, Long> byTask = new LinkedHashMap<>();
        for (ComparisonStatistics.Line l : lines) {
            if (!Double.isNaN(l.p())) {
                byTask.merge(l.paired().task(), 1L, Long::sum);
            }
        }
        if (byTask.size() <= 1) {
            return byTask.values().stream().findFirst().orElse(0L) + " t-tests";
        }
        List<String> parts = new ArrayList<>();
        byTask.forEach((task, n) -> parts.add(task + " " + n));
        return String.join(", ", parts) + " t-tests";
    }

    static String trivialNote(ResultsFolder in) {
        if (in.predictions().count() == 0) {
            return "Trivial baselines need per-example predictions, which this folder does not have (its cells were run "
                    + "before mera stored them).";
        }
        return "Rows `" + TrivialBaselines.PREFIX
                + "…` score predictors that learn nothing against the stored test labels: the seed's "
                + "k-shot majority class (first label on a tie), the test set's majority class (an oracle), always class 1 "
                + "(binary tasks), a constant score (regression); any constant classifier has MCC 0.";
    }

    static String statisticsNote(ResultsFolder in) {
        return "Statistics: per comparison, the mean of the per-seed differences with a paired bootstrap 95 % CI ("
                + PairedStatistics.RESAMPLES
                + " resamples; each draws the seeds and, once, the test examples with replacement, "
                + "recomputes both methods' metric on the drawn examples and averages the differences over the drawn seeds; "
                + "percentile interval; Mersenne Twister seeded " + PairedStatistics.SEED
                + "); p (t): two-sided paired t-test "
                + "over seeds (test set held fixed); p (Holm): Holm-adjusted within each task's comparisons, since many are made at once (one family per "
                + "target, as the paper makes one claim per target; a family over the whole grid would change a finished "
                + "target's adjusted p whenever another target's results land); "
                + "W/T/L: seeds won, tied (|difference| ≤ " + PairedStatistics.TIE_EPSILON
                + " points) and lost. Verdict on "
                + "\"method beats baseline\": **supported** only when the CI lies above 0, **no support** when it contains 0, "
                + "**contradicted** when it lies below 0. Each CI covers its own comparison only (not adjusted for the many "
                + "made here): a \"supported\" with a large Holm p is one to replicate before relying on it. The tables "
                + "add to a verdict \"interim: n of N seeds\" while a comparison has fewer seeds than the grid, and "
                + "\"t-test p …\" where the CI excludes 0 but the paired t-test's p is above " + T_TEST_LEVEL
                + " (with five seeds or fewer a percentile bootstrap can exclude 0 where the t-test does not; comparisons.csv"
                + " keeps the plain verdict)"
                + (in.predictions().count() == 0
                        ? "; this folder has no per-example predictions, so no CI and no verdict."
                        : ".");
    }

    /**
     * Every comparison, those between methods first, then those against the trivial baselines (baseline
     * "trivial: …", Holm-adjusted within their own family).
     */
    static String comparisonsCsv(
            Map<ResultTables.Table, List<ComparisonStatistics.Line>> stats,
            Map<ResultTables.Table, List<ComparisonStatistics.Line>> trivial) {
        StringBuilder b = new StringBuilder(
                "encoder,k,task,metric,method,baseline,seeds,mean_difference,ci_low,ci_high,p_t,p_holm,"
                        + "wins,ties,losses,verdict\n");
        comparisonsCsv(b, stats);
        comparisonsCsv(b, trivial);
        return b.toString();
    }

    private static void comparisonsCsv(
            StringBuilder b, Map<ResultTables.Table, List<ComparisonStatistics.Line>> stats) {
        stats.forEach((t, lines) -> {
            for (ComparisonStatistics.Line l : lines) {
                ResultTables.Paired p = l.paired();
                b.append(csvField(t.encoder()))
                        .append(',')
                        .append(t.k())
                        .append(',')
                        .append(csvField(p.task()))
                        .append(',')
                        .append(csvField(l.metric()))
                        .append(',')
                        .append(csvField(p.method()))
                        .append(',')
                        .append(csvField(p.baseline()))
                        .append(',')
                        .append(p.differences().size())
                        .append(',')
                        .append(num2(p.mean()))
                        .append(',')
                        .append(num2(l.ci().low()))
                        .append(',')
                        .append(num2(l.ci().high()))
                        .append(',')
                        .append(num4(l.p()))
                        .append(',')
                        .append(num4(l.pHolm()))
                        .append(',')
                        .append(l.signs().wins())
                        .append(',')
                        .append(l.signs().ties())
                        .append(',')
                        .append(l.signs().losses())
                        .append(',')
                        .append(csvField(verdict(l)))
                        .append('\n');
            }
        });
    }

    private static String num2(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String num4(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    /**
     * The engines the runs recorded (distinct, in run order), then torch's thread counts with how many runs used each
     * (runs from before mera recorded them say so); runs from before engines were recorded say so.
     */
    static String engines(ResultsFolder in) {
        Set<String> engines = new LinkedHashSet<>();
        Map<String, Integer> threads = new LinkedHashMap<>();
        int unrecorded = 0;
        for (RunInfo r : in.runs()) {
            Object e = r.environment() == null ? null : r.environment().get("engine");
            if (e == null) {
                unrecorded++;
            } else {
                engines.add(e.toString());
                Object t = r.environment().get("torchThreads");
                threads.merge(t == null ? "not recorded" : t.toString(), 1, Integer::sum);
            }
        }
        if (unrecorded > 0) {
            engines.add("not recorded by " + unrecorded + " run(s) from before mera named it");
        }
        if (engines.isEmpty()) {
            return "unknown (no run records)";
        }
        String out = String.join("; ", engines);
        if (unrecorded == 0 && threads.size() == 1 && !threads.containsKey("not recorded")) {
            String t = threads.keySet().iterator().next();
            return out + ", " + t + (t.equals("1") ? " thread" : " threads");
        }
        if (!threads.isEmpty()) {
            List<String> parts = new ArrayList<>();
            threads.forEach((t, n) -> parts.add(t + " (" + n + (n == 1 ? " run)" : " runs)")));
            out += "; torch threads by run: " + String.join(", ", parts);
        }
        return out;
    }

    /** One learning-rate selection line: a method on a task, over its seeds. */
    record LrChoice(
            String encoder,
            int k,
            String task,
            String method,
            List<Double> grid,
            TreeMap<Integer, Double> lr,
            TreeMap<Integer, Integer> bestStep,
            long onEdge,
            long low,
            long high,
            long atLastStep,
            long tiedOnDev) {}

    /** "3/5 (1 low, 2 high)", with ⚠ when every seed chose the same edge of the grid. */
    static String edge(LrChoice c) {
        int n = c.lr().size();
        String ends = c.onEdge() == 0
                ? ""
                : " (" + (c.low() > 0 ? c.low() + " low" : "") + (c.low() > 0 && c.high() > 0 ? ", " : "")
                        + (c.high() > 0 ? c.high() + " high" : "") + ")";
        return (oneSide(c) ? "⚠ " : "") + c.onEdge() + "/" + n + ends;
    }

    /** Every seed chose the same edge of the grid: the best rate may lie outside it. */
    static boolean oneSide(LrChoice c) {
        int n = c.lr().size();
        return n > 0 && (c.low() == n || c.high() == n);
    }

    /** "TASK\0method" (as table rows name it) of each method whose every seed chose one edge, for one encoder and k. */
    static Set<String> atOneEdge(List<LrChoice> choices, String encoder, int k) {
        Set<String> out = new java.util.HashSet<>();
        for (LrChoice c : choices) {
            if (c.encoder().equals(encoder) && c.k() == k && oneSide(c)) {
                out.add(c.task() + "\u0000" + c.method());
            }
        }
        return out;
    }

    /** The cells that chose their learning rate on a grid (extra lrGrid), grouped by encoder, k, task and method. */
    @SuppressWarnings("unchecked")
    static List<LrChoice> lrChoices(ResultsFolder in) {
        Map<String, List<ResultRecord>> groups = new LinkedHashMap<>();
        for (ResultRecord r : in.shown()) {
            if (r.extra().get("lrGrid") instanceof List<?>) {
                groups.computeIfAbsent(
                                r.encoder() + "\u0000" + r.k() + "\u0000" + r.task() + "\u0000" + r.methodLabel(),
                                x -> new ArrayList<>())
                        .add(r);
            }
        }
        List<LrChoice> out = new ArrayList<>();
        for (List<ResultRecord> g : groups.values()) {
            ResultRecord first = g.get(0);
            TreeMap<Integer, Double> lr = new TreeMap<>();
            TreeMap<Integer, Integer> step = new TreeMap<>();
            long edge = 0;
            long low = 0;
            long high = 0;
            long last = 0;
            long ties = 0;
            List<Double> grid = ((List<Number>) first.extra().get("lrGrid"))
                    .stream().map(Number::doubleValue).toList();
            double smallest =
                    grid.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            double largest =
                    grid.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            for (ResultRecord r : g) {
                double chosen = ((Number) r.extra().get("lr")).doubleValue();
                lr.put(r.seed(), chosen);
                if (r.extra().get("bestStep") instanceof Number n) {
                    step.put(r.seed(), n.intValue());
                    if (r.extra().get("steps") instanceof Number total && n.intValue() >= total.intValue()) {
                        last++;
                    }
                }
                if (Boolean.TRUE.equals(r.extra().get("lrOnGridEdge"))) {
                    edge++;
                    low += chosen == smallest ? 1 : 0;
                    high += chosen == largest && chosen != smallest ? 1 : 0;
                }
                ties += tiedOnDev(r) ? 1 : 0;
            }
            out.add(new LrChoice(
                    first.encoder(),
                    first.k(),
                    first.task(),
                    first.method() + (first.source() == null ? "" : " [" + first.source() + "]"),
                    grid,
                    lr,
                    step,
                    edge,
                    low,
                    high,
                    last,
                    ties));
        }
        return out;
    }

    /** Whether another rate of the cell's grid reached the same best dev score (the smallest such rate is kept). */
    static boolean tiedOnDev(ResultRecord r) {
        if (!(r.extra().get("lrGridDev") instanceof Map<?, ?> dev) || dev.size() < 2) {
            return false;
        }
        double best = Double.NEGATIVE_INFINITY;
        for (Object v : dev.values()) {
            best = Math.max(best, ((Number) v).doubleValue());
        }
        long atBest = 0;
        for (Object v : dev.values()) {
            atBest += ((Number) v).doubleValue() == best ? 1 : 0;
        }
        return atBest > 1;
    }

    private static String lr(double v) {
        return String.format(Locale.ROOT, "%.0e", v).replace("e-0", "e-");
    }

    private static String lrList(List<Double> grid) {
        return String.join(", ", grid.stream().map(ReportWriter::lr).toList());
    }

    static String completeness(ResultsFolder in) {
        String s = in.shown().size() + " of " + in.gridCells() + " cells finished";
        for (Map.Entry<Path, Integer> e : in.includedFrom().entrySet()) {
            s += " (" + e.getValue() + " of them read from " + ReportDocument.literal(e.getKey())
                    + ", another part of the grid)";
        }
        if (!in.missing().isEmpty()) {
            // per target, so that a reader sees which targets are complete and which have not started
            Map<String, int[]> byTask = new LinkedHashMap<>();
            for (String task : in.taskOrder()) {
                byTask.put(task, new int[2]);
            }
            for (ResultRecord r : in.shown()) {
                byTask.computeIfAbsent(r.task(), x -> new int[2])[0]++;
            }
            for (Map<String, Object> c : in.missing()) {
                byTask.computeIfAbsent(String.valueOf(c.get("task")), x -> new int[2])[1]++;
            }
            List<String> parts = new ArrayList<>();
            byTask.forEach((task, n) -> {
                if (n[0] + n[1] > 0) {
                    parts.add(task + " " + n[0] + "/" + (n[0] + n[1]));
                }
            });
            s += " (**incomplete**: " + in.missing().size() + " still to run; tables show what is done; cells "
                    + "finished by target: " + String.join(", ", parts) + ")";
        }
        if (in.staleIgnored() > 0) {
            s += "; " + in.staleIgnored() + " results of cells no longer in the grid are not shown";
        }
        return s + ".";
    }

    static String csv(List<ResultTables.Table> tables) {
        List<String> tasks = new ArrayList<>();
        for (ResultTables.Table t : tables) {
            t.tasks().stream().filter(x -> !tasks.contains(x)).forEach(tasks::add);
        }
        StringBuilder b = new StringBuilder("encoder,k,method");
        for (String t : tasks) {
            b.append(',')
                    .append(csvField(t + "_mean"))
                    .append(',')
                    .append(csvField(t + "_std"))
                    .append(',')
                    .append(csvField(t + "_n"))
                    .append(',')
                    .append(csvField(t + "_note"));
        }
        b.append(",average_mean,average_std,average_n\n");
        for (ResultTables.Table t : tables) {
            for (ResultTables.Row r : t.rows()) {
                b.append(csvField(t.encoder()))
                        .append(',')
                        .append(t.k())
                        .append(',')
                        .append(csvField(r.label()));
                for (String task : tasks) {
                    ResultTables.Stat s = r.stat(task);
                    b.append(',')
                            .append(num(s == null ? Double.NaN : s.mean()))
                            .append(',')
                            .append(num(s == null ? Double.NaN : s.std()))
                            .append(',')
                            .append(s == null ? "0" : s.n())
                            .append(',')
                            .append(csvField(r.notes().getOrDefault(task, "")));
                }
                ResultTables.Stat a = r.average(t.tasks());
                b.append(',')
                        .append(num(a == null ? Double.NaN : a.mean()))
                        .append(',')
                        .append(num(a == null ? Double.NaN : a.std()))
                        .append(',')
                        .append(a == null ? "0" : a.n())
                        .append('\n');
            }
        }
        return b.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    // ---------------------------------------------------------------- charts

    /**
     * The rows the charts draw: not each source alone (the summaries are drawn), and not the oracle best source, which
     * picks by test score: drawn as a bar like the others it would read as a method (the table keeps it, labelled).
     */
    private static List<ResultTables.Row> charted(ResultTables.Table t) {
        return t.rows().stream()
                .filter(r ->
                        ResultTables.sourceOf(r.label()) == null && !r.label().equals(ResultTables.SINGLE_BEST))
                .toList();
    }

    static Map<String, byte[]> charts(List<ResultTables.Table> tables) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (ResultTables.Table t : tables) {
            List<String> groups = new ArrayList<>(t.tasks());
            boolean withAverage = t.tasks().size() > 1;
            if (withAverage) {
                groups.add("Average");
            }
            List<ResultTables.Row> charted = charted(t);
            List<String> series = charted.stream().map(ResultTables.Row::label).toList();
            double[][] mean = new double[series.size()][groups.size()];
            double[][] std = new double[series.size()][groups.size()];
            for (int s = 0; s < series.size(); s++) {
                ResultTables.Row r = charted.get(s);
                for (int g = 0; g < groups.size(); g++) {
                    ResultTables.Stat st =
                            g < t.tasks().size() ? r.stat(t.tasks().get(g)) : r.average(t.tasks());
                    mean[s][g] = st == null ? Double.NaN : st.mean();
                    std[s][g] = st == null ? Double.NaN : st.std();
                }
            }
            out.put(
                    barsChart(t),
                    Charts.groupedBars(
                            heading(t) + ": primary metric ×100 by task (mean ± std over seeds)",
                            "score ×100",
                            groups,
                            series,
                            mean,
                            std));
        }
        Map<String, List<ResultTables.Table>> byEncoder = new LinkedHashMap<>();
        tables.forEach(t ->
                byEncoder.computeIfAbsent(t.encoder(), e -> new ArrayList<>()).add(t));
        for (Map.Entry<String, List<ResultTables.Table>> e : byEncoder.entrySet()) {
            List<ResultTables.Table> ts = new ArrayList<>(e.getValue());
            if (ts.size() < 2) {
                continue;
            }
            ts.sort((a, b) -> Integer.compare(a.k(), b.k()));
            List<String> xs = ts.stream().map(t -> String.valueOf(t.k())).toList();
            Set<String> tasks = new LinkedHashSet<>();
            ts.forEach(t -> tasks.addAll(t.tasks()));
            List<String> series = new ArrayList<>(new LinkedHashSet<>(ts.stream()
                    .flatMap(t -> charted(t).stream())
                    .map(ResultTables.Row::label)
                    .toList()));
            for (String task : tasks) {
                double[][] mean = new double[series.size()][xs.size()];
                double[][] std = new double[series.size()][xs.size()];
                for (int s = 0; s < series.size(); s++) {
                    for (int i = 0; i < ts.size(); i++) {
                        String label = series.get(s);
                        ResultTables.Row row = ts.get(i).row(label);
                        ResultTables.Stat st = row == null ? null : row.stat(task);
                        mean[s][i] = st == null ? Double.NaN : st.mean();
                        std[s][i] = st == null ? Double.NaN : st.std();
                    }
                }
                String metric = ts.get(0).metricByTask().getOrDefault(task, "score");
                out.put(
                        "k-" + fileSafe(e.getKey()) + "-" + fileSafe(task) + ".png",
                        Charts.lines(
                                e.getKey() + ", " + task + ": " + metric + " ×100 vs k",
                                metric + " ×100",
                                xs,
                                series,
                                mean,
                                std));
            }
        }
        return out;
    }

    private static String fileSafe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static long totalWall(List<RunInfo> runs, Map<String, Long> lastFinish) {
        long sum = 0;
        for (RunInfo r : runs) {
            sum += Math.max(0, wall(r, lastFinish));
        }
        return sum;
    }

    /** End − start; for a run that never wrote its end (killed), up to its last finished cell. */
    private static long wall(RunInfo r, Map<String, Long> lastFinish) {
        long start = parse(r.startedAt());
        long end = r.endedAt() != null ? parse(r.endedAt()) : lastFinish.getOrDefault(r.runId(), -1L);
        return start < 0 || end < 0 ? -1 : Math.max(0, end - start);
    }

    private static long parse(String instant) {
        try {
            return Instant.parse(instant).toEpochMilli();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String yaml(Map<String, Object> config) throws IOException {
        if (config.isEmpty()) {
            return "(no config.json in the folder)";
        }
        ObjectMapper y = new ObjectMapper(YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .build());
        return y.writeValueAsString(config);
    }
}
