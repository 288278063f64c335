package org.mera.experiment.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mera.experiment.CellPredictions;

/**
 * A report table's paired comparisons ({@link ResultTables#paired}) with their statistics: bootstrap interval,
 * t-test p-value, Holm-adjusted p (one family per encoder, k and task: {@link #holmByTask}), per-seed signs and
 * the verdict on "method beats baseline" that the interval allows.
 */
public final class ComparisonStatistics {
    /**
     * One comparison; {@code ci} has NaN bounds and {@code note} says why when there is no interval.
     */
    public record Line(
            ResultTables.Paired paired,
            String metric,
            PairedStatistics.Interval ci,
            double p,
            double pHolm,
            PairedStatistics.Signs signs,
            Verdict verdict,
            String note) {}

    private ComparisonStatistics() {}

    public static List<Line> of(ResultTables.Table t, PredictionIndex index) {
        return of(t, index, ResultTables.paired(t));
    }

    /**
     * Each method against the strongest trivial baseline ({@link ResultTables#againstTrivial}): a family of its
     * own, so that asking "does it beat doing nothing?" does not change the Holm adjustment of the comparisons
     * between methods.
     */
    public static List<Line> againstTrivial(ResultTables.Table t, PredictionIndex index) {
        return of(t, index, ResultTables.againstTrivial(t));
    }

