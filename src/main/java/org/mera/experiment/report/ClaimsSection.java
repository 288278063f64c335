package org.mera.experiment.report;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.mera.experiment.Method;
import org.mera.experiment.stats.ComparisonStatistics;
import org.mera.experiment.stats.ResultTables;
import org.mera.experiment.stats.TrivialBaselines;

/**
 * The report's first section: the MerA paper's claims, each with the comparisons that test it on every target, their
 * CI and verdict, and beside each the method against doing nothing (its task's strongest trivial baseline), so that a
 * claim "supported" against a baseline that itself learned nothing reads as what it is. The lines are the report's
 * own comparisons, selected and labelled; nothing is recomputed here.
 */
final class ClaimsSection {
    /**
     * One claim of the paper's abstract, as a short label for the table, and which comparisons test it; {@code
     * withoutSameTrack}: only on targets that have no same-track merge (it stands in for same-track there).
     */
    record Claim(String label, Predicate<ResultTables.Paired> tests, boolean withoutSameTrack) {
        Claim(String label, Predicate<ResultTables.Paired> tests) {
            this(label, tests, false);
        }
    }

    /** Where a target has no track, a user still asks whether merging beats the two plain baselines. */
    private static boolean allSourceMergeVsBaseline(ResultTables.Paired p, Method baseline) {
        return ResultTables.MERGED.contains(p.method())
                && !p.method().equals(Method.MERA_SAME_TRACK.id())
                && p.baseline().equals(baseline.id());
    }

    static final List<Claim> CLAIMS = List.of(
            new Claim(
                    "same-track > full fine-tuning",
                    p -> p.method().equals(Method.MERA_SAME_TRACK.id())
                            && p.baseline().equals(Method.FULL.id())),
            new Claim(
                    "same-track > adapter tuning",
                    p -> p.method().equals(Method.MERA_SAME_TRACK.id())
                            && p.baseline().equals(Method.ADAPTER.id())),
            new Claim(
                    "merged > full fine-tuning (no same-track here)",
                    p -> allSourceMergeVsBaseline(p, Method.FULL),
                    true),
            new Claim(
                    "merged > adapter tuning (no same-track here)",
                    p -> allSourceMergeVsBaseline(p, Method.ADAPTER),
                    true),
            new Claim(
                    "merged > single adapters",
                    p -> ResultTables.MERGED.contains(p.method())
                            && (p.baseline().equals(ResultTables.SINGLE_DEV)
                                    || (p.method().equals(Method.MERA_SAME_TRACK.id())
                                            && ResultTables.sourceOf(p.baseline()) != null))),
            new Claim(
                    "merged > AdapterFusion",
                    p -> ResultTables.MERGED.contains(p.method())
                            && p.baseline().equals(Method.FUSION.id())),
            new Claim(
                    "OT alignment > plain average",
                    p -> p.method().equals(Method.MERA_OT.id()) && p.baseline().equals(Method.MERA_AVERAGE.id())));

    private ClaimsSection() {}

