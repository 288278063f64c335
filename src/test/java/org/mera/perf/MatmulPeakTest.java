package org.mera.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class MatmulPeakTest {
    @Test
    void measuresARealProductOfTheDeterministicInputs() {
        int n = 48;
        MatmulPeak.Result result;
        try (NDManager manager = NDManager.newBaseManager()) {
            result = MatmulPeak.measure(manager, n, 1, 3);
        }
        float[] a = MatmulPeak.deterministicMatrix(n, 1);
        float[] b = MatmulPeak.deterministicMatrix(n, 2);
        double expected = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < n; j++) {
                    expected += (double) a[i * n + k] * b[k * n + j];
                }
            }
        }
        double tolerance = 1e-3 * Math.max(1, Math.abs(expected));
        assertEquals(expected, result.checksum(), tolerance);
        // The checksum tells the product from its usual mistakes: operands swapped (B·A) or one transposed (Aᵀ·B).
        double swapped = 0;
        double transposed = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < n; j++) {
                    swapped += (double) b[i * n + k] * a[k * n + j];
                    transposed += (double) a[k * n + i] * b[k * n + j];
                }
            }
        }
        assertTrue(Math.abs(swapped - expected) > 10 * tolerance, "B·A sums to " + swapped + ", A·B to " + expected);
        assertTrue(
                Math.abs(transposed - expected) > 10 * tolerance,
                "Aᵀ·B sums to " + transposed + ", A·B to " + expected);
        assertEquals(3, result.runSeconds().length);
        assertEquals(Medians.median(result.runSeconds()), result.medianSeconds());
        assertEquals(2.0 * n * n * n / result.medianSeconds() / 1e9, result.gflops(), 1e-9 * result.gflops());
        assertEquals(3, result.runCpuSeconds().length);
        BenchRow row = result.toRow(100);
        assertEquals("matmul 48x48 fp32", row.name());
        assertEquals(result.medianSeconds(), row.medianSeconds());
        assertEquals(result.gflops(), row.gflops());
        assertEquals(100, row.peakRssMiB());
    }

    @Test
    void reportsGflopsPerCpuSecondForProductsLongEnoughToTime() {
        // CPU time is sampled at the kernel's accounting granularity: a product must take milliseconds to register.
        try (NDManager manager = NDManager.newBaseManager()) {
            MatmulPeak.Result result = MatmulPeak.measure(manager, 1024, 1, 3);
            for (double cpu : result.runCpuSeconds()) {
                assertTrue(
                        cpu > 0,
                        "the JVM on Linux reports process CPU time: "
                                + java.util.Arrays.toString(result.runCpuSeconds()));
            }
            double medianCpu = Medians.median(result.runCpuSeconds());
            assertEquals(
                    2.0 * 1024 * 1024 * 1024 / medianCpu / 1e9,
                    result.gflopsPerCpuSecond(),
                    1e-9 * result.gflopsPerCpuSecond());
        }
    }

    @Test
    void inputsAreDeterministicAndInRange() {
        float[] m = MatmulPeak.deterministicMatrix(64, 7);
        assertEquals(java.util.Arrays.toString(m), java.util.Arrays.toString(MatmulPeak.deterministicMatrix(64, 7)));
        double sum = 0;
        for (float v : m) {
            assertTrue(v >= -1f && v < 1f, "value " + v);
            sum += v;
        }
        assertTrue(Math.abs(sum / m.length) < 0.05, "mean " + sum / m.length + " should be near 0");
        assertTrue(m[0] != MatmulPeak.deterministicMatrix(64, 8)[0]);
    }

    @Test
    void rejectsBadArguments() {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class, () -> MatmulPeak.measure(manager, 0, 1, 1));
            assertThrows(IllegalArgumentException.class, () -> MatmulPeak.measure(manager, 4, 1, 0));
        }
    }
}
