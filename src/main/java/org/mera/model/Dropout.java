package org.mera.model;

import ai.djl.ndarray.NDArray;

/** Inverted dropout, active only while training. */
public final class Dropout {
    private Dropout() {
    }

    public static NDArray apply(NDArray x, float rate, boolean training) {
        if (!training || rate <= 0f) {
            return x;
        }
        return ai.djl.nn.norm.Dropout.dropout(x, rate, true).singletonOrThrow();
    }
}
