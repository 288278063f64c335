package org.mera.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mera.data.GlueTasks;
import org.mera.data.Task;

/**
 * Evaluation metrics, matching scikit-learn / SciPy: accuracy, binary F1 (positive class = label index 1),
 * Matthews correlation (binary and multi-class, Gorodkin's R_K), Pearson and Spearman (average ranks for
 * ties). Where a metric is undefined because a denominator is zero (no positive prediction nor gold for
 * F1, a constant series for MCC or the correlations), it is reported as 0, as scikit-learn does for MCC
 * and F1; SciPy would return NaN for the correlations, which cannot be compared when selecting models.
 */
public final class Metrics {
    /** Key of the task's primary metric in {@link #glue} results (a copy of that metric's value). */
    public static final String PRIMARY = "primary";

    private Metrics() {}

    public static double accuracy(int[] predicted, int[] gold) {
        check(predicted.length, gold.length);
        int correct = 0;
        for (int i = 0; i < gold.length; i++) {
            if (predicted[i] == gold[i]) {
                correct++;
            }
        }
        return (double) correct / gold.length;
    }

    /** Binary F1 of class index 1 (GLUE's "1" for MRPC and QQP). */
    public static double f1(int[] predicted, int[] gold) {
        check(predicted.length, gold.length);
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < gold.length; i++) {
            boolean p = predicted[i] == 1;
            boolean g = gold[i] == 1;
            if (p && g) {
                tp++;
            } else if (p) {
                fp++;
            } else if (g) {
                fn++;
            }
        }
        long denominator = 2 * tp + fp + fn;
        return denominator == 0 ? 0.0 : 2.0 * tp / denominator;
    }

    /**
     * Matthews correlation for any number of classes (equal to the usual binary formula for two):
     * (c·s − Σ p_k t_k) / √((s² − Σ p_k²)(s² − Σ t_k²)), with c correct, s total, p_k / t_k the
     * predicted / true counts of class k.
     */
    public static double mcc(int[] predicted, int[] gold) {
        check(predicted.length, gold.length);
        int classes = 0;
        for (int i = 0; i < gold.length; i++) {
            if (predicted[i] < 0 || gold[i] < 0) {
                throw new IllegalArgumentException("class indices must be non-negative (row " + i + ")");
            }
            classes = Math.max(classes, Math.max(predicted[i], gold[i]) + 1);
        }
        long[] p = new long[classes];
        long[] t = new long[classes];
        long correct = 0;
        for (int i = 0; i < gold.length; i++) {
            p[predicted[i]]++;
            t[gold[i]]++;
            if (predicted[i] == gold[i]) {
                correct++;
            }
        }
        double s = gold.length;
        double pt = 0;
        double pp = 0;
        double tt = 0;
        for (int k = 0; k < classes; k++) {
            pt += (double) p[k] * t[k];
            pp += (double) p[k] * p[k];
            tt += (double) t[k] * t[k];
        }
        double denominator = Math.sqrt((s * s - pp) * (s * s - tt));
        return denominator == 0 ? 0.0 : (correct * s - pt) / denominator;
    }

    public static double pearson(double[] x, double[] y) {
        check(x.length, y.length);
        double mx = mean(x);
        double my = mean(y);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        double denominator = Math.sqrt(sxx * syy);
        return denominator == 0 ? 0.0 : sxy / denominator;
    }

    /** Pearson correlation of the ranks, tied values sharing their average rank. */
    public static double spearman(double[] x, double[] y) {
        check(x.length, y.length);
        return pearson(ranks(x), ranks(y));
    }

    /** 1-based ranks; tied values get the average of the ranks they span. */
    public static double[] ranks(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double[] ranks = new double[values.length];
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            double average = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = average;
            }
            i = j + 1;
        }
        return ranks;
    }

    /** Row-wise argmax of flat [rows, numClasses] logits (first maximum on ties). */
    public static int[] argmax(float[] logits, int numClasses) {
        if (numClasses <= 0 || logits.length % numClasses != 0) {
            throw new IllegalArgumentException(logits.length + " logits are not rows of " + numClasses + " classes");
        }
        int[] out = new int[logits.length / numClasses];
        for (int r = 0; r < out.length; r++) {
            int best = 0;
            for (int c = 1; c < numClasses; c++) {
                if (logits[r * numClasses + c] > logits[r * numClasses + best]) {
                    best = c;
                }
            }
            out[r] = best;
        }
        return out;
    }

    /**
     * The task's reported metrics ({@link GlueTasks#reportedMetrics}, primary first) for class-index
     * predictions, plus {@link #PRIMARY}. Error for a regression task.
     */
    public static Map<String, Double> glue(Task task, int[] predicted, int[] gold) {
        if (task.isRegression()) {
            throw new IllegalArgumentException(
                    "task " + task.name() + " is a regression task: pass real-valued predictions");
        }
        check(predicted.length, gold.length);
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] < 0 || gold[i] >= task.numLabels() || predicted[i] < 0 || predicted[i] >= task.numLabels()) {
                throw new IllegalArgumentException("task " + task.name() + ": row " + i
                        + " has a class index outside [0, " + task.numLabels() + ")");
            }
        }
        List<String> names = GlueTasks.reportedMetrics(task);
        Map<String, Double> out = new LinkedHashMap<>();
        for (String name : names) {
            out.put(
                    name,
                    switch (name) {
                        case "accuracy" -> accuracy(predicted, gold);
                        case "f1" -> {
                            if (task.numLabels() != 2) {
                                throw new IllegalArgumentException("task " + task.name() + ": f1 needs two classes");
                            }
                            yield f1(predicted, gold);
                        }
                        case "mcc" -> mcc(predicted, gold);
                        default ->
                            throw new IllegalArgumentException("task " + task.name()
                                    + ": unknown classification metric '" + name + "' (known: accuracy, f1, mcc)");
                    });
        }
        out.put(PRIMARY, out.get(task.metric()));
        return out;
    }

    /** The task's reported metrics for regression predictions, plus {@link #PRIMARY}. */
    public static Map<String, Double> glue(Task task, double[] predicted, double[] gold) {
        if (!task.isRegression()) {
            throw new IllegalArgumentException("task " + task.name() + " is a classification task: pass class indices");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (String name : GlueTasks.reportedMetrics(task)) {
            out.put(
                    name,
                    switch (name) {
                        case "pearson" -> pearson(predicted, gold);
                        case "spearman" -> spearman(predicted, gold);
                        default ->
                            throw new IllegalArgumentException("task " + task.name() + ": unknown regression metric '"
                                    + name + "' (known: pearson, spearman)");
                    });
        }
        out.put(PRIMARY, out.get(task.metric()));
        return out;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }

    private static void check(int predicted, int gold) {
        if (predicted != gold) {
            throw new IllegalArgumentException(predicted + " predictions for " + gold + " gold values");
        }
        if (gold == 0) {
            throw new IllegalArgumentException("no predictions to score");
        }
    }
}
