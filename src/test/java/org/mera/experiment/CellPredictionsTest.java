package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CellPredictionsTest {
    @Test
    void classificationAndRegressionRoundTrip(@TempDir Path tmp) throws Exception {
        CellPredictions c = CellPredictions.classification(
                3, new int[] {0, 2, 1, 2}, new int[] {0, 1, 1, 2}, new int[] {16, 16, 15});
        Path f = CellPredictions.file(tmp, "abc");
        c.write(f);
        assertEquals(tmp.resolve("predictions").resolve("abc.bin.gz"), f);
        CellPredictions back = CellPredictions.read(f);
        assertEquals(c, back);
        assertArrayEquals(new int[] {16, 16, 15}, back.trainClassCounts());
        assertEquals(0.75, back.score("accuracy"), 1e-12);

        CellPredictions r =
                CellPredictions.regression(new float[] {0.5f, 4.25f, Float.MIN_VALUE}, new float[] {1f, 4f, 0f});
        r.write(CellPredictions.file(tmp, "reg"));
        CellPredictions rb = CellPredictions.read(CellPredictions.file(tmp, "reg"));
        assertEquals(r, rb);
        assertTrue(rb.isRegression());
        try (var files = Files.list(tmp.resolve("predictions"))) {
            assertEquals(2, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void scoresFromResampleCountsEqualScoresOfTheResampledExamples() {
        java.util.Random r = new java.util.Random(5);
        int n = 60;
        int[] p3 = new int[n];
        int[] g3 = new int[n];
        float[] pv = new float[n];
        float[] gv = new float[n];
        for (int i = 0; i < n; i++) {
            p3[i] = r.nextInt(3);
            g3[i] = r.nextInt(3);
            pv[i] = (float) r.nextGaussian();
            gv[i] = pv[i] + (float) r.nextGaussian();
        }
        CellPredictions three = CellPredictions.classification(3, p3, g3, new int[] {1, 1, 1});
        CellPredictions binary = CellPredictions.classification(
                2,
                Arrays.stream(p3).map(x -> x % 2).toArray(),
                Arrays.stream(g3).map(x -> x % 2).toArray(),
                new int[] {1, 1});
        CellPredictions reg = CellPredictions.regression(pv, gv);
        for (int trial = 0; trial < 20; trial++) {
            int[] idx = new int[n];
            int[] counts = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = r.nextInt(n);
                counts[idx[i]]++;
            }
            for (String m : new String[] {"accuracy", "mcc"}) {
                assertEquals(three.score(m, idx), three.scoreCounts(m, counts, idx), 1e-12, m);
            }
            for (String m : new String[] {"accuracy", "f1", "mcc"}) {
                assertEquals(binary.score(m, idx), binary.scoreCounts(m, counts, idx), 1e-12, m);
            }
            assertEquals(reg.score("pearson", idx), reg.scoreCounts("pearson", counts, idx), 1e-9);
            assertEquals(reg.score("spearman", idx), reg.scoreCounts("spearman", counts, idx), 1e-12);
        }
    }

    @Test
    void aDamagedFileIsAnErrorNamingIt(@TempDir Path tmp) throws Exception {
        CellPredictions c = CellPredictions.classification(2, new int[100], new int[100], new int[] {16, 16});
        Path f = CellPredictions.file(tmp, "k");
        c.write(f);
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(bytes, bytes.length / 2));
        IOException e = assertThrows(IOException.class, () -> CellPredictions.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> CellPredictions.classification(2, new int[] {0, 2}, new int[] {0, 1}, new int[] {1, 1}),
                "a class index out of range is refused");
    }
}
