package org.mera.experiment;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.mera.train.Metrics;

/**
 * A cell's per-example test predictions next to the gold labels they were scored against, in the test file's
 * order, and (classification) how many k-shot training examples each class had. The gold labels travel with the
 * predictions so that a report can resample test examples and recompute any metric, and compute the trivial
 * baselines, from the output folder alone; the training counts give the majority-class baseline of that seed.
 *
 * <p>Stored as {@code predictions/<cell key>.bin.gz} beside results.jsonl: gzip of a big-endian stream
 * {@code "MPRD"}, format version, kind (0 classification, 1 regression), example count, class count, the training
 * counts (classification), then the predicted and gold values (int class indices or float scores).
 */
public record CellPredictions(
        int numClasses,
        int[] predictedClasses,
        int[] goldClasses,
        int[] trainClassCounts,
        float[] predictedValues,
        float[] goldValues) {
    public static final String DIR = "predictions";
    private static final int MAGIC = 0x4D505244; // "MPRD"
    private static final int FORMAT = 1;

    public CellPredictions {
        if (predictedClasses != null) {
            if (goldClasses == null || goldClasses.length != predictedClasses.length) {
                throw new IllegalArgumentException(
                        "classification predictions need one gold class per prediction (" + predictedClasses.length
                                + " predictions, " + (goldClasses == null ? "no" : goldClasses.length) + " gold)");
            }
            if (numClasses < 2 || trainClassCounts == null || trainClassCounts.length != numClasses) {
                throw new IllegalArgumentException(
                        "classification predictions need at least two classes and a training count per class "
                                + "(classes " + numClasses + ", counts "
                                + (trainClassCounts == null ? "none" : trainClassCounts.length) + ")");
            }
            for (int i = 0; i < predictedClasses.length; i++) {
                if (predictedClasses[i] < 0
                        || predictedClasses[i] >= numClasses
                        || goldClasses[i] < 0
                        || goldClasses[i] >= numClasses) {
                    throw new IllegalArgumentException(
                            "example " + i + ": class index outside [0, " + numClasses + ")");
                }
            }
        } else if (predictedValues == null || goldValues == null || goldValues.length != predictedValues.length) {
            throw new IllegalArgumentException("regression predictions need one gold value per prediction");
        }
        if ((predictedClasses != null ? predictedClasses.length : predictedValues.length) == 0) {
            throw new IllegalArgumentException("no test predictions");
        }
    }

    public static CellPredictions classification(int numClasses, int[] predicted, int[] gold, int[] trainClassCounts) {
        return new CellPredictions(numClasses, predicted, gold, trainClassCounts, null, null);
    }

    public static CellPredictions regression(float[] predicted, float[] gold) {
        return new CellPredictions(0, null, null, null, predicted, gold);
    }

    public boolean isRegression() {
        return predictedClasses == null;
    }

    public int size() {
        return isRegression() ? predictedValues.length : predictedClasses.length;
    }

    /** Whether {@code other} was scored against the same gold labels (the same test set, so examples can be paired). */
    public boolean sameGold(CellPredictions other) {
        return isRegression() == other.isRegression()
                && (isRegression()
                        ? Arrays.equals(goldValues, other.goldValues)
                        : Arrays.equals(goldClasses, other.goldClasses));
    }

    /** {@code metric} (accuracy, f1, mcc, pearson, spearman) on the examples at {@code indices} (repeats allowed). */
    public double score(String metric, int[] indices) {
        if (isRegression()) {
            double[] p = new double[indices.length];
            double[] g = new double[indices.length];
            for (int i = 0; i < indices.length; i++) {
                p[i] = predictedValues[indices[i]];
                g[i] = goldValues[indices[i]];
            }
            return regressionMetric(metric, p, g);
        }
        int[] p = new int[indices.length];
        int[] g = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            p[i] = predictedClasses[indices[i]];
            g[i] = goldClasses[indices[i]];
        }
        return classificationMetric(metric, p, g);
    }

    /**
     * {@code metric} on the multiset of examples in which example i occurs {@code counts[i]} times, without building
     * it: the same value as {@link #score(String, int[])} on any index array with those counts (every metric here is
     * invariant to the order of examples), computed from a weighted confusion matrix or weighted sums. Spearman,
     * which needs ranks, falls back to {@code indices}.
     */
    public double scoreCounts(String metric, int[] counts, int[] indices) {
        if (isRegression()) {
            if (!metric.equals("pearson")) {
                return score(metric, indices);
            }
            double n = 0;
            double sx = 0;
            double sy = 0;
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 0) {
                    n += counts[i];
                    sx += counts[i] * (double) predictedValues[i];
                    sy += counts[i] * (double) goldValues[i];
                }
            }
            double mx = sx / n;
            double my = sy / n;
            double sxy = 0;
            double sxx = 0;
            double syy = 0;
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 0) {
                    double dx = predictedValues[i] - mx;
                    double dy = goldValues[i] - my;
                    sxy += counts[i] * dx * dy;
                    sxx += counts[i] * dx * dx;
                    syy += counts[i] * dy * dy;
                }
            }
            double denominator = Math.sqrt(sxx * syy);
            return denominator == 0 ? 0.0 : sxy / denominator;
        }
        int k = numClasses;
        long[] confusion = new long[k * k]; // [predicted][gold]
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                confusion[predictedClasses[i] * k + goldClasses[i]] += counts[i];
            }
        }
        return switch (metric) {
            case "accuracy" -> {
                long correct = 0;
                long total = 0;
                for (int c = 0; c < k * k; c++) {
                    total += confusion[c];
                }
                for (int c = 0; c < k; c++) {
                    correct += confusion[c * k + c];
                }
                yield (double) correct / total;
            }
            case "f1" -> {
                long tp = confusion[k + 1];
                long fp = 0;
                long fn = 0;
                for (int c = 0; c < k; c++) {
                    if (c != 1) {
                        fp += confusion[k + c];
                        fn += confusion[c * k + 1];
                    }
                }
                long denominator = 2 * tp + fp + fn;
                yield denominator == 0 ? 0.0 : 2.0 * tp / denominator;
            }
            case "mcc" -> {
                double s = 0;
                double correct = 0;
                double[] pk = new double[k];
                double[] tk = new double[k];
                for (int a = 0; a < k; a++) {
                    for (int b = 0; b < k; b++) {
                        long v = confusion[a * k + b];
                        s += v;
                        pk[a] += v;
                        tk[b] += v;
                        if (a == b) {
                            correct += v;
                        }
                    }
                }
                double pt = 0;
                double pp = 0;
                double tt = 0;
                for (int c = 0; c < k; c++) {
                    pt += pk[c] * tk[c];
                    pp += pk[c] * pk[c];
                    tt += tk[c] * tk[c];
                }
                double denominator = Math.sqrt((s * s - pp) * (s * s - tt));
                yield denominator == 0 ? 0.0 : (correct * s - pt) / denominator;
            }
            default -> score(metric, indices);
        };
    }

    /** The same predictions restricted to the examples at {@code rows} (in that order); training counts unchanged. */
    public CellPredictions keep(int[] rows) {
        if (isRegression()) {
            float[] p = new float[rows.length];
            float[] g = new float[rows.length];
            for (int i = 0; i < rows.length; i++) {
                p[i] = predictedValues[rows[i]];
                g[i] = goldValues[rows[i]];
            }
            return regression(p, g);
        }
        int[] p = new int[rows.length];
        int[] g = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            p[i] = predictedClasses[rows[i]];
            g[i] = goldClasses[rows[i]];
        }
        return classification(numClasses, p, g, trainClassCounts);
    }

    /** {@code metric} on every example. */
    public double score(String metric) {
        int[] all = new int[size()];
        Arrays.setAll(all, i -> i);
        return score(metric, all);
    }

    /** The metrics stored class predictions can be scored on. */
    public static final java.util.Set<String> CLASSIFICATION_METRICS = java.util.Set.of("accuracy", "f1", "mcc");

    /** The metrics stored regression predictions can be scored on. */
    public static final java.util.Set<String> REGRESSION_METRICS = java.util.Set.of("pearson", "spearman");

    static double classificationMetric(String metric, int[] predicted, int[] gold) {
        return switch (metric) {
            case "accuracy" -> Metrics.accuracy(predicted, gold);
            case "f1" -> Metrics.f1(predicted, gold);
            case "mcc" -> Metrics.mcc(predicted, gold);
            default ->
                throw new IllegalArgumentException(
                        "metric '" + metric + "' does not score class predictions " + "(known: accuracy, f1, mcc)");
        };
    }

    static double regressionMetric(String metric, double[] predicted, double[] gold) {
        return switch (metric) {
            case "pearson" -> Metrics.pearson(predicted, gold);
            case "spearman" -> Metrics.spearman(predicted, gold);
            default ->
                throw new IllegalArgumentException("metric '" + metric + "' does not score regression predictions "
                        + "(known: pearson, spearman)");
        };
    }

    /** Where a cell's predictions live in an output folder. */
    public static Path file(Path outputDir, String cellKey) {
        return outputDir.resolve(DIR).resolve(cellKey + ".bin.gz");
    }

    /**
     * Writes durably and atomically (temporary file, fsync, rename): the caller appends the cell's result line only
     * after this returns, so a result line never exists without its predictions; a kill in between leaves a file
     * without a line, which the re-run of that cell replaces.
     */
    public void write(Path file) throws IOException {
        org.mera.io.AtomicFiles.writeDurably(file, raw -> {
            DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw, 1 << 16));
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeByte(isRegression() ? 1 : 0);
            out.writeInt(size());
            out.writeInt(numClasses);
            if (isRegression()) {
                for (float v : predictedValues) {
                    out.writeFloat(v);
                }
                for (float v : goldValues) {
                    out.writeFloat(v);
                }
            } else {
                for (int c : trainClassCounts) {
                    out.writeInt(c);
                }
                for (int c : predictedClasses) {
                    out.writeInt(c);
                }
                for (int c : goldClasses) {
                    out.writeInt(c);
                }
            }
            out.close(); // finishes the gzip stream; closing the file twice is harmless
        });
    }

    /** Reads a file written by {@link #write}; a damaged or foreign file is an error naming it. */
    public static CellPredictions read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
            if (in.readInt() != MAGIC) {
                throw new IOException("not a mera predictions file");
            }
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IOException("predictions format " + format + " (this mera reads " + FORMAT + ")");
            }
            int kind = in.readByte();
            int n = in.readInt();
            int classes = in.readInt();
            if (n <= 0 || n > 50_000_000 || classes < 0 || classes > 100_000 || (kind != 0 && kind != 1)) {
                throw new IOException("bad header (kind " + kind + ", " + n + " examples, " + classes + " classes)");
            }
            if (kind == 1) {
                float[] p = new float[n];
                float[] g = new float[n];
                for (int i = 0; i < n; i++) {
                    p[i] = in.readFloat();
                }
                for (int i = 0; i < n; i++) {
                    g[i] = in.readFloat();
                }
                return regression(p, g);
            }
            int[] counts = new int[classes];
            for (int c = 0; c < classes; c++) {
                counts[c] = in.readInt();
            }
            int[] p = new int[n];
            int[] g = new int[n];
            for (int i = 0; i < n; i++) {
                p[i] = in.readInt();
            }
            for (int i = 0; i < n; i++) {
                g[i] = in.readInt();
            }
            return classification(classes, p, g, counts);
        } catch (EOFException e) {
            throw new IOException(file + ": predictions file is truncated", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CellPredictions p
                && numClasses == p.numClasses
                && Arrays.equals(predictedClasses, p.predictedClasses)
                && Arrays.equals(goldClasses, p.goldClasses)
                && Arrays.equals(trainClassCounts, p.trainClassCounts)
                && Arrays.equals(predictedValues, p.predictedValues)
                && Arrays.equals(goldValues, p.goldValues);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(predictedClasses) + Arrays.hashCode(predictedValues);
    }

    @Override
    public String toString() {
        return "CellPredictions[" + (isRegression() ? "regression" : numClasses + " classes") + ", " + size()
                + " examples]";
    }
}