    /**
     * Adds the section for one table (nothing when none of its comparisons tests a claim), with the section's heading
     * when {@code first}; returns whether it added anything.
     */
    static boolean addTo(
            ReportDocument d,
            ResultTables.Table t,
            List<ComparisonStatistics.Line> lines,
            List<ComparisonStatistics.Line> trivial,
            int expectedSeeds,
            boolean first,
            java.util.Set<String> atOneEdge) {
        List<List<ReportDocument.Cell>> rows = new ArrayList<>();
        // the same comparisons as a claim × target grid, for reading a whole grid at once
        java.util.Map<String, java.util.Map<String, String>> glance = new java.util.LinkedHashMap<>();
        List<String> glanceTasks = new ArrayList<>();
        for (String task : t.tasks()) {
            boolean sameTrack = lines.stream()
                    .anyMatch(l -> l.paired().task().equals(task)
                            && l.paired().method().equals(Method.MERA_SAME_TRACK.id()));
            for (Claim c : CLAIMS) {
                if (c.withoutSameTrack() && sameTrack) {
                    continue;
                }
                for (ComparisonStatistics.Line l : lines) {
                    ResultTables.Paired p = l.paired();
                    if (!p.task().equals(task) || !c.tests().test(p)) {
                        continue;
                    }
                    if (ResultTables.sourceOf(p.baseline()) == null) { // each merge's own sources: per target
                        glance.computeIfAbsent(
                                        c.label() + "\u0000" + p.method() + " − " + p.baseline(),
                                        x -> new java.util.LinkedHashMap<>())
                                .put(task, glanceCell(l, trivial, expectedSeeds) + edgeMark(p, atOneEdge));
                        if (!glanceTasks.contains(task)) {
                            glanceTasks.add(task);
                        }
                    }
                    rows.add(List.of(
                            ReportDocument.Cell.of(task),
                            ReportDocument.Cell.of(c.label()),
                            ReportDocument.Cell.of(p.method() + " − " + p.baseline()),
                            ReportDocument.Cell.of(Formats.signed(p.mean()) + " " + Formats.ci(l)),
                            ReportDocument.Cell.of(
                                    ReportWriter.qualifiedVerdict(l, expectedSeeds) + edgeMark(p, atOneEdge)),
                            ReportDocument.Cell.of(againstNothingCell(trivial, task, p.method(), expectedSeeds))));
                }
            }
        }
        if (rows.isEmpty()) {
            return false;
        }
        if (first) {
            d.heading("The paper's claims");
            d.note("The claims of the MerA paper's abstract: same-track merging beats full fine-tuning and adapter "
                    + "tuning (BERT-base: by 3.5 points on MRPC and 5.0 on MNLI); a merged adapter beats single adapters "
                    + "(tested here against the single source a user would pick on dev, and, for same-track, against "
                    + "each source it merged, fine-tuned alone) and AdapterFusion; and a question MerA's design raises, "
                    + "whether aligning neurons by optimal transport beats plain averaging. On a target without a "
                    + "same-track merge (no track), the all-source merges stand in for it against full fine-tuning "
                    + "and adapter tuning. Each row is one of the comparisons "
                    + "below, per target: the mean difference ×100 with its 95 % CI and the verdict (the tables below "
                    + "give per-seed values, p-values and Holm's correction). The last column sets the method against "
                    + "doing nothing, its task's strongest trivial baseline: a method that beats a baseline but not "
                    + "that bar has learned less than answering one class. ‡ beside a verdict: a side of the "
                    + "comparison chose the same edge of its learning-rate grid on every seed, so its best rate may lie "
                    + "outside the grid. The paper's figures are for BERT-base; these are for the encoder in the "
                    + "heading.");
        }
        if (glanceTasks.size() > 1) {
            d.subheading(t.encoder() + ", k = " + t.k() + ", at a glance");
            d.note("The comparisons below, one row per comparison and one column per target: the mean difference ×100 "
                    + "and the verdict its 95 % CI allows, and beside a CI that excludes zero the Holm-adjusted p "
                    + "within its target (above 0.05: that verdict does not survive the correction for the target's "
                    + "many comparisons); * marks a CI that excludes zero while the paired t-test p is above "
                    + ReportWriter.T_TEST_LEVEL + " (the weakest kind of verdict), ° fewer seeds than the grid has "
                    + "(interim), † a method (the first named) that is not above doing nothing on that target (its "
                    + "task's strongest trivial baseline), ‡ a side of the comparison whose every seed chose the same "
                    + "edge of its learning-rate grid (its best rate may lie outside the grid, so it may be "
                    + "under-tuned; Learning-rate selection, below). Same-track against each of its own sources is in "
                    + "the table below.");
            List<String> header = new ArrayList<>(List.of("Claim", "Comparison"));
            glanceTasks.forEach(
                    task -> header.add(task + " (" + t.metricByTask().get(task) + ")"));
            List<Boolean> numeric = new ArrayList<>(List.of(false, false));
            glanceTasks.forEach(x -> numeric.add(true));
            List<List<ReportDocument.Cell>> grid = new ArrayList<>();
            glance.forEach((key, byTask) -> {
                String[] claimAndComparison = key.split("\u0000", 2);
                List<ReportDocument.Cell> row = new ArrayList<>(List.of(
                        ReportDocument.Cell.of(claimAndComparison[0]), ReportDocument.Cell.of(claimAndComparison[1])));
                glanceTasks.forEach(task -> row.add(ReportDocument.Cell.of(byTask.getOrDefault(task, "–"))));
                grid.add(row);
            });
            d.add(new ReportDocument.Table(header, numeric, grid));
        }
        // not the results section's own heading "encoder, k = N" (two sections of one name read as one, and share a
        // Markdown anchor); the terminal summary (ReportSummary) finds this table by the suffix
        d.subheading(t.encoder() + ", k = " + t.k() + ReportWriter.CLAIM_BY_CLAIM);
        d.add(new ReportDocument.Table(
                List.of("Task", "Claim", "Comparison", "Mean [95 % CI]", "Verdict", "Method vs doing nothing"),
                List.of(false, false, false, true, false, false),
                rows));
        return true;
    }

