package org.mera.perf;

import java.util.Arrays;

/** Median of repeated timings: robust to the odd run slowed by another process on a shared machine. */
public final class Medians {
    private Medians() {}

    /** Runs {@code body} {@code warmup} times untimed, then {@code runs} times, and returns the median seconds. */
    public static double of(int warmup, int runs, Runnable body) {
        if (warmup < 0 || runs < 1) {
            throw new IllegalArgumentException("need warmup >= 0 and runs >= 1, got " + warmup + " and " + runs);
        }
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            body.run();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        return median(seconds);
    }

    public static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("median of no values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
