package org.mera.experiment.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mera.experiment.stats.ComparisonStatistics;
import org.mera.experiment.stats.PairedStatistics;
import org.mera.experiment.stats.PredictionIndex;
import org.mera.experiment.stats.ResultTables;
import org.mera.experiment.stats.Verdict;

/**
 * Two experiment folders side by side, cell by cell: the same method on the same task and seed in each (e.g. one
 * grid run with two heads, two encoders or two source recipes). Because a seed names the same few-shot split in
 * every grid, both sides are read on the seeds they share and B − A is paired by seed, as the report pairs
 * methods within one grid. Only the cells of each folder's current grid count, as in its report.
 *
 * <p>Tables are matched by k, and by encoder when a folder holds several encoders for that k; a folder with one
 * encoder per k is matched with the other folder's one, so two encoders can be compared.
 */
public final class ResultComparison {
    /**
     * One method on one task in both folders, on the seeds both have: each side's mean ± std over those seeds,
     * and B − A seed by seed. For the {@link #AVERAGE} line, {@code metric} lists the tasks averaged.
     */
    public record Line(
            String task,
            String metric,
            String method,
            ResultTables.Stat a,
            ResultTables.Stat b,
            TreeMap<Integer, Double> differences,
            PairedStatistics.Interval ci,
            double p,
            double pHolm,
            String note) {
        public double meanDifference() {
            return differences.values().stream()
                    .mapToDouble(Double::doubleValue)
                    .average()
                    .orElse(Double.NaN);
        }

        /** B's per-seed wins, ties and losses against A. */
        public PairedStatistics.Signs signsB() {
            return PairedStatistics.Signs.of(differences.values());
        }

        /** Seeds on which B scored higher than A by more than {@link PairedStatistics#TIE_EPSILON}. */
        public long winsB() {
            return signsB().wins();
        }

        /** The verdict on "B is better than A" from the bootstrap interval of B − A. */
        public Verdict verdict() {
            return Verdict.of(ci.low(), ci.high());
        }

        Line withHolm(double adjusted) {
            return new Line(task, metric, method, a, b, differences, ci, p, adjusted, note);
        }
    }

    /** A matched pair of tables (one encoder and k on each side) and its lines; task "Average" closes each method. */
    public record Section(String encoderA, String encoderB, int k, List<Line> lines) {}

    public record Comparison(
            String nameA, String nameB, int shownA, int gridA, int shownB, int gridB, List<Section> sections) {}

    public static final String AVERAGE = "Average";

    private ResultComparison() {}

    public static Comparison compare(Path dirA, Path dirB) throws IOException {
        ResultsFolder a = ResultsFolder.read(dirA);
        ResultsFolder b = ResultsFolder.read(dirB);
        List<ResultTables.Table> tablesA =
                ResultTables.build(a.shown(), a.taskOrder(), a.methodOrder(), a.expectedSources());
        List<ResultTables.Table> tablesB =
                ResultTables.build(b.shown(), b.taskOrder(), b.methodOrder(), b.expectedSources());
        List<Section> sections = new ArrayList<>();
        for (ResultTables.Table ta : tablesA) {
            ResultTables.Table tb = match(ta, tablesA, tablesB);
            if (tb != null) {
                sections.add(new Section(
                        ta.encoder(), tb.encoder(), ta.k(), lines(ta, tb, a.predictions(), b.predictions())));
            }
        }
        sections = holm(sections);
        return new Comparison(
                a.name(), b.name(), a.shown().size(), a.gridCells(), b.shown().size(), b.gridCells(), sections);
    }

    private static ResultTables.Table match(
            ResultTables.Table ta, List<ResultTables.Table> tablesA, List<ResultTables.Table> tablesB) {
        List<ResultTables.Table> sameKA =
                tablesA.stream().filter(t -> t.k() == ta.k()).toList();
        List<ResultTables.Table> sameKB =
                tablesB.stream().filter(t -> t.k() == ta.k()).toList();
        if (sameKA.size() == 1 && sameKB.size() == 1) {
            return sameKB.get(0);
        }
        return sameKB.stream()
                .filter(t -> t.encoder().equals(ta.encoder()))
                .findFirst()
                .orElse(null);
    }

