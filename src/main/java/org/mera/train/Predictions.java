package org.mera.train;

/**
 * A model's outputs on a split, in the split's example order: class indices and probabilities for
 * classification, or predicted values for regression.
 */
public record Predictions(int[] classes, float[][] probabilities, float[] values) {
    public static Predictions classification(int[] classes, float[][] probabilities) {
        return new Predictions(classes, probabilities, null);
    }

    public static Predictions regression(float[] values) {
        return new Predictions(null, null, values);
    }

    public boolean isRegression() {
        return values != null;
    }

    public int size() {
        return isRegression() ? values.length : classes.length;
    }
}