    private static List<Line> of(ResultTables.Table t, PredictionIndex index, List<ResultTables.Paired> paired) {
        double[] p = new double[paired.size()];
        List<PairedStatistics.Interval> cis = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < paired.size(); i++) {
            ResultTables.Paired c = paired.get(i);
            p[i] = PairedStatistics.tTestP(c.differences().values());
            String metric = t.metricByTask().get(c.task());
            String[] note = new String[1];
            cis.add(interval(t, index, c, metric, note));
            notes.add(note[0]);
        }
        double[] holm = holmByTask(paired, p);
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < paired.size(); i++) {
            ResultTables.Paired c = paired.get(i);
            PairedStatistics.Interval ci = cis.get(i);
            out.add(new Line(
                    c,
                    t.metricByTask().get(c.task()),
                    ci,
                    p[i],
                    holm[i],
                    c.signs(),
                    Verdict.of(ci.low(), ci.high()),
                    notes.get(i)));
        }
        return out;
    }

    /**
     * Holm's adjustment with one family per task: each target is its own claim in the paper, and a family spanning the
     * grid would move a finished target's adjusted p-values every time another target's results land.
     */
    static double[] holmByTask(List<ResultTables.Paired> paired, double[] p) {
        Map<String, List<Integer>> byTask = new TreeMap<>();
        for (int i = 0; i < paired.size(); i++) {
            byTask.computeIfAbsent(paired.get(i).task(), k -> new ArrayList<>()).add(i);
        }
        double[] adjusted = new double[p.length];
        for (List<Integer> family : byTask.values()) {
            double[] adj =
                    PairedStatistics.holm(family.stream().mapToDouble(i -> p[i]).toArray());
            for (int j = 0; j < family.size(); j++) {
                adjusted[family.get(j)] = adj[j];
            }
        }
        return adjusted;
    }

    private static PairedStatistics.Interval interval(
            ResultTables.Table t, PredictionIndex index, ResultTables.Paired c, String metric, String[] note) {
        return interval(
                c.differences(),
                metric,
                note,
                seed -> index.sets(t.encoder(), t.k(), c.task(), seed, c.method()),
                seed -> sets(t, index, c.task(), seed, c.baseline()),
                seed -> index.removedTestRows(t.encoder(), t.k(), c.task(), seed),
                seed -> index.removedTestRows(t.encoder(), t.k(), c.task(), seed));
    }

    /** A row's prediction sets; a trivial row's are built from the seed's gold labels. */
    private static List<CellPredictions> sets(
            ResultTables.Table t, PredictionIndex index, String task, int seed, String row) {
        if (!TrivialBaselines.isTrivial(row)) {
            return index.sets(t.encoder(), t.k(), task, seed, row);
        }
        CellPredictions gold = index.any(t.encoder(), t.k(), task, seed);
        CellPredictions constant =
                gold == null ? null : TrivialBaselines.predictions(gold).get(row);
        return constant == null ? null : List.of(constant);
    }

    /**
     * The bootstrap interval over the seeds of {@code differences}, or none (with {@code note[0]} saying why).
     * {@code removedRowsA} and {@code removedRowsB} give, per seed, the test-file rows that seed's cells on each side
     * left out because its own k-shot split holds them: the bootstrap draws the same examples for every seed, so it runs on the rows every seed kept (a
     * row left out by one seed is left out of all), while the per-seed values and the t-test keep each seed's own
     * test set.
     */
    public static PairedStatistics.Interval interval(
            TreeMap<Integer, Double> differences,
            String metric,
            String[] note,
            java.util.function.IntFunction<List<CellPredictions>> sideA,
            java.util.function.IntFunction<List<CellPredictions>> sideB,
            java.util.function.IntFunction<int[]> removedRowsA,
            java.util.function.IntFunction<int[]> removedRowsB) {
        List<List<CellPredictions>> a = new ArrayList<>();
        List<List<CellPredictions>> b = new ArrayList<>();
        List<int[]> removedA = new ArrayList<>();
        List<int[]> removedB = new ArrayList<>();
        java.util.Set<Integer> removedByAny = new java.util.HashSet<>();
        for (Map.Entry<Integer, Double> e : differences.entrySet()) {
            List<CellPredictions> pa = sideA.apply(e.getKey());
            List<CellPredictions> pb = sideB.apply(e.getKey());
            if (pa == null || pb == null) {
                note[0] = Verdict.NO_PREDICTIONS.words() + " (seed " + e.getKey() + ")";
                return PairedStatistics.Interval.NONE;
            }
            a.add(pa);
            b.add(pb);
            int[] ra = removedRowsA.apply(e.getKey());
            int[] rb = removedRowsB.apply(e.getKey());
            removedA.add(ra);
            removedB.add(rb);
            java.util.stream.IntStream.concat(java.util.Arrays.stream(ra), java.util.Arrays.stream(rb))
                    .forEach(removedByAny::add);
        }
        if (!removedByAny.isEmpty()) {
            for (int s = 0; s < a.size(); s++) {
                a.set(s, keepCommonRows(a.get(s), removedA.get(s), removedByAny));
                b.set(s, keepCommonRows(b.get(s), removedB.get(s), removedByAny));
            }
        }
        CellPredictions first = a.get(0).get(0);
        for (List<List<CellPredictions>> side : List.of(a, b)) {
            for (List<CellPredictions> sets : side) {
                for (CellPredictions p : sets) {
                    if (!p.sameGold(first)) {
                        note[0] = "test labels differ between cells: examples cannot be paired";
                        return PairedStatistics.Interval.NONE;
                    }
                }
            }
        }
        return PairedStatistics.interval(metric, a, b);
    }

    /**
     * One seed's prediction sets without the test-file rows in {@code removedByAny}; {@code removedHere} are the rows
     * this seed's sets never had, so that set row j is test-file row j plus the removed rows before it.
     */
    static List<CellPredictions> keepCommonRows(
            List<CellPredictions> sets, int[] removedHere, java.util.Set<Integer> removedByAny) {
        java.util.Set<Integer> here = new java.util.HashSet<>();
        for (int r : removedHere) {
            here.add(r);
        }
        int n = sets.get(0).size();
        int[] keep = new int[n];
        int kept = 0;
        int fileRow = 0;
        for (int j = 0; j < n; j++, fileRow++) {
            while (here.contains(fileRow)) {
                fileRow++;
            }
            if (!removedByAny.contains(fileRow)) {
                keep[kept++] = j;
            }
        }
        int[] rows = java.util.Arrays.copyOf(keep, kept);
        List<CellPredictions> out = new ArrayList<>();
        for (CellPredictions p : sets) {
            out.add(p.keep(rows));
        }
        return out;
    }
}
