package org.mera.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Products with a constant whose tensor libtorch allocates and owns. Use these, never DJL's {@code mul(Number)},
 * {@code muli(Number)}, {@code div(Number)} or {@code Activation.swish}, wherever the other operand may require a
 * gradient: DJL wraps the number in a Java direct buffer, gives libtorch a tensor over that memory and closes it at
 * once, but autograd keeps the tensor for the backward (d(x·c)/dx = c). When a garbage collection falls between
 * the forward and the backward, the buffer is freed and the backward reads freed memory: gradient norms of 1e16,
 * Infinity and NaN, or a neighbouring constant's value (docs/hardening.md, GarbageCollectionDuringStepTest). Outside
 * autograd (evaluation, the optimizer) DJL's overloads are safe: the result is computed before the buffer goes.
 */
public final class EngineConstants {
    private EngineConstants() {}

    /** A 0-dimensional tensor of {@code like}'s type and manager holding {@code c}, in libtorch's own memory. */
    public static NDArray scalar(NDArray like, float c) {
        return like.getManager().full(new Shape(), c, like.getDataType());
    }

    /** {@code x · c} as a new array. */
    public static NDArray mul(NDArray x, float c) {
        try (NDArray s = scalar(x, c)) {
            return x.mul(s);
        }
    }

    /** {@code x · c} in place; returns {@code x}. */
    public static NDArray muli(NDArray x, float c) {
        try (NDArray s = scalar(x, c)) {
            return x.muli(s);
        }
    }
}
