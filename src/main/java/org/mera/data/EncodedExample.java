package org.mera.data;

import java.util.Arrays;

/**
 * One tokenised example, unpadded: token ids and token type (segment) ids of equal length, the class
 * index (-1 for regression or unlabelled examples) and the regression target (NaN for classification or
 * unlabelled examples).
 */
public record EncodedExample(int[] inputIds, int[] typeIds, int labelIndex, float target) {
    public EncodedExample {
        if (inputIds.length != typeIds.length) {
            throw new IllegalArgumentException(
                    "input ids (" + inputIds.length + ") and type ids (" + typeIds.length + ") differ in length");
        }
    }

    public int length() {
        return inputIds.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedExample e
                && labelIndex == e.labelIndex
                && Float.compare(target, e.target) == 0
                && Arrays.equals(inputIds, e.inputIds)
                && Arrays.equals(typeIds, e.typeIds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(inputIds) + Arrays.hashCode(typeIds))
                + 31 * labelIndex
                + Float.hashCode(target);
    }

    @Override
    public String toString() {
        return "EncodedExample[ids=" + Arrays.toString(inputIds) + ", types=" + Arrays.toString(typeIds) + ", label="
                + labelIndex + ", target=" + target + "]";
    }
}