    /** Holm's adjustment over every per-task line of the comparison (one family); Average lines are not in it. */
    private static List<Section> holm(List<Section> sections) {
        List<Line> all = new ArrayList<>();
        sections.forEach(sec ->
                sec.lines().stream().filter(l -> !l.task().equals(AVERAGE)).forEach(all::add));
        double[] adjusted =
                PairedStatistics.holm(all.stream().mapToDouble(Line::p).toArray());
        java.util.IdentityHashMap<Line, Double> byLine = new java.util.IdentityHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            byLine.put(all.get(i), adjusted[i]);
        }
        List<Section> out = new ArrayList<>();
        for (Section sec : sections) {
            out.add(new Section(
                    sec.encoderA(),
                    sec.encoderB(),
                    sec.k(),
                    sec.lines().stream()
                            .map(l -> byLine.containsKey(l) ? l.withHolm(byLine.get(l)) : l)
                            .toList()));
        }
        return out;
    }

    private static List<Line> lines(
            ResultTables.Table ta, ResultTables.Table tb, PredictionIndex pa, PredictionIndex pb) {
        List<String> tasks = new ArrayList<>(ta.tasks());
        tasks.retainAll(tb.tasks());
        List<Line> out = new ArrayList<>();
        for (ResultTables.Row ra : ta.rows()) {
            ResultTables.Row rb = tb.row(ra.label());
            // the sources one by one stay out: compare judges methods, and each would join the Holm family
            if (rb == null || ResultTables.sourceOf(ra.label()) != null) {
                continue;
            }
            // Per seed, the mean over the tasks this method has on both sides with that seed, for the average line.
            List<String> common = new ArrayList<>();
            for (String task : tasks) {
                TreeMap<Integer, Double> va = ra.seedValues().get(task);
                TreeMap<Integer, Double> vb = rb.seedValues().get(task);
                if (va == null || vb == null) {
                    continue;
                }
                common.add(task);
                Line line = line(task, ta.metricByTask().get(task), ra.label(), va, vb);
                if (line != null) {
                    String[] note = new String[1];
                    PairedStatistics.Interval ci = ComparisonStatistics.interval(
                            line.differences(),
                            line.metric(),
                            note,
                            seed -> pb.sets(tb.encoder(), tb.k(), task, seed, rb.label()),
                            seed -> pa.sets(ta.encoder(), ta.k(), task, seed, ra.label()),
                            seed -> pb.removedTestRows(tb.encoder(), tb.k(), task, seed),
                            seed -> pa.removedTestRows(ta.encoder(), ta.k(), task, seed));
                    out.add(new Line(
                            line.task(),
                            line.metric(),
                            line.method(),
                            line.a(),
                            line.b(),
                            line.differences(),
                            ci,
                            line.p(),
                            Double.NaN,
                            note[0]));
                }
            }
            if (common.size() > 1) {
                TreeMap<Integer, Double> avgA = ra.perSeedAverage(common);
                TreeMap<Integer, Double> avgB = rb.perSeedAverage(common);
                Line line = line(AVERAGE, String.join(", ", common), ra.label(), avgA, avgB);
                if (line != null) {
                    line = new Line(
                            line.task(),
                            line.metric(),
                            line.method(),
                            line.a(),
                            line.b(),
                            line.differences(),
                            PairedStatistics.Interval.NONE,
                            line.p(),
                            Double.NaN,
                            "no CI: the tasks' test sets are not resampled together");
                }
                if (line != null) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    /** The line over the seeds both sides have, or null when they share none. */
    private static Line line(
            String task, String metric, String method, TreeMap<Integer, Double> a, TreeMap<Integer, Double> b) {
        TreeMap<Integer, Double> d = new TreeMap<>();
        List<Double> sharedA = new ArrayList<>();
        List<Double> sharedB = new ArrayList<>();
        a.forEach((seed, v) -> {
            if (b.containsKey(seed)) {
                d.put(seed, b.get(seed) - v);
                sharedA.add(v);
                sharedB.add(b.get(seed));
            }
        });
        return d.isEmpty()
                ? null
                : new Line(
                        task,
                        metric,
                        method,
                        ResultTables.Stat.of(sharedA),
                        ResultTables.Stat.of(sharedB),
                        d,
                        PairedStatistics.Interval.NONE,
                        PairedStatistics.tTestP(d.values()),
                        Double.NaN,
                        null);
    }

    /** The comparison as Markdown, A and B named by {@code labelA} and {@code labelB}. */
    public static String markdown(Comparison c, String labelA, String labelB) {
        return MarkdownRenderer.render(document(c, labelA, labelB));
    }

    static ReportDocument document(Comparison c, String labelA, String labelB) {
        ReportDocument d = new ReportDocument(labelB + " against " + labelA);
        d.paragraph("A, " + ReportDocument.literal(labelA) + ": experiment `" + c.nameA() + "`, " + c.shownA() + " of "
                + c.gridA() + " cells finished. B, " + ReportDocument.literal(labelB) + ": experiment `" + c.nameB()
                + "`, " + c.shownB() + " of " + c.gridB() + " cells finished.");
        d.note(
                "Primary metric ×100, mean ± sample standard deviation over the seeds both sides have (a seed is the same "
                        + "few-shot split in both; results of seeds only one side has are left out), so B − A is the mean of the "
                        + "per-seed differences. 95 % CI: paired bootstrap of B − A (" + PairedStatistics.RESAMPLES
                        + " resamples of the seeds and, once per resample, of the test examples; Mersenne Twister seeded "
                        + PairedStatistics.SEED
                        + "; needs both folders' per-example predictions on the same test labels). p (t): two-sided paired "
                        + "t-test over seeds; p (Holm): adjusted over all per-task lines below. W/T/L: seeds B wins, ties "
                        + "(|B − A| ≤ " + PairedStatistics.TIE_EPSILON
                        + " points) and loses. Verdict on \"B is better than "
                        + "A\": supported only when the CI lies above 0, no support when it contains 0, contradicted when it "
                        + "lies below 0. Average: per seed, the mean over the tasks listed (no CI).");
        if (c.sections().stream().allMatch(x -> x.lines().isEmpty())) {
            d.paragraph("No method has results on the same task in both folders.");
            return d;
        }
        for (Section sec : c.sections()) {
            if (sec.lines().isEmpty()) {
                continue;
            }
            d.heading((sec.encoderA().equals(sec.encoderB())
                            ? sec.encoderA()
                            : sec.encoderA() + " (A), " + sec.encoderB() + " (B)")
                    + ", k = " + sec.k());
            List<List<ReportDocument.Cell>> rows = new ArrayList<>();
            for (Line l : sec.lines()) {
                boolean average = l.task().equals(AVERAGE);
                rows.add(List.of(
                        ReportDocument.Cell.of(l.method()),
                        average
                                ? new ReportDocument.Cell(
                                        "Average (" + l.metric() + ")", ReportDocument.Cell.Style.STRONG)
                                : ReportDocument.Cell.of(l.task() + " (" + l.metric() + ")"),
                        ReportDocument.Cell.of(String.valueOf(l.differences().size())),
                        ReportDocument.Cell.of(Formats.cell(l.a(), 0, null)),
                        ReportDocument.Cell.of(Formats.cell(l.b(), 0, null)),
                        ReportDocument.Cell.of(Formats.signed(l.meanDifference())),
                        ReportDocument.Cell.of(l.ci().exists() ? Formats.interval(l.ci()) : "–"),
                        ReportDocument.Cell.of(Formats.pValue(l.p())),
                        ReportDocument.Cell.of(Formats.pValue(l.pHolm())),
                        ReportDocument.Cell.of(l.signsB().toString()),
                        ReportDocument.Cell.of(
                                l.note() != null ? l.note() : l.verdict().words())));
            }
            d.add(new ReportDocument.Table(
                    List.of(
                            "Method",
                            "Task (metric)",
                            "Seeds",
                            "A: " + labelA,
                            "B: " + labelB,
                            "B − A",
                            "95 % CI",
                            "p (t)",
                            "p (Holm)",
                            "B W/T/L",
                            "Verdict (B > A)"),
                    List.of(false, false, true, true, true, true, true, true, true, true, false),
                    rows));
        }
        return d;
    }

    /** Lines keyed by method then task, for callers that look one up. */
    public static Map<String, Map<String, Line>> byMethod(Section section) {
        Map<String, Map<String, Line>> out = new LinkedHashMap<>();
        section.lines()
                .forEach(l -> out.computeIfAbsent(l.method(), m -> new LinkedHashMap<>())
                        .put(l.task(), l));
        return out;
    }
}
