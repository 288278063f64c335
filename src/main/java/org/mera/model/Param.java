package org.mera.model;

import ai.djl.ndarray.NDArray;

/**
 * A named model parameter: an engine array that lives as long as the model, and whether training updates it.
 * Parameters are created once from {@link org.mera.io.Tensor}s and never inside a step's scope.
 */
public final class Param {
    private final String name;
    private final NDArray array;
    private boolean trainable;

    public Param(String name, NDArray array) {
        this.name = name;
        this.array = array;
    }

    public String name() {
        return name;
    }

    public NDArray array() {
        return array;
    }

    public boolean trainable() {
        return trainable;
    }

    /** Marks the parameter trainable (or frozen); trainable arrays record gradients inside a GradientCollector. */
    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
        array.setRequiresGradient(trainable);
    }
}
