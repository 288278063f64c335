package org.mera.data;

import java.util.List;

/**
 * What a task is: its name, whether it takes sentence pairs, its label set (empty for regression), the
 * metric that ranks models on it (e.g. "accuracy", "f1", "mcc", "pearson"), and the track (family of
 * tasks) it belongs to. GLUE tasks and the built-in WordNet tasks are both described this way.
 */
public record Task(String name, boolean pair, List<String> labels, String metric, String track) {
    public Task {
        labels = List.copyOf(labels);
    }

    public boolean isRegression() {
        return labels.isEmpty();
    }

    public int numLabels() {
        return isRegression() ? 1 : labels.size();
    }

    /** The class index of a label as spelled in the data; clear error for an unknown one. */
    public int labelIndex(String label) {
        int i = labels.indexOf(label);
        if (i < 0) {
            throw new IllegalArgumentException(
                    "task " + name + ": unknown label '" + label + "' (known: " + labels + ")");
        }
        return i;
    }
}
