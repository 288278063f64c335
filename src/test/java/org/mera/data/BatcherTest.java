package org.mera.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatcherTest {
    /** Example i has length lengths[i]; its ids are 1000*i + position so rows can be traced. */
    private static List<EncodedExample> examples(int... lengths) {
        List<EncodedExample> xs = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            int id = i;
            int[] ids =
                    IntStream.range(0, lengths[i]).map(p -> 1000 * id + p + 1).toArray();
            int[] types =
                    IntStream.range(0, lengths[i]).map(p -> p >= 2 ? 1 : 0).toArray();
            xs.add(new EncodedExample(ids, types, i % 3, i * 0.5f));
        }
        return xs;
    }

    @Test
    void collatePadsToTheLongestWithMask() {
        List<EncodedExample> xs = examples(3, 5, 2);
        Batch b = new Batcher(8, 7).collate(xs, new int[] {2, 0});
        assertEquals(2, b.size());
        assertEquals(3, b.seqLen());
        assertArrayEquals(new long[] {2001, 2002, 7, 1, 2, 3}, b.inputIds());
        assertArrayEquals(new long[] {0, 0, 0, 0, 0, 1}, b.typeIds());
        assertArrayEquals(new long[] {1, 1, 0, 1, 1, 1}, b.attentionMask());
        assertArrayEquals(new int[] {2, 0}, b.labels());
        assertArrayEquals(new float[] {1.0f, 0.0f}, b.targets());
        assertArrayEquals(new int[] {2, 0}, b.exampleIndices());
    }

    @Test
    void evalBatchesAreSortedAndCoverEveryExampleOnce() {
        List<EncodedExample> xs = examples(4, 9, 1, 7, 7, 3, 12);
        List<Batch> batches = new Batcher(3, 0).evalBatches(xs);
        assertEquals(3, batches.size());
        assertEquals(12, batches.get(0).seqLen());
        assertArrayEquals(new int[] {6, 1, 3}, batches.get(0).exampleIndices());
        assertArrayEquals(new int[] {4, 0, 5}, batches.get(1).exampleIndices());
        assertArrayEquals(new int[] {2}, batches.get(2).exampleIndices());
        for (Batch b : batches) {
            for (int r = 0; r < b.size(); r++) {
                // Row r's first token traces back to the example it came from.
                assertEquals(1000L * b.exampleIndices()[r] + 1, b.inputIds()[r * b.seqLen()]);
            }
        }
    }

    @Test
    void trainBatchesAreBucketedSeededAndComplete() {
        int[] lengths = new Random64().lengths(200);
        List<EncodedExample> xs = examples(lengths);
        Batcher batcher = new Batcher(8, 0, 4);
        List<Batch> a = batcher.trainBatches(xs, 5);
        List<Batch> again = batcher.trainBatches(xs, 5);
        List<Batch> other = batcher.trainBatches(xs, 6);
        assertEquals(25, a.size());
        int[] seen = a.stream()
                .flatMapToInt(b -> Arrays.stream(b.exampleIndices()))
                .sorted()
                .toArray();
        assertArrayEquals(IntStream.range(0, 200).toArray(), seen);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).exampleIndices(), again.get(i).exampleIndices());
        }
        assertNotEquals(
                Arrays.toString(a.get(0).exampleIndices()),
                Arrays.toString(other.get(0).exampleIndices()));
        // Bucketing: much less padding than random batches of the same examples.
        long paddedBucketed =
                a.stream().mapToLong(b -> (long) b.size() * b.seqLen()).sum();
        long paddedRandom = new Batcher(8, 0, 1)
                .trainBatches(xs, 5).stream()
                        .mapToLong(b -> (long) b.size() * b.seqLen())
                        .sum();
        assertTrue(paddedBucketed < paddedRandom, paddedBucketed + " vs " + paddedRandom);
        // Rows of a batch follow their examples' labels.
        for (Batch b : a) {
            for (int r = 0; r < b.size(); r++) {
                assertEquals(b.exampleIndices()[r] % 3, b.labels()[r]);
            }
        }
    }

    @Test
    void badSizesAreErrors() {
        assertThrows(IllegalArgumentException.class, () -> new Batcher(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Batcher(8, 0).collate(examples(2), new int[0]));
    }

    /** Deterministic pseudo-random lengths in [1, 64]. */
    private static final class Random64 {
        int[] lengths(int n) {
            java.util.Random r = new java.util.Random(99);
            return IntStream.range(0, n).map(i -> 1 + r.nextInt(64)).toArray();
        }
    }
}
