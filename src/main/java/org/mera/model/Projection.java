package org.mera.model;

import ai.djl.ndarray.NDArray;

/**
 * A linear map inside the encoder (query, key, value...). An insertion point: LoRA wraps one projection
 * with another, leaving the frozen weights untouched.
 */
@FunctionalInterface
public interface Projection {
    NDArray forward(NDArray x, boolean training);
}