    /**
     * "+3.1 supported*, Holm 0.435 †": the mean and the CI's word, * for a t-test that disagrees, ° for an interim
     * verdict, Holm's adjusted p beside a CI that excludes zero, † when the first-named method is not above doing
     * nothing on that task.
     */
    static String glanceCell(ComparisonStatistics.Line l, List<ComparisonStatistics.Line> trivial, int expectedSeeds) {
        boolean decided = ReportWriter.decided(l);
        String text = Formats.signed(l.paired().mean()) + " " + ReportWriter.verdict(l);
        if (decided && l.p() > ReportWriter.T_TEST_LEVEL) {
            text += "*";
        }
        if (ReportWriter.interim(l, expectedSeeds)) {
            text += "°";
        }
        if (decided && !Double.isNaN(l.pHolm())) {
            text += ", Holm " + Formats.pValue(l.pHolm());
        }
        ComparisonStatistics.Line nothing =
                againstNothing(trivial, l.paired().task(), l.paired().method());
        if (nothing != null && nothing.verdict() != org.mera.experiment.stats.Verdict.SUPPORTED) {
            text += " †";
        }
        return text;
    }

    /** " ‡" when either side of the comparison chose one edge of its learning-rate grid on every seed. */
    static String edgeMark(ResultTables.Paired p, java.util.Set<String> atOneEdge) {
        return atOneEdge.contains(p.task() + "\u0000" + p.method())
                        || atOneEdge.contains(p.task() + "\u0000" + p.baseline())
                ? " ‡"
                : "";
    }

    /** The method against its task's strongest trivial baseline; null when there is no such line. */
    private static ComparisonStatistics.Line againstNothing(
            List<ComparisonStatistics.Line> trivial, String task, String method) {
        for (ComparisonStatistics.Line l : trivial) {
            if (l.paired().task().equals(task) && l.paired().method().equals(method)) {
                return l;
            }
        }
        return null;
    }

    /** The table's "method vs doing nothing" cell. */
    private static String againstNothingCell(
            List<ComparisonStatistics.Line> trivial, String task, String method, int expectedSeeds) {
        ComparisonStatistics.Line l = againstNothing(trivial, task, method);
        return l == null
                ? "–"
                : method + ": " + Formats.signed(l.paired().mean()) + " " + Formats.ci(l) + " vs "
                        + l.paired().baseline().substring(TrivialBaselines.PREFIX.length()) + ": "
                        + ReportWriter.qualifiedVerdict(l, expectedSeeds);
    }

    /** The claims a comparison tests (labels). */
    static List<String> claimsOf(ResultTables.Paired p) {
        return CLAIMS.stream().filter(c -> c.tests().test(p)).map(Claim::label).toList();
    }
}
