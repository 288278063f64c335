package org.mera.experiment.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mera.experiment.CellPredictions;

/**
 * Rows every report table carries so that a method's score can be read against what no learning achieves,
 * computed from the stored gold test labels (and the seed's k-shot training labels), never typed in:
 * <ul>
 * <li>{@link #KSHOT_MAJORITY}: always the most frequent class of that seed's k-shot training split (ties: the
 * first class in the task's label order; LM-BFF's splits are balanced, so this is the first label);</li>
 * <li>{@link #TEST_MAJORITY}: always the most frequent class of the test labels, an oracle (it reads the test set),
 * the bar "below majority accuracy" refers to;</li>
 * <li>{@link #ALWAYS_POSITIVE}: always class 1 (binary tasks; on F1 tasks the F1 a classifier gets for free);</li>
 * <li>{@link #CONSTANT}: one constant score for every pair (regression; Pearson and Spearman are 0, chance).</li>
 * </ul>
 * Any constant classifier has MCC 0 (chance), which the majority rows show on MCC tasks. Trivial rows are not
 * candidates for "best"; each method is compared with the strongest of them ({@link ResultTables#againstTrivial}),
 * in a family of its own.
 */
public final class TrivialBaselines {
    public static final String PREFIX = "trivial: ";
    public static final String KSHOT_MAJORITY = PREFIX + "k-shot majority class";
    public static final String TEST_MAJORITY = PREFIX + "test majority class (oracle)";
    public static final String ALWAYS_POSITIVE = PREFIX + "always positive";
    public static final String CONSTANT = PREFIX + "constant score";

    private TrivialBaselines() {}

    public static boolean isTrivial(String rowLabel) {
        return rowLabel.startsWith(PREFIX);
    }

    /** The table with its trivial rows appended (only rows some task has); unchanged when nothing has predictions. */
    public static ResultTables.Table addTo(ResultTables.Table t, PredictionIndex index) {
        Map<String, Map<String, TreeMap<Integer, Double>>> rows = new LinkedHashMap<>();
        for (String name : List.of(KSHOT_MAJORITY, TEST_MAJORITY, ALWAYS_POSITIVE, CONSTANT)) {
            rows.put(name, new LinkedHashMap<>());
        }
        for (String task : t.tasks()) {
            String metric = t.metricByTask().get(task);
            TreeSet<Integer> seeds = new TreeSet<>();
            t.rows().forEach(r -> {
                if (r.seedValues().containsKey(task)) {
                    seeds.addAll(r.seedValues().get(task).keySet());
                }
            });
            for (int seed : seeds) {
                CellPredictions p = index.any(t.encoder(), t.k(), task, seed);
                if (p == null) {
                    continue;
                }
                scores(p, metric)
                        .forEach((row, v) -> rows.get(row)
                                .computeIfAbsent(task, x -> new TreeMap<>())
                                .put(seed, 100 * v));
            }
        }
        List<ResultTables.Row> all = new ArrayList<>(t.rows());
        rows.forEach((name, values) -> {
            if (!values.isEmpty()) {
                all.add(new ResultTables.Row(name, values, Map.of()));
            }
        });
        return new ResultTables.Table(t.encoder(), t.k(), t.tasks(), t.metricByTask(), all);
    }

    /** The trivial predictors' {@code metric} (a fraction) on one cell's test labels. */
    static Map<String, Double> scores(CellPredictions p, String metric) {
        Map<String, Double> out = new LinkedHashMap<>();
        predictions(p).forEach((row, constant) -> out.put(row, constant.score(metric)));
        return out;
    }

    /** Each trivial predictor's predictions on the test examples of {@code p} (same gold labels, same order). */
    static Map<String, CellPredictions> predictions(CellPredictions p) {
        Map<String, CellPredictions> out = new LinkedHashMap<>();
        if (p.isRegression()) {
            float[] constant = new float[p.size()];
            Arrays.fill(constant, p.goldValues()[0]);
            out.put(CONSTANT, CellPredictions.regression(constant, p.goldValues()));
            return out;
        }
        out.put(KSHOT_MAJORITY, constantClass(p, argmax(p.trainClassCounts())));
        int[] testCounts = new int[p.numClasses()];
        for (int g : p.goldClasses()) {
            testCounts[g]++;
        }
        out.put(TEST_MAJORITY, constantClass(p, argmax(testCounts)));
        if (p.numClasses() == 2) {
            out.put(ALWAYS_POSITIVE, constantClass(p, 1));
        }
        return out;
    }

    private static CellPredictions constantClass(CellPredictions p, int c) {
        int[] constant = new int[p.size()];
        Arrays.fill(constant, c);
        return CellPredictions.classification(p.numClasses(), constant, p.goldClasses(), p.trainClassCounts());
    }

    /** Index of the largest count, the first on ties. */
    static int argmax(int[] counts) {
        int best = 0;
        for (int i = 1; i < counts.length; i++) {
            if (counts[i] > counts[best]) {
                best = i;
            }
        }
        return best;
    }
}
