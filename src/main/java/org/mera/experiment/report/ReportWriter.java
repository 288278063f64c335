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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.ResultRecord;
import org.mera.experiment.RunInfo;
import org.mera.experiment.stats.ComparisonStatistics;
import org.mera.experiment.stats.PairedStatistics;
import org.mera.experiment.stats.ResultTables;
import org.mera.experiment.stats.TrivialBaselines;
import org.mera.io.AtomicFiles;
import org.mera.io.Json;
import org.mera.train.ProgressBar;

/**
 * Writes the report of an experiment folder from its results file alone (no training): {@code report/}
 * holds report.md, results-table.csv, PNG charts and report.html, a single self-contained page (inline
 * CSS, charts as base64) that opens offline. Only results of the current grid ({@code grid.json}) are
 * shown when that file exists; results of cells a config change replaced stay in the file but not in
 * the tables.
 */
public final class ReportWriter {
    public static final String REPORT_DIR = "report";

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
        ResultsFolder in = ResultsFolder.read(resultsDir, include);
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
        Path md = reportDir.resolve("report.md");
        AtomicFiles.writeString(md, markdown(in, tables, stats, trivial, shares, charts.keySet()));
        Path csv = reportDir.resolve("results-table.csv");
        AtomicFiles.writeString(csv, csv(tables));
        Path comparisons = reportDir.resolve("comparisons.csv");
        AtomicFiles.writeString(comparisons, comparisonsCsv(stats, trivial));
        Path html = reportDir.resolve("report.html");
        AtomicFiles.writeString(html, html(in, tables, stats, trivial, shares, charts));
        return new Output(reportDir, md, csv, comparisons, html, chartFiles);
    }

    /** The report's tables: the methods' rows, then the trivial baselines computed from the stored test labels. */
    static List<ResultTables.Table> tables(ResultsFolder in) {
        return ResultTables.build(in.shown(), in.taskOrder(), in.methodOrder(), in.expectedSources()).stream()
                .map(t -> TrivialBaselines.addTo(t, in.predictions()))
                .toList();
    }

    // ---------------------------------------------------------------- formatting

    static String cell(ResultTables.Stat s, int expectedSeeds, String note) {
        if (s == null) {
            return "–";
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%.1f", s.mean()));
        if (!Double.isNaN(s.std())) {
            b.append(String.format(Locale.ROOT, " ± %.1f", s.std()));
        }
        if (expectedSeeds > 0 && s.n() < expectedSeeds) {
            b.append(" (n=").append(s.n()).append(")");
        }
        if (note != null) {
            b.append(" [").append(note).append("]");
        }
        return b.toString();
    }

    private static String heading(ResultTables.Table t) {
        return t.encoder() + ", k = " + t.k();
    }

    private static String taskHeader(ResultTables.Table t, String task) {
        return task + " (" + t.metricByTask().get(task) + ")";
    }

    static String markdown(
            ResultsFolder in,
            List<ResultTables.Table> tables,
            Map<ResultTables.Table, List<ComparisonStatistics.Line>> stats,
            Map<ResultTables.Table, List<ComparisonStatistics.Line>> trivial,
            List<PredictionShares.Section> shares,
            Set<String> chartNames) {
        StringBuilder b = new StringBuilder();
        b.append("# Experiment report: ").append(in.name()).append("\n\n");
        if (in.synthetic()) {
            b.append(
                    "> **SYNTHETIC EXAMPLE DATA.** These numbers come from a test runner, not from training models. They mean nothing.\n\n");
        }
        if (Boolean.TRUE.equals(in.config().get("allowTargetSource"))) {
            b.append(
                    "> **allowTargetSource is on:** a target task's own pretrained adapter may be among its sources.\n\n");
        }
        b.append(completeness(in)).append(" Engine: ").append(engines(in)).append(".\n\n");
        b.append(
                        "Primary metric ×100, mean ± sample standard deviation over seeds; (n=…) marks fewer seeds than configured. ")
                .append("Average: per seed, the mean over tasks. `")
                .append(ResultTables.SINGLE_BEST)
                .append("` picks, per task, the source with the best mean test score [named], an oracle upper bound. ")
                .append(trivialNote(in))
                .append("\n\n")
                .append(statisticsNote(in))
                .append("\n\n");
        for (ResultTables.Table t : tables) {
            b.append("## ").append(heading(t)).append("\n\n| Method |");
            t.tasks().forEach(task -> b.append(' ').append(taskHeader(t, task)).append(" |"));
            b.append(" Average |\n|---|");
            t.tasks().forEach(task -> b.append("---:|"));
            b.append("---:|\n");
            for (ResultTables.Row r : t.rows()) {
                b.append("| ").append(r.label()).append(" |");
                for (String task : t.tasks()) {
                    b.append(' ')
                            .append(cell(
                                    r.stat(task), in.expectedSeeds(), r.notes().get(task)))
                            .append(" |");
                }
                b.append(' ')
                        .append(cell(r.average(t.tasks()), in.expectedSeeds(), null))
                        .append(" |\n");
            }
            b.append('\n');
            comparisonsMarkdown(
                    b,
                    stats.get(t),
                    "Paired by seed (same split; method minus baseline, ×100; " + familyNote(stats.get(t)) + "):");
            comparisonsMarkdown(b, trivial.get(t), againstTrivialNote(trivial.get(t)));
        }
        b.append(PredictionShares.markdown(shares));
        String lr = lrSelectionMarkdown(in);
        if (!lr.isEmpty()) {
            b.append(lr);
        }
        b.append(SourceAdapterTable.markdown(in.shown()));
        for (String chart : chartNames) {
            b.append("![").append(chart).append("](").append(chart).append(")\n\n");
        }
        return b.toString();
    }

    /** One comparisons table (nothing when there are no lines). */
    private static void comparisonsMarkdown(StringBuilder b, List<ComparisonStatistics.Line> lines, String intro) {
        if (lines.isEmpty()) {
            return;
        }
        b.append(intro)
                .append("\n\n")
                .append("| Task | Comparison | Per seed | Mean | 95 % CI | p (t) | p (Holm) | W/T/L | Verdict |\n")
                .append("|---|---|---|---:|---:|---:|---:|---:|---|\n");
        for (ComparisonStatistics.Line l : lines) {
            ResultTables.Paired p = l.paired();
            b.append("| ")
                    .append(p.task())
                    .append(" | ")
                    .append(p.method())
                    .append(" − ")
                    .append(p.baseline())
                    .append(" | ")
                    .append(perSeed(p))
                    .append(" | ")
                    .append(signed(p.mean()))
                    .append(" | ")
                    .append(ci(l))
                    .append(" | ")
                    .append(pValue(l.p()))
                    .append(" | ")
                    .append(pValue(l.pHolm()))
                    .append(" | ")
                    .append(l.signs())
                    .append(" | ")
                    .append(verdict(l))
                    .append(" |\n");
        }
        b.append('\n');
    }

    private static void comparisonsHtml(StringBuilder b, List<ComparisonStatistics.Line> lines, String intro) {
        if (lines.isEmpty()) {
            return;
        }
        b.append("<p class=\"note\">")
                .append(esc(intro))
                .append(
                        "</p>\n<table><tr><th>Task</th><th>Comparison</th><th>Per seed</th><th>Mean</th><th>95 % CI</th>")
                .append("<th>p (t)</th><th>p (Holm)</th><th>W/T/L</th><th>Verdict</th></tr>\n");
        for (ComparisonStatistics.Line l : lines) {
            ResultTables.Paired p = l.paired();
            b.append("<tr><td>")
                    .append(esc(p.task()))
                    .append("</td><td>")
                    .append(esc(p.method() + " − " + p.baseline()))
                    .append("</td><td>")
                    .append(esc(perSeed(p)))
                    .append("</td><td class=\"num\">")
                    .append(esc(signed(p.mean())))
                    .append("</td><td class=\"num\">")
                    .append(esc(ci(l)))
                    .append("</td><td class=\"num\">")
                    .append(esc(pValue(l.p())))
                    .append("</td><td class=\"num\">")
                    .append(esc(pValue(l.pHolm())))
                    .append("</td><td class=\"num\">")
                    .append(esc(l.signs()))
                    .append("</td><td>")
                    .append(esc(verdict(l)))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n");
    }

    static String againstTrivialNote(List<ComparisonStatistics.Line> lines) {
        return "Against doing nothing: each method minus the task's strongest trivial baseline (the trivial row with the "
                + "highest mean, an oracle if that is the test majority), paired by seed and test example; a family of "
                + "its own (Holm over its "
                + lines.stream().filter(l -> !Double.isNaN(l.p())).count()
                + " t-tests), apart from the comparisons between methods:";
    }

    static String signed(double v) {
        String s = String.format(Locale.ROOT, "%+.1f", v);
        return s.equals("+0.0") || s.equals("-0.0") ? "0.0" : s.replace('-', '−');
    }

    static String ci(ComparisonStatistics.Line l) {
        return l.ci().exists() ? interval(l.ci()) : "–";
    }

    static String interval(PairedStatistics.Interval ci) {
        return "[" + signed(ci.low()) + ", " + signed(ci.high()) + "]";
    }

    static String pValue(double p) {
        if (Double.isNaN(p)) {
            return "–";
        }
        return p < 0.001 ? "<0.001" : String.format(Locale.ROOT, "%.3f", p);
    }

    static String verdict(ComparisonStatistics.Line l) {
        return l.note() == null ? l.verdict().words() : l.note();
    }

    static String familyNote(List<ComparisonStatistics.Line> lines) {
        long tests = lines.stream().filter(l -> !Double.isNaN(l.p())).count();
        return "Holm over the " + tests + " t-tests of this table";
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
                + "over seeds (test set held fixed); p (Holm): Holm-adjusted over the table's comparisons, since many are made at once; "
                + "W/T/L: seeds won, tied (|difference| ≤ " + PairedStatistics.TIE_EPSILON
                + " points) and lost. Verdict on "
                + "\"method beats baseline\": **supported** only when the CI lies above 0, **no support** when it contains 0, "
                + "**contradicted** when it lies below 0. Each CI covers its own comparison only (not adjusted for the many "
                + "made here): a \"supported\" with a large Holm p is one to replicate before relying on it"
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

    private static String perSeed(ResultTables.Paired p) {
        StringBuilder b = new StringBuilder();
        p.differences()
                .forEach((seed, d) -> b.append(b.length() == 0 ? "" : ", ")
                        .append(seed)
                        .append(": ")
                        .append(signed(d)));
        return b.toString();
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
            long onEdge) {}

    /** The cells that chose their learning rate on a grid (extra lrGrid), grouped by encoder, k, task and method. */
    @SuppressWarnings("unchecked")
    static List<LrChoice> lrChoices(ResultsFolder in) {
        Map<String, List<ResultRecord>> groups = new LinkedHashMap<>();
        for (ResultRecord r : in.shown()) {
            if (r.extra().get("lrGrid") instanceof List<?>) {
                groups.computeIfAbsent(
                                r.encoder() + "\u0000" + r.k() + "\u0000" + r.task() + "\u0000" + r.method()
                                        + (r.source() == null ? "" : "[" + r.source() + "]"),
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
            for (ResultRecord r : g) {
                lr.put(r.seed(), ((Number) r.extra().get("lr")).doubleValue());
                if (r.extra().get("bestStep") instanceof Number n) {
                    step.put(r.seed(), n.intValue());
                }
                edge += Boolean.TRUE.equals(r.extra().get("lrOnGridEdge")) ? 1 : 0;
            }
            List<Double> grid = ((List<Number>) first.extra().get("lrGrid"))
                    .stream().map(Number::doubleValue).toList();
            out.add(new LrChoice(
                    first.encoder(),
                    first.k(),
                    first.task(),
                    first.method() + (first.source() == null ? "" : " [" + first.source() + "]"),
                    grid,
                    lr,
                    step,
                    edge));
        }
        return out;
    }

    static String lrSelectionMarkdown(ResultsFolder in) {
        List<LrChoice> choices = lrChoices(in);
        if (choices.isEmpty()) {
            return "";
        }
        StringBuilder b =
                new StringBuilder("## Learning-rate selection\n\nEach cell trained once per learning rate of its grid "
                        + "and kept the rate with the best k-shot dev score (and, within that run, the best dev evaluation's state, at the "
                        + "step shown). **Edge** counts seeds whose choice is the smallest or largest rate of the grid: the best rate may "
                        + "lie outside it.\n\n| Encoder, k | Task | Method | Grid | Chosen lr by seed | Best step by seed | Edge |\n"
                        + "|---|---|---|---|---|---|---:|\n");
        for (LrChoice c : choices) {
            b.append("| ")
                    .append(c.encoder())
                    .append(", ")
                    .append(c.k())
                    .append(" | ")
                    .append(c.task())
                    .append(" | ")
                    .append(c.method())
                    .append(" | ")
                    .append(lrList(c.grid()))
                    .append(" | ")
                    .append(bySeed(c.lr(), ReportWriter::lr))
                    .append(" | ")
                    .append(bySeed(c.bestStep(), String::valueOf))
                    .append(" | ")
                    .append(c.onEdge() > 0 ? "⚠ " : "")
                    .append(c.onEdge())
                    .append('/')
                    .append(c.lr().size())
                    .append(" |\n");
        }
        return b.append('\n').toString();
    }

    private static String lr(double v) {
        return String.format(Locale.ROOT, "%.0e", v).replace("e-0", "e-");
    }

    private static String lrList(List<Double> grid) {
        return String.join(", ", grid.stream().map(ReportWriter::lr).toList());
    }

    private static <T> String bySeed(TreeMap<Integer, T> values, java.util.function.Function<T, String> format) {
        StringBuilder b = new StringBuilder();
        values.forEach((seed, v) ->
                b.append(b.length() == 0 ? "" : ", ").append(seed).append(": ").append(format.apply(v)));
        return b.toString();
    }

    static String completeness(ResultsFolder in) {
        String s = in.shown().size() + " of " + in.gridCells() + " cells finished";
        for (Map.Entry<Path, Integer> e : in.includedFrom().entrySet()) {
            s += " (" + e.getValue() + " of them read from " + e.getKey() + ", another part of the grid)";
        }
        if (!in.missing().isEmpty()) {
            s += " (**incomplete**: " + in.missing().size() + " still to run; tables show what is done)";
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

    static Map<String, byte[]> charts(List<ResultTables.Table> tables) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (ResultTables.Table t : tables) {
            List<String> groups = new ArrayList<>(t.tasks());
            boolean withAverage = t.tasks().size() > 1;
            if (withAverage) {
                groups.add("Average");
            }
            List<String> series = t.rows().stream().map(ResultTables.Row::label).toList();
            double[][] mean = new double[series.size()][groups.size()];
            double[][] std = new double[series.size()][groups.size()];
            for (int s = 0; s < series.size(); s++) {
                ResultTables.Row r = t.rows().get(s);
                for (int g = 0; g < groups.size(); g++) {
                    ResultTables.Stat st =
                            g < t.tasks().size() ? r.stat(t.tasks().get(g)) : r.average(t.tasks());
                    mean[s][g] = st == null ? Double.NaN : st.mean();
                    std[s][g] = st == null ? Double.NaN : st.std();
                }
            }
            out.put(
                    "bars-" + fileSafe(t.encoder()) + "-k" + t.k() + ".png",
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
                    .flatMap(t -> t.rows().stream())
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

    // ---------------------------------------------------------------- HTML

    static String html(
            ResultsFolder in,
            List<ResultTables.Table> tables,
            Map<ResultTables.Table, List<ComparisonStatistics.Line>> stats,
            Map<ResultTables.Table, List<ComparisonStatistics.Line>> trivial,
            List<PredictionShares.Section> shares,
            Map<String, byte[]> charts)
            throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(in.name()))
                .append(" — mera experiment report</title>\n<style>\n")
                .append(
                        "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}\n")
                .append(
                        "h1{font-size:26px;margin-bottom:4px}h2{font-size:20px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}\n")
                .append(
                        "table{border-collapse:collapse;margin:12px 0;font-size:14px}th,td{border:1px solid #d0d0d0;padding:5px 9px}\n")
                .append(
                        "th{background:#f3f4f6;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n")
                .append("tr:nth-child(even) td{background:#fafafa}td.best{font-weight:bold}\n")
                .append(
                        ".banner{background:#fff3cd;border:2px solid #e0a800;padding:12px 16px;font-size:17px;margin:14px 0;border-radius:4px}\n")
                .append(
                        ".warn{background:#fdecea;border:1px solid #e57373;padding:8px 12px;margin:10px 0;border-radius:4px}\n")
                .append(".note{color:#555;font-size:13px}img{max-width:100%;border:1px solid #eee;margin:8px 0}\n")
                .append("pre{background:#f6f8fa;padding:12px;overflow:auto;font-size:12px;border:1px solid #e1e4e8}\n")
                .append("</style></head><body>\n");
        b.append("<h1>Experiment report: ").append(esc(in.name())).append("</h1>\n");
        b.append("<p class=\"note\">Generated by mera from ")
                .append(esc(ExperimentRunner.RESULTS_FILE))
                .append(" at ")
                .append(esc(Instant.now().toString()))
                .append(".</p>\n");
        if (in.synthetic()) {
            b.append(
                            "<div class=\"banner\"><b>SYNTHETIC EXAMPLE DATA.</b> Every number on this page was produced by a test runner ")
                    .append(
                            "(cheap deterministic computation), not by training models. It shows what a report looks like and means nothing.</div>\n");
        }
        if (Boolean.TRUE.equals(in.config().get("allowTargetSource"))) {
            b.append(
                    "<div class=\"warn\"><b>allowTargetSource is on:</b> a target task's own pretrained adapter may be among its sources.</div>\n");
        }
        if (in.tornTail()) {
            b.append(
                    "<div class=\"warn\">The results file ends with an incomplete line (a run was killed while writing); it is ignored.</div>\n");
        }
        b.append("<p>")
                .append(esc(completeness(in)).replace("**incomplete**", "<b>incomplete</b>"))
                .append("</p>\n");
        b.append(
                        "<p class=\"note\">Primary metric ×100, mean ± sample standard deviation over seeds; (n=…) marks fewer seeds than configured. ")
                .append("Average: per seed, the mean over tasks, then mean ± std over seeds. <i>")
                .append(ResultTables.SINGLE_BEST)
                .append(
                        "</i> picks per task the source adapter with the best mean test score (named in brackets): an oracle upper bound. ")
                .append("Bold: best mean in each column (trivial baselines excluded). ")
                .append(esc(trivialNote(in)))
                .append("</p>\n<p class=\"note\">")
                .append(esc(statisticsNote(in)).replaceAll("\\*\\*([a-z ]+)\\*\\*", "<b>$1</b>"))
                .append("</p>\n");
        for (ResultTables.Table t : tables) {
            b.append("<h2>").append(esc(heading(t))).append("</h2>\n<table><tr><th>Method</th>");
            t.tasks()
                    .forEach(task ->
                            b.append("<th>").append(esc(taskHeader(t, task))).append("</th>"));
            b.append("<th>Average</th></tr>\n");
            List<String> cols = new ArrayList<>(t.tasks());
            cols.add(null);
            Map<String, Double> bestByCol = new LinkedHashMap<>();
            for (String col : cols) {
                double best = Double.NEGATIVE_INFINITY;
                for (ResultTables.Row r : t.rows()) {
                    ResultTables.Stat s = col == null ? r.average(t.tasks()) : r.stat(col);
                    if (s != null
                            && !r.label().equals(ResultTables.SINGLE_BEST)
                            && !TrivialBaselines.isTrivial(r.label())) {
                        best = Math.max(best, s.mean());
                    }
                }
                bestByCol.put(String.valueOf(col), best);
            }
            for (ResultTables.Row r : t.rows()) {
                b.append("<tr><td>").append(esc(r.label())).append("</td>");
                for (String col : cols) {
                    ResultTables.Stat s = col == null ? r.average(t.tasks()) : r.stat(col);
                    boolean best = s != null
                            && s.mean() == bestByCol.get(String.valueOf(col))
                            && !r.label().equals(ResultTables.SINGLE_BEST)
                            && !TrivialBaselines.isTrivial(r.label());
                    b.append("<td class=\"num")
                            .append(best ? " best" : "")
                            .append("\">")
                            .append(esc(cell(
                                    s,
                                    in.expectedSeeds(),
                                    col == null ? null : r.notes().get(col))))
                            .append("</td>");
                }
                b.append("</tr>\n");
            }
            b.append("</table>\n");
            comparisonsHtml(
                    b,
                    stats.get(t),
                    "Paired by seed (same split; method minus baseline, ×100; " + familyNote(stats.get(t)) + "):");
            comparisonsHtml(b, trivial.get(t), againstTrivialNote(trivial.get(t)));
            String bars = "bars-" + fileSafe(t.encoder()) + "-k" + t.k() + ".png";
            if (charts.containsKey(bars)) {
                b.append(img(bars, charts.get(bars)));
            }
        }
        List<String> kCharts =
                charts.keySet().stream().filter(n -> n.startsWith("k-")).toList();
        if (!kCharts.isEmpty()) {
            b.append("<h2>Metric vs k</h2>\n");
            kCharts.forEach(n -> b.append(img(n, charts.get(n))));
        }
        b.append(PredictionShares.html(shares));
        String lrTable = lrSelectionMarkdown(in);
        if (!lrTable.isEmpty()) {
            // The same table as in report.md, as preformatted Markdown (short, and identical in both).
            b.append("<h2>Learning-rate selection</h2>\n<pre>")
                    .append(esc(lrTable.substring(lrTable.indexOf('\n') + 2)))
                    .append("</pre>\n");
        }
        b.append(SourceAdapterTable.html(in.shown()));
        runs(b, in);
        if (!in.missing().isEmpty()) {
            b.append("<h2>Cells still to run (")
                    .append(in.missing().size())
                    .append(")</h2>\n<details><summary>show</summary><table>")
                    .append(
                            "<tr><th>encoder</th><th>task</th><th>k</th><th>seed</th><th>method</th><th>key</th></tr>\n");
            for (Map<String, Object> c : in.missing()) {
                b.append("<tr><td>")
                        .append(esc(c.get("encoder")))
                        .append("</td><td>")
                        .append(esc(c.get("task")))
                        .append("</td><td>")
                        .append(esc(c.get("k")))
                        .append("</td><td>")
                        .append(esc(c.get("seed")))
                        .append("</td><td>")
                        .append(esc(c.get("method") + (c.get("source") == null ? "" : "[" + c.get("source") + "]")))
                        .append("</td><td><code>")
                        .append(esc(c.get("key")))
                        .append("</code></td></tr>\n");
            }
            b.append("</table></details>\n");
        }
        b.append("<h2>All finished cells (")
                .append(in.shown().size())
                .append(")</h2>\n<details><summary>show</summary><table>")
                .append(
                        "<tr><th>encoder</th><th>task</th><th>k</th><th>seed</th><th>method</th><th>metric</th><th>×100</th><th>all metrics</th><th>time</th><th>key</th></tr>\n");
        for (ResultRecord r : in.shown()) {
            b.append("<tr><td>")
                    .append(esc(r.encoder()))
                    .append("</td><td>")
                    .append(esc(r.task()))
                    .append("</td><td>")
                    .append(r.k())
                    .append("</td><td>")
                    .append(r.seed())
                    .append("</td><td>")
                    .append(esc(r.method() + (r.source() == null ? "" : "[" + r.source() + "]")))
                    .append("</td><td>")
                    .append(esc(r.primaryMetric()))
                    .append("</td><td class=\"num\">")
                    .append(String.format(Locale.ROOT, "%.1f", 100 * r.primary()))
                    .append("</td><td class=\"note\">")
                    .append(esc(Json.canonical(r.metrics())))
                    .append("</td><td class=\"num\">")
                    .append(esc(ProgressBar.formatDuration(Duration.ofMillis(r.durationMs()))))
                    .append("</td><td><code>")
                    .append(esc(r.key()))
                    .append("</code></td></tr>\n");
        }
        b.append("</table></details>\n");
        b.append("<h2>Configuration</h2>\n<pre>").append(esc(yaml(in.config()))).append("</pre>\n");
        b.append("</body></html>\n");
        return b.toString();
    }

    private static void runs(StringBuilder b, ResultsFolder in) {
        b.append("<h2>Runs and environment</h2>\n");
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
        b.append("<p>Encoder(s): <b>")
                .append(esc(encoders == null ? "?" : encoders))
                .append("</b>. Total wall time of all runs: <b>")
                .append(esc(ProgressBar.formatDuration(Duration.ofMillis(totalWall(in.runs(), lastFinish)))))
                .append("</b>; time inside cells shown: ")
                .append(esc(ProgressBar.formatDuration(Duration.ofMillis(cellMs))))
                .append(".</p>\n");
        if (in.runs().isEmpty()) {
            b.append("<p class=\"note\">No run records (runs/*.json) in the folder.</p>\n");
            return;
        }
        Set<String> envKeys = new TreeSet<>();
        in.runs()
                .forEach(r -> envKeys.addAll(
                        r.environment() == null ? Set.of() : r.environment().keySet()));
        envKeys.add("engine"); // runs recorded before the engine was named show "not recorded"

        b.append(
                "<table><tr><th>run</th><th>started</th><th>wall time</th><th>status</th><th>runner</th><th>cells run</th>");
        envKeys.forEach(k -> b.append("<th>").append(esc(k)).append("</th>"));
        b.append("</tr>\n");
        for (RunInfo r : in.runs()) {
            long wall = wall(r, lastFinish);
            b.append("<tr><td><code>")
                    .append(esc(r.runId()))
                    .append("</code></td><td>")
                    .append(esc(r.startedAt()))
                    .append("</td><td class=\"num\">")
                    .append(wall < 0 ? "?" : esc(ProgressBar.formatDuration(Duration.ofMillis(wall))))
                    .append("</td><td>")
                    .append(esc(r.endedAt() == null ? "killed or still running" : r.status()))
                    .append("</td><td>")
                    .append(esc(r.runnerName() + " " + r.runnerVersion() + (r.synthetic() ? " (synthetic)" : "")))
                    .append("</td><td class=\"num\">")
                    .append(r.endedAt() == null ? "?" : String.valueOf(r.cellsRun()))
                    .append("</td>");
            for (String k : envKeys) {
                Object v = r.environment() == null ? null : r.environment().get(k);
                b.append("<td>")
                        .append(esc(v != null ? v : k.equals("engine") ? "not recorded" : ""))
                        .append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n");
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

    private static String img(String name, byte[] png) {
        return "<div><img alt=\"" + esc(name) + "\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(png) + "\"></div>\n";
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

    static String esc(Object o) {
        String s = String.valueOf(o);
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
