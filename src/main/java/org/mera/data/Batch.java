package org.mera.data;

/**
 * A padded batch, row-major [size, seqLen] in the flat arrays. {@code attentionMask} is 1 on real tokens
 * and 0 on padding; padding uses the tokenizer's pad id and type id 0. {@code labels} holds class indices
 * (-1 where none), {@code targets} regression targets (NaN where none), and {@code exampleIndices} the
 * position of each row in the list the batch was made from, so predictions map back to examples.
 */
public record Batch(
        int size,
        int seqLen,
        long[] inputIds,
        long[] typeIds,
        long[] attentionMask,
        int[] labels,
        float[] targets,
        int[] exampleIndices) {
    public Batch {
        int cells = size * seqLen;
        if (inputIds.length != cells || typeIds.length != cells || attentionMask.length != cells) {
            throw new IllegalArgumentException("batch arrays must hold " + size + " x " + seqLen + " values");
        }
        if (labels.length != size || targets.length != size || exampleIndices.length != size) {
            throw new IllegalArgumentException("batch needs one label, target and index per row (" + size + ")");
        }
    }
}
