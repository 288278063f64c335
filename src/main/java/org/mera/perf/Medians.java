package org.mera.perf;

import java.util.Arrays;

/** Median of repeated timings: robust to the odd run slowed by another process on a shared machine. */
public final class Medians {
    private Medians() {}

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
