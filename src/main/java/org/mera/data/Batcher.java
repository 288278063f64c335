package org.mera.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Groups encoded examples into padded {@link Batch}es, each padded only to its own longest example.
 *
 * <p>Training: the example order is shuffled with the seed, cut into chunks of {@code bucketBatches}
 * batches, each chunk sorted by length (so a batch holds examples of similar length and little padding)
 * and cut into batches, and finally the batch order is shuffled. Pass a different seed per epoch (e.g.
 * seed + epoch) for different batches. {@code bucketBatches = 1} gives plain random batches.
 *
 * <p>Evaluation: examples sorted by length, longest first (an out-of-memory shows on the first batch), in
 * stable order; every row keeps its index into the input list.
 */
public final class Batcher {
    /** Chunk size, in batches, for length bucketing during training. */
    public static final int DEFAULT_BUCKET_BATCHES = 4;

    private final int batchSize;
    private final int padId;
    private final int bucketBatches;

    public Batcher(int batchSize, int padId) {
        this(batchSize, padId, DEFAULT_BUCKET_BATCHES);
    }

    public Batcher(int batchSize, int padId, int bucketBatches) {
        if (batchSize <= 0 || bucketBatches <= 0) {
            throw new IllegalArgumentException(
                    "batch size and bucket batches must be positive, got " + batchSize + " and " + bucketBatches);
        }
        this.batchSize = batchSize;
        this.padId = padId;
        this.bucketBatches = bucketBatches;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Length-bucketed, shuffled training batches; the last may be smaller. */
    public List<Batch> trainBatches(List<EncodedExample> xs, long seed) {
        Random rng = new Random(seed);
        List<Integer> order = new ArrayList<>(xs.size());
        for (int i = 0; i < xs.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, rng);
        int chunk = batchSize * bucketBatches;
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < order.size(); start += chunk) {
            List<Integer> part = new ArrayList<>(order.subList(start, Math.min(order.size(), start + chunk)));
            part.sort(Comparator.comparingInt(i -> xs.get(i).length()));
            batches.addAll(cut(part));
        }
        Collections.shuffle(batches, rng);
        return batches.stream().map(ix -> collate(xs, ix)).toList();
    }

    /** Batches sorted by length, longest first; the rows of all batches together cover every example once. */
    public List<Batch> evalBatches(List<EncodedExample> xs) {
        List<Integer> order = new ArrayList<>(xs.size());
        for (int i = 0; i < xs.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> xs.get(i).length()).reversed());
        return cut(order).stream().map(ix -> collate(xs, ix)).toList();
    }

    /** Pads the examples at {@code indices} (positions in {@code xs}) to the longest of them. */
    public Batch collate(List<EncodedExample> xs, int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("cannot make an empty batch");
        }
        int seqLen = 0;
        for (int i : indices) {
            seqLen = Math.max(seqLen, xs.get(i).length());
        }
        int n = indices.length;
        long[] ids = new long[n * seqLen];
        long[] types = new long[n * seqLen];
        long[] mask = new long[n * seqLen];
        int[] labels = new int[n];
        float[] targets = new float[n];
        Arrays.fill(ids, padId);
        for (int r = 0; r < n; r++) {
            EncodedExample x = xs.get(indices[r]);
            int base = r * seqLen;
            for (int t = 0; t < x.length(); t++) {
                ids[base + t] = x.inputIds()[t];
                types[base + t] = x.typeIds()[t];
                mask[base + t] = 1;
            }
            labels[r] = x.labelIndex();
            targets[r] = x.target();
        }
        return new Batch(n, seqLen, ids, types, mask, labels, targets, indices.clone());
    }

    private List<int[]> cut(List<Integer> order) {
        List<int[]> out = new ArrayList<>();
        for (int start = 0; start < order.size(); start += batchSize) {
            out.add(order.subList(start, Math.min(order.size(), start + batchSize)).stream()
                    .mapToInt(Integer::intValue)
                    .toArray());
        }
        return out;
    }
}
