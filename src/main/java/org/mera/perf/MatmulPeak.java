package org.mera.perf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Peak float32 matrix-multiply rate through DJL/PyTorch: the ceiling for the encoder's dense layers, and
 * the figure the MKL dispatch shim changes. Inputs are deterministic, so a result checksum can show that two
 * configurations compute the same product.
 */
public final class MatmulPeak {
    private MatmulPeak() {}

    /**
     * @param size           n of the n x n by n x n product
     * @param runSeconds     wall time of each timed run, in order
     * @param medianSeconds  median of {@code runSeconds}
     * @param gflops         2 n^3 floating-point operations divided by the median time, in 1e9/s
     * @param checksum       sum of all elements of the product (computed in double from the float32 result)
     * @param runCpuSeconds  CPU time the whole process used during each timed run (all threads), or NaN each
     *                       where the JVM cannot tell
     * @param gflopsPerCpuSecond 2 n^3 divided by the median CPU time, in 1e9/s: the kernel's efficiency per busy
     *                       core-second, which other processes competing for the cores lower far less than the
     *                       wall-clock figure (they take time slices, not instructions)
     */
    public record Result(
            int size,
            double[] runSeconds,
            double medianSeconds,
            double gflops,
            double checksum,
            double[] runCpuSeconds,
            double gflopsPerCpuSecond) {
        public BenchRow toRow(double peakRssMiB) {
            return new BenchRow(
                    String.format(Locale.ROOT, "matmul %dx%d fp32", size, size),
                    medianSeconds,
                    Double.NaN,
                    "",
                    gflops,
                    peakRssMiB);
        }
    }

    /** Floating-point operations of an n x n by n x n matrix product (one multiply and one add per term). */
    public static double flops(int n) {
        return 2.0 * n * n * (double) n;
    }

    /**
     * Multiplies two n x n float32 matrices {@code warmupRuns + timedRuns} times on {@code manager}'s device and
     * reports the timed runs. Warm-up runs absorb one-time costs (kernel selection, page faults, thread-pool start).
     */
    public static Result measure(NDManager manager, int n, int warmupRuns, int timedRuns) {
        if (n < 1) {
            throw new IllegalArgumentException("matmul size must be >= 1, got " + n);
        }
        if (warmupRuns < 0 || timedRuns < 1) {
            throw new IllegalArgumentException(
                    "need warmupRuns >= 0 and timedRuns >= 1, got " + warmupRuns + " and " + timedRuns);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray a = scope.create(deterministicMatrix(n, 1), new Shape(n, n));
            NDArray b = scope.create(deterministicMatrix(n, 2), new Shape(n, n));
            for (int i = 0; i < warmupRuns; i++) {
                a.matMul(b).close();
            }
            double[] seconds = new double[timedRuns];
            double[] cpuSeconds = new double[timedRuns];
            double checksum = Double.NaN;
            for (int i = 0; i < timedRuns; i++) {
                long cpuStart = processCpuNanos();
                long start = System.nanoTime();
                // PyTorch CPU ops run synchronously: the product is complete when matmul returns.
                NDArray c = a.matMul(b);
                seconds[i] = (System.nanoTime() - start) / 1e9;
                long cpuEnd = processCpuNanos();
                cpuSeconds[i] = cpuStart < 0 || cpuEnd < 0 ? Double.NaN : (cpuEnd - cpuStart) / 1e9;
                if (i == timedRuns - 1) {
                    try (NDArray sum = c.toType(DataType.FLOAT64, false).sum()) {
                        checksum = sum.getDouble();
                    }
                }
                c.close();
            }
            double median = Medians.median(seconds);
            double medianCpu = Medians.median(cpuSeconds);
            return new Result(
                    n,
                    seconds,
                    median,
                    flops(n) / median / 1e9,
                    checksum,
                    cpuSeconds,
                    medianCpu > 0 ? flops(n) / medianCpu / 1e9 : Double.NaN);
        }
    }

    /**
     * CPU time of the whole process so far, in ns, or -1 where it cannot be read. Sums the per-thread run times
     * in /proc/self/task/N/schedstat (nanoseconds, and they include the native OpenMP threads); the JVM's own
     * figure comes from times(2) and moves in 10 ms ticks, too coarse for one matmul.
     */
    static long processCpuNanos() {
        Path tasks = Path.of("/proc/self/task");
        if (Files.isDirectory(tasks)) {
            long total = 0;
            try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
                for (Path thread : threads) {
                    String schedstat;
                    try {
                        schedstat = Files.readString(thread.resolve("schedstat"), StandardCharsets.US_ASCII);
                    } catch (NoSuchFileException exited) {
                        continue; // the thread ended between listing and reading
                    }
                    total += Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                }
                return total;
            } catch (IOException e) {
                throw new IllegalStateException("cannot read per-thread CPU times under " + tasks, e);
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * Values in [-1, 1) from a fixed integer hash of (seed, index): identical on every run and machine,
     * and independent of the engine's random generator.
     */
    public static float[] deterministicMatrix(int n, int seed) {
        float[] values = new float[Math.multiplyExact(n, n)];
        for (int i = 0; i < values.length; i++) {
            int h = i * 0x9E3779B9 + seed * 0x85EBCA6B;
            h ^= h >>> 16;
            h *= 0x7FEB352D;
            h ^= h >>> 15;
            h *= 0x846CA68B;
            h ^= h >>> 16;
            values[i] = (h >>> 8) / (float) (1 << 23) - 1f;
        }
        return values;
    }
}
