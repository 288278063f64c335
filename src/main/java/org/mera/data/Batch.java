package org.mera.data;

/**
 * A padded batch, as flat row-major arrays of shape [batchSize, seqLen]: token ids, token type ids and
 * the attention mask (1 = token, 0 = padding); class indices ({@code labels}) or regression targets;
 * and each row's index in the split it came from, so predictions map back.
 */
public record Batch(int batchSize, int seqLen, long[] inputIds, long[] typeIds, long[] attentionMask,
                    int[] labels, float[] targets, int[] exampleIndices) {
    public int tokens() {
        int n = 0;
        for (long m : attentionMask) {
            n += (int) m;
        }
        return n;
    }
}
