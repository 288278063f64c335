package org.mera.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.List;
import org.mera.data.Batch;

/** Runs a model over batches without gradient tracking and returns predictions in example order. */
public final class Evaluator {
    private Evaluator() {}

    public static Predictions predict(TaskModel model, List<Batch> batches) {
        return predict(model, batches, null);
    }

    /** As {@link #predict(TaskModel, List)}, advancing {@code progress} (if not null) by each batch's size. */
    public static Predictions predict(TaskModel model, List<Batch> batches, ProgressBar progress) {
        int n = 0;
        for (Batch b : batches) {
            for (int idx : b.exampleIndices()) {
                n = Math.max(n, idx + 1);
            }
        }
        boolean regression = model.head().isRegression();
        int[] classes = regression ? null : new int[n];
        float[][] probs = regression ? null : new float[n][];
        float[] values = regression ? new float[n] : null;
        for (Batch b : batches) {
            try (NDScope scope = new NDScope()) {
                NDArray out = model.forward(b, false);
                if (regression) {
                    float[] v = out.reshape(-1).toFloatArray();
                    for (int i = 0; i < v.length; i++) {
                        values[b.exampleIndices()[i]] = v[i];
                    }
                } else {
                    int c = (int) out.getShape().get(1);
                    float[] p = out.softmax(-1).toFloatArray();
                    for (int i = 0; i < b.size(); i++) {
                        float[] row = java.util.Arrays.copyOfRange(p, i * c, (i + 1) * c);
                        int arg = 0;
                        for (int j = 1; j < c; j++) {
                            if (row[j] > row[arg]) {
                                arg = j;
                            }
                        }
                        classes[b.exampleIndices()[i]] = arg;
                        probs[b.exampleIndices()[i]] = row;
                    }
                }
            }
            if (progress != null) {
                progress.step(b.size(), "");
            }
        }
        return regression ? Predictions.regression(values) : Predictions.classification(classes, probs);
    }
}
