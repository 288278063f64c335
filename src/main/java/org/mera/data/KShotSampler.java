package org.mera.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Seeded, class-balanced k-shot sampling: k examples of every class, drawn without replacement.
 *
 * <p>Procedure (deterministic for a seed and an input order): one {@link Random} seeded with {@code seed};
 * the examples of each class, in the task's label order and keeping their input order, are shuffled with
 * it; the first k of each class form the training sample, the next k (for {@link #sampleTrainAndDev}) the
 * disjoint dev sample; each sample is then shuffled with the same generator.
 *
 * <p>Regression tasks have no classes, so examples are put into two bins by a threshold: below it, and at
 * or above it. The default threshold is LM-BFF's 2.5 for STS-B (its published splits are balanced that
 * way) and the median of the pool's targets for any other regression task.
 */
public final class KShotSampler {
    /** LM-BFF's threshold for STS-B scores in [0, 5]. */
    public static final double STSB_THRESHOLD = 2.5;

    /** A training sample and a disjoint dev sample, k per class each. */
    public record Split(List<Example> train, List<Example> dev) {}

    private KShotSampler() {}

    /** k per class from {@code pool}, with the default regression threshold. */
    public static List<Example> sample(List<Example> pool, Task task, int k, long seed) {
        return draw(pool, task, k, seed, defaultThreshold(task, pool), false).train();
    }

    /** k per class from {@code pool}; regression examples binned at {@code threshold}. */
    public static List<Example> sample(List<Example> pool, Task task, int k, long seed, double threshold) {
        return draw(pool, task, k, seed, threshold, false).train();
    }

    /**
     * Disjoint train and dev samples of k per class each (so 2k per class are needed). The training
     * sample is the same as {@link #sample} gives for the same arguments.
     */
    public static Split sampleTrainAndDev(List<Example> pool, Task task, int k, long seed) {
        return draw(pool, task, k, seed, defaultThreshold(task, pool), true);
    }

    /** 2.5 for STS-B, the median target otherwise (NaN for classification tasks, which need none). */
    public static double defaultThreshold(Task task, List<Example> pool) {
        if (!task.isRegression()) {
            return Double.NaN;
        }
        if (task.equals(GlueTasks.STSB)) {
            return STSB_THRESHOLD;
        }
        double[] targets = new double[pool.size()];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = target(task, pool.get(i), i);
        }
        if (targets.length == 0) {
            throw new IllegalArgumentException("task " + task.name() + ": cannot sample from an empty pool");
        }
        Arrays.sort(targets);
        int n = targets.length;
        return n % 2 == 1 ? targets[n / 2] : (targets[n / 2 - 1] + targets[n / 2]) / 2;
    }

    private static Split draw(List<Example> pool, Task task, int k, long seed, double threshold, boolean withDev) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        if (task.isRegression() && !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("task " + task.name() + ": regression threshold must be finite");
        }
        List<String> classNames = task.isRegression() ? List.of("< " + threshold, ">= " + threshold) : task.labels();
        List<List<Example>> byClass = new ArrayList<>();
        for (int c = 0; c < classNames.size(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < pool.size(); i++) {
            Example x = pool.get(i);
            int c = task.isRegression() ? (target(task, x, i) < threshold ? 0 : 1) : classIndex(task, x, i);
            byClass.get(c).add(x);
        }
        int needed = withDev ? 2 * k : k;
        int smallest = byClass.stream().mapToInt(List::size).min().orElse(0);
        Random rng = new Random(seed);
        List<Example> train = new ArrayList<>();
        List<Example> dev = new ArrayList<>();
        for (int c = 0; c < byClass.size(); c++) {
            List<Example> members = byClass.get(c);
            if (members.size() < needed) {
                throw new IllegalArgumentException("task " + task.name() + ": class '" + classNames.get(c)
                        + "' has only " + members.size() + " examples, " + needed + " needed (k=" + k
                        + (withDev ? ", train and dev" : "") + ")"
                        + (smallest / (withDev ? 2 : 1) >= 1
                                ? "; the largest k these examples allow is " + smallest / (withDev ? 2 : 1)
                                        + " (--k, or k: in a config)"
                                : "; add examples of that class"));
            }
            Collections.shuffle(members, rng);
            train.addAll(members.subList(0, k));
            if (withDev) {
                dev.addAll(members.subList(k, 2 * k));
            }
        }
        Collections.shuffle(train, rng);
        Collections.shuffle(dev, rng);
        return new Split(List.copyOf(train), List.copyOf(dev));
    }

    private static int classIndex(Task task, Example x, int i) {
        if (x.label() == null) {
            throw new IllegalArgumentException("task " + task.name() + ": example " + i + " has no label");
        }
        return task.labelIndex(x.label());
    }

    private static double target(Task task, Example x, int i) {
        if (x.label() == null) {
            throw new IllegalArgumentException("task " + task.name() + ": example " + i + " has no label");
        }
        try {
            return Double.parseDouble(x.label());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "task " + task.name() + ": example " + i + " has non-numeric label '" + x.label() + "'", e);
        }
    }
}
