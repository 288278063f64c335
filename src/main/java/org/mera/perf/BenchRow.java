package org.mera.perf;

import java.util.Objects;

/**
 * One measured line of a benchmark report. Quantities that do not apply to a row are {@link Double#NaN}
 * (for example GFLOP/s of a merge, or a throughput of a single matmul).
 *
 * @param name          what was measured, e.g. "matmul 2048x2048 fp32" or "encoder forward, batch 32"
 * @param medianSeconds median wall time of one run, in seconds
 * @param throughput    work per second in {@code unit}, or NaN
 * @param unit          unit of {@code throughput}, e.g. "tokens/s"; empty when throughput is NaN
 * @param gflops        achieved GFLOP/s, or NaN
 * @param peakRssMiB    the process's peak resident set size (VmHWM) when the row was measured, or NaN
 */
public record BenchRow(
        String name, double medianSeconds, double throughput, String unit, double gflops, double peakRssMiB) {
    public BenchRow {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(unit, "unit");
        if (name.isBlank()) {
            throw new IllegalArgumentException("bench row name is blank");
        }
        requireNonNegativeOrNaN(name, "medianSeconds", medianSeconds);
        requireNonNegativeOrNaN(name, "throughput", throughput);
        requireNonNegativeOrNaN(name, "gflops", gflops);
        requireNonNegativeOrNaN(name, "peakRssMiB", peakRssMiB);
        if (!Double.isNaN(throughput) && unit.isBlank()) {
            throw new IllegalArgumentException("bench row '" + name + "' has a throughput but no unit");
        }
    }

    /** A row with only a time: throughput and GFLOP/s do not apply. */
    public static BenchRow timing(String name, double medianSeconds, double peakRssMiB) {
        return new BenchRow(name, medianSeconds, Double.NaN, "", Double.NaN, peakRssMiB);
    }

    private static void requireNonNegativeOrNaN(String row, String field, double value) {
        if (value < 0 || Double.isInfinite(value)) {
            throw new IllegalArgumentException(
                    "bench row '" + row + "': " + field + " must be >= 0 and finite (or NaN), got " + value);
        }
    }
}
