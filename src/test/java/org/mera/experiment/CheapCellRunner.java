package org.mera.experiment;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A deterministic stand-in for real training, for tests and the synthetic demo report: it fits a small
 * logistic regression by gradient descent on synthetic data whose difficulty depends on the method (so
 * the numbers differ between methods, but mean nothing), then sleeps a little to look like work.
 */
public final class CheapCellRunner implements CellRunner {
    private final long sleepMs;

    public CheapCellRunner(long sleepMs) {
        this.sleepMs = sleepMs;
    }

    /** Something a test does before each cell: count it, or fail it. */
    @FunctionalInterface
    public interface BeforeCell {
        void accept(Cell cell) throws Exception;
    }

    /** A real (non-synthetic) runner of the given version that calls {@code before}, then runs the cell cheaply. */
    public static CellRunner wrapped(String version, BeforeCell before) {
        CheapCellRunner cheap = new CheapCellRunner(0);
        return new CellRunner() {
            @Override
            public String version() {
                return version;
            }

            @Override
            public CellResult run(Cell cell, ProgressListener progress) throws Exception {
                before.accept(cell);
                return cheap.run(cell, progress);
            }
        };
    }

    @Override
    public String name() {
        return "CheapCellRunner (synthetic test runner)";
    }

    @Override
    public String version() {
        return "cheap-1";
    }

    @Override
    public boolean synthetic() {
        return true;
    }

    @Override
    public CellResult run(Cell cell, ProgressListener progress) throws Exception {
        double signal = switch (cell.method()) {
            case FULL -> 0.9;
            case ADAPTER -> 0.7;
            case SINGLE -> 0.6 + 0.5 * Math.floorMod((cell.source() + cell.task()).hashCode(), 7) / 7.0;
            case FUSION -> 0.8;
            case MERA_SUM -> 0.95;
            case MERA_AVERAGE -> 1.0;
            case MERA_OT -> 1.1;
            case MERA_SAME_TRACK -> 1.3;
            case MERA_AUTO -> 1.2;
        };
        // The task fixes the truth and the test set (shared by every method and seed, as a real test file is); the
        // cell's own generator draws the training data, noisier for weaker methods.
        Random taskRnd = new Random(cell.task().hashCode());
        Random rnd = new Random(
                31L * cell.seed() + (cell.task() + "/" + cell.methodLabel() + "/" + cell.encoder()).hashCode());
        int dims = 8;
        double[] truth = new double[dims];
        for (int d = 0; d < dims; d++) {
            truth[d] = taskRnd.nextGaussian();
        }
        int nTrain = 2 * cell.k();
        double[][] x = new double[nTrain][];
        int[] y = new int[nTrain];
        for (int i = 0; i < nTrain; i++) {
            x[i] = sample(rnd, dims);
            y[i] = label(truth, x[i], rnd, signal);
        }
        double[] w = new double[dims];
        int steps = 200;
        for (int s = 0; s < steps; s++) {
            double[] grad = new double[dims];
            for (int i = 0; i < nTrain; i++) {
                double p = 1 / (1 + Math.exp(-dot(w, x[i])));
                for (int d = 0; d < dims; d++) {
                    grad[d] += (p - y[i]) * x[i][d] / nTrain;
                }
            }
            for (int d = 0; d < dims; d++) {
                w[d] -= cell.hyperparameters().getDouble("lr") * 1000 * grad[d];
            }
            if (s % 50 == 0) {
                progress.progress((double) s / steps, "step " + s + "/" + steps);
            }
        }
        int tp = 0, tn = 0, fp = 0, fn = 0;
        int nTest = 400;
        double[] score = new double[nTest];
        double[] gold = new double[nTest];
        int[] predicted = new int[nTest];
        int[] goldClass = new int[nTest];
        for (int i = 0; i < nTest; i++) {
            double[] xi = sample(taskRnd, dims);
            int yi = label(truth, xi, taskRnd, 1.0);
            goldClass[i] = yi;
            score[i] = dot(w, xi);
            gold[i] = yi;
            boolean pred = score[i] > 0;
            predicted[i] = pred ? 1 : 0;
            if (pred && yi == 1) tp++;
            else if (pred) fp++;
            else if (yi == 1) fn++;
            else tn++;
        }
        if (sleepMs > 0) {
            Thread.sleep(sleepMs);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", (tp + tn) / (double) nTest);
        m.put("f1", tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn));
        double den = Math.sqrt((double) (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
        m.put("mcc", den == 0 ? 0.0 : (tp * (double) tn - fp * (double) fn) / den);
        m.put("pearson", pearson(score, gold));
        CellPredictions predictions;
        if (cell.primaryMetric().equals("pearson") || cell.primaryMetric().equals("spearman")) {
            float[] p = new float[nTest];
            float[] g = new float[nTest];
            for (int i = 0; i < nTest; i++) {
                p[i] = (float) score[i];
                g[i] = (float) gold[i];
            }
            predictions = CellPredictions.regression(p, g);
        } else {
            int[] counts = new int[2];
            for (int yi : y) {
                counts[yi]++;
            }
            predictions = CellPredictions.classification(2, predicted, goldClass, counts);
        }
        return new CellResult(m, Map.of("trainExamples", nTrain, "steps", steps), predictions);
    }

    private static double[] sample(Random rnd, int dims) {
        double[] v = new double[dims];
        for (int d = 0; d < dims; d++) {
            v[d] = rnd.nextGaussian();
        }
        return v;
    }

    private static int label(double[] truth, double[] x, Random rnd, double signal) {
        return signal * dot(truth, x) + 2.5 * rnd.nextGaussian() > 0 ? 1 : 0;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double pearson(double[] a, double[] b) {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i] / a.length;
            mb += b[i] / b.length;
        }
        double cov = 0, va = 0, vb = 0;
        for (int i = 0; i < a.length; i++) {
            cov += (a[i] - ma) * (b[i] - mb);
            va += (a[i] - ma) * (a[i] - ma);
            vb += (b[i] - mb) * (b[i] - mb);
        }
        return va == 0 || vb == 0 ? 0 : cov / Math.sqrt(va * vb);
    }
}
