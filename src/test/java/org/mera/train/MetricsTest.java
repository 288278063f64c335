package org.mera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mera.data.GlueTasks;
import org.mera.data.Task;

class MetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void accuracyAndBinaryF1() {
        assertEquals(0.75, Metrics.accuracy(new int[] {0, 1, 1, 0}, new int[] {0, 1, 0, 0}), EPS);
        // tp = 3, fp = 0, fn = 1: F1 = 2·3 / (2·3 + 0 + 1) = 6/7.
        assertEquals(6.0 / 7, Metrics.f1(new int[] {0, 1, 0, 0, 1, 1}, new int[] {0, 1, 1, 0, 1, 1}), EPS);
        // tp = 1, fp = 2, fn = 1: precision 1/3, recall 1/2, F1 = 0.4.
        assertEquals(0.4, Metrics.f1(new int[] {1, 1, 1, 0}, new int[] {1, 0, 0, 1}), EPS);
        assertEquals(0.0, Metrics.f1(new int[] {0, 0}, new int[] {0, 0}), EPS);
    }

    @Test
    void matthewsBinaryAndMultiClass() {
        // scikit-learn's documented example: y_true [+1,+1,+1,-1], y_pred [+1,-1,+1,+1] -> -0.333...
        assertEquals(-1.0 / 3, Metrics.mcc(new int[] {1, 0, 1, 1}, new int[] {1, 1, 1, 0}), EPS);
        // Binary formula: tp=2 tn=1 fp=1 fn=0 -> (2·1 − 1·0)/√(3·2·1·2) = 2/√12.
        assertEquals(2 / Math.sqrt(12), Metrics.mcc(new int[] {1, 1, 1, 0}, new int[] {1, 1, 0, 0}), EPS);
        // Three classes by Gorodkin's formula: c=5, s=6, t=(2,2,2), p=(2,1,3) -> 18/√(22·24).
        assertEquals(
                0.7833494518006403, Metrics.mcc(new int[] {0, 0, 1, 2, 2, 2}, new int[] {0, 0, 1, 1, 2, 2}), 1e-12);
        assertEquals(1.0, Metrics.mcc(new int[] {0, 1, 2}, new int[] {0, 1, 2}), EPS);
        assertEquals(0.0, Metrics.mcc(new int[] {1, 1, 1}, new int[] {0, 1, 0}), EPS, "constant prediction");
    }

    @Test
    void correlations() {
        // SciPy's pearsonr documentation example.
        double[] x = {1, 2, 3, 4, 5, 6, 7};
        double[] y = {10, 9, 2.5, 6, 4, 3, 2};
        assertEquals(-0.8285038835884277, Metrics.pearson(x, y), 1e-12);
        // SciPy's spearmanr documentation example, with a tie (7 twice).
        assertEquals(
                0.8207826816681233,
                Metrics.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {5, 6, 7, 8, 7}),
                1e-12);
        assertArrayEquals(new double[] {1, 2, 3.5, 5, 3.5}, Metrics.ranks(new double[] {5, 6, 7, 8, 7}), EPS);
        assertEquals(-1.0, Metrics.spearman(new double[] {1, 2, 3}, new double[] {30, 20, 10}), EPS);
        assertEquals(0.0, Metrics.pearson(new double[] {1, 1, 1}, new double[] {1, 2, 3}), EPS);
    }

    @Test
    void glueReportsTheTasksMetricsAndPrimary() {
        int[] pred = {1, 0, 1, 1};
        int[] gold = {1, 1, 1, 0};
        Map<String, Double> mrpc = Metrics.glue(GlueTasks.MRPC, pred, gold);
        assertEquals(List.of("f1", "accuracy", "primary"), List.copyOf(mrpc.keySet()));
        assertEquals(2.0 / 3, mrpc.get("f1"), EPS); // tp=2 fp=1 fn=1
        assertEquals(0.5, mrpc.get("accuracy"), EPS);
        assertEquals(mrpc.get("f1"), mrpc.get(Metrics.PRIMARY));
        Map<String, Double> cola = Metrics.glue(GlueTasks.COLA, pred, gold);
        assertEquals(-1.0 / 3, cola.get(Metrics.PRIMARY), EPS);
        assertEquals(
                Map.of("accuracy", 0.5, "f1", 2.0 / 3, "primary", 2.0 / 3),
                Metrics.glue(GlueTasks.QQP, pred, gold),
                "QQP ranks by F1 (LM-BFF)");
        Map<String, Double> mnli = Metrics.glue(GlueTasks.MNLI, new int[] {0, 2, 1}, new int[] {0, 2, 2});
        assertEquals(2.0 / 3, mnli.get("accuracy"), EPS);
        Map<String, Double> stsb =
                Metrics.glue(GlueTasks.STSB, new double[] {1, 2, 3, 4, 5}, new double[] {5, 6, 7, 8, 7});
        assertEquals(0.8207826816681233, stsb.get("spearman"), 1e-12);
        assertEquals(stsb.get("pearson"), stsb.get(Metrics.PRIMARY));
        Task wn = new Task("WN", true, List.of("no", "yes"), "f1", "lexical");
        assertEquals(
                List.of("f1", "accuracy", "primary"),
                List.copyOf(Metrics.glue(wn, pred, gold).keySet()));
    }

    @Test
    void misuseIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(new int[] {1}, new int[] {1, 0}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(new int[0], new int[0]));
        assertThrows(IllegalArgumentException.class, () -> Metrics.glue(GlueTasks.STSB, new int[] {1}, new int[] {1}));
        assertThrows(
                IllegalArgumentException.class, () -> Metrics.glue(GlueTasks.RTE, new double[] {1}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.glue(GlueTasks.RTE, new int[] {2}, new int[] {1}));
        assertThrows(
                IllegalArgumentException.class, () -> Metrics.glue(GlueTasks.RTE, new int[] {1}, new int[] {1, 0}));
        assertArrayEquals(new int[] {1, 0}, Metrics.argmax(new float[] {0f, 2f, -1f, 3f, 3f, 1f}, 3));
        assertThrows(IllegalArgumentException.class, () -> Metrics.argmax(new float[5], 3));
    }
}
