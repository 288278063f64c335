package org.mera.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A named model parameter: an engine array that lives as long as the model, and whether training updates it.
 * Parameters are created once from {@link org.mera.io.Tensor}s and never inside a step's scope. A parameter
 * may start as a pretrained model's {@link SharedWeights shared} array: it reads that array while frozen and
 * takes its own copy, in its model's manager, the moment it is made trainable, so training never writes to
 * what other encoders read. Modules therefore read {@link #array()} at each use and never keep it.
 */
public final class Param {
    private final String name;
    private final NDManager owner;
    private NDArray array;
    private boolean shared;
    private boolean trainable;

    public Param(String name, NDArray array) {
        this(name, array, array == null ? null : array.getManager(), false);
    }

    Param(String name, NDArray array, NDManager owner, boolean shared) {
        this.name = name;
        this.array = array;
        this.owner = owner;
        this.shared = shared;
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

    /** Whether the array is a pretrained model's shared one (frozen since it was built). */
    public boolean shared() {
        return shared;
    }

    /** Marks the parameter trainable (or frozen); trainable arrays record gradients inside a GradientCollector. */
    public void setTrainable(boolean trainable) {
        if (trainable && shared) {
            NDArray own = array.duplicate();
            own.attach(owner);
            own.setName(name);
            array = own;
            shared = false;
        }
        this.trainable = trainable;
        if (!shared) {
            array.setRequiresGradient(trainable); // a shared array never records gradients
        }
    }
}
