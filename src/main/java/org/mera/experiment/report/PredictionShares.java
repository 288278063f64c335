package org.mera.experiment.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.mera.experiment.CellPredictions;
import org.mera.experiment.stats.PredictionIndex;
import org.mera.experiment.stats.ResultTables;
import org.mera.experiment.stats.TrivialBaselines;

/**
 * Per method and classification task, the share of test predictions in each class, next to the test labels' own
 * shares: a method that answers one class for nearly every example has learned little beyond a constant, whatever
 * its F1 (protocol 2's bert-base MRPC runs said "paraphrase" for 75-100 % of pairs). Computed from the stored
 * per-example predictions; the mean over seeds (and, for the single-source mean, over sources).
 */
final class PredictionShares {
    static final String GOLD = "test labels";
    static final String INTRO =
            "Share of the test predictions in each class, %, in the task's label order (docs/data.md; "
                    + "MRPC, QQP: 0 / 1 = not / paraphrase; SST-2: negative / positive; CoLA: unacceptable / acceptable; MNLI: "
                    + "contradiction / entailment / neutral; QNLI, RTE: entailment / not_entailment), mean over seeds (single (mean of sources): over sources too); the first row is the "
                    + "test labels' own shares. In brackets: how many prediction sets (a seed; a seed and source for the "
                    + "single-source mean) put 95 % or more of the examples in one class, i.e. learned little beyond a constant.";

    /** A prediction set that puts at least this share of the examples in one class counts as collapsed. */
    static final double COLLAPSED = 0.95;

    /**
     * One row's shares on one task: the mean (fractions, class-index order) and how many of its prediction sets
     * (one per seed; per seed and source for the single-source mean) put {@link #COLLAPSED} or more in one class.
     */
    record Shares(double[] mean, int collapsed, int sets) {}

    /** One table's shares: its classification tasks (columns) and row label → task → shares (GOLD first). */
    record Section(ResultTables.Table table, List<String> tasks, Map<String, Map<String, Shares>> shares) {}

    private PredictionShares() {}

    /** The sections of the tables that have classification tasks with stored predictions, computed once per report. */
    static List<Section> sections(List<ResultTables.Table> tables, PredictionIndex index) {
        List<Section> out = new ArrayList<>();
        for (ResultTables.Table t : tables) {
            Map<String, Map<String, Shares>> shares = of(t, index);
            if (!shares.isEmpty()) {
                out.add(new Section(t, List.copyOf(shares.get(GOLD).keySet()), shares));
            }
        }
        return out;
    }

    /** Row label → task → shares; classification tasks only, rows with predictions. */
    static Map<String, Map<String, Shares>> of(ResultTables.Table t, PredictionIndex index) {
        Map<String, Map<String, Shares>> out = new LinkedHashMap<>();
        for (String task : t.tasks()) {
            TreeSet<Integer> seeds = new TreeSet<>();
            t.rows().forEach(r -> {
                if (r.seedValues().containsKey(task)) {
                    seeds.addAll(r.seedValues().get(task).keySet());
                }
            });
            List<double[]> gold = new ArrayList<>();
            for (int seed : seeds) {
                CellPredictions any = index.any(t.encoder(), t.k(), task, seed);
                if (any != null && !any.isRegression()) {
                    gold.add(shares(any.goldClasses(), any.numClasses()));
                }
            }
            if (gold.isEmpty()) {
                continue;
            }
            out.computeIfAbsent(GOLD, x -> new LinkedHashMap<>()).put(task, new Shares(mean(gold), 0, 0));
            for (ResultTables.Row r : t.rows()) {
                if (r.label().equals(ResultTables.SINGLE_BEST)
                        || TrivialBaselines.isTrivial(r.label())
                        || ResultTables.sourceOf(r.label()) != null) {
                    continue;
                }
                List<double[]> perSeed = new ArrayList<>();
                int collapsed = 0;
                int count = 0;
                for (int seed : seeds) {
                    List<CellPredictions> sets = index.sets(t.encoder(), t.k(), task, seed, r.label());
                    if (sets == null || sets.isEmpty()) {
                        continue;
                    }
                    List<double[]> perSet = new ArrayList<>();
                    for (CellPredictions p : sets) {
                        double[] sh = shares(p.predictedClasses(), p.numClasses());
                        perSet.add(sh);
                        count++;
                        if (java.util.Arrays.stream(sh).max().orElse(0) >= COLLAPSED) {
                            collapsed++;
                        }
                    }
                    perSeed.add(mean(perSet));
                }
                if (!perSeed.isEmpty()) {
                    out.computeIfAbsent(r.label(), x -> new LinkedHashMap<>())
                            .put(task, new Shares(mean(perSeed), collapsed, count));
                }
            }
        }
        return out;
    }

    static double[] shares(int[] classes, int numClasses) {
        double[] s = new double[numClasses];
        for (int c : classes) {
            s[c]++;
        }
        for (int i = 0; i < numClasses; i++) {
            s[i] /= classes.length;
        }
        return s;
    }

    private static double[] mean(List<double[]> xs) {
        double[] m = new double[xs.get(0).length];
        for (double[] x : xs) {
            for (int i = 0; i < m.length; i++) {
                m[i] += x[i] / xs.size();
            }
        }
        return m;
    }

    /** "32 / 68": percentages rounded to whole numbers, then "(2 of 5 sets ≥ 95 % one class)" where any is. */
    static String format(Shares shares) {
        if (shares == null) {
            return "–";
        }
        List<String> parts = new ArrayList<>();
        for (double s : shares.mean()) {
            parts.add(String.format(Locale.ROOT, "%.0f", 100 * s));
        }
        return String.join(" / ", parts)
                + (shares.collapsed() == 0
                        ? ""
                        : " (" + shares.collapsed() + " of " + shares.sets() + " ≥ " + Math.round(100 * COLLAPSED)
                                + " % one class)");
    }

    /** Adds the section: a table per encoder and k, a column per task; nothing without predictions. */
    static void addTo(ReportDocument d, List<Section> sections) {
        for (int i = 0; i < sections.size(); i++) {
            Section section = sections.get(i);
            ResultTables.Table t = section.table();
            List<String> tasks = section.tasks();
            if (i == 0) {
                d.heading("Predicted classes");
                d.note(INTRO);
            }
            d.subheading(t.encoder() + ", k = " + t.k());
            List<String> header = new ArrayList<>(List.of("Row"));
            header.addAll(tasks);
            List<List<String>> rows = new ArrayList<>();
            section.shares().forEach((row, byTask) -> {
                List<String> cells = new ArrayList<>(List.of(row));
                tasks.forEach(task -> cells.add(format(byTask.get(task))));
                rows.add(cells);
            });
            d.add(ReportDocument.Table.of(header, 1, ReportDocument.Table.plain(rows)));
        }
    }
}
