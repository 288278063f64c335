package org.mera.perf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mera.data.Batch;
import org.mera.data.Batcher;
import org.mera.data.EncodedExample;

/** The fixed-length side of the padding benchmark holds the same rows as the batch it pads, and only padding more. */
class PaddingBenchmarkTest {
    @Test
    void paddingToAFixedLengthKeepsEveryRowAndAddsOnlyPadding() {
        List<EncodedExample> xs = List.of(
                new EncodedExample(new int[] {101, 7, 8, 102}, new int[] {0, 0, 0, 0}, 1, Float.NaN),
                new EncodedExample(new int[] {101, 9, 102, 5, 102}, new int[] {0, 0, 0, 1, 1}, 0, Float.NaN));
        Batch b = new Batcher(2, 3).collate(xs, new int[] {0, 1});
        assertEquals(5, b.seqLen(), "padded to the longest row");
        Batch fixed = PaddingBenchmark.padTo(b, 8, 3);
        assertEquals(8, fixed.seqLen());
        assertArrayEquals(new long[] {101, 7, 8, 102, 3, 3, 3, 3, 101, 9, 102, 5, 102, 3, 3, 3}, fixed.inputIds());
        assertArrayEquals(new long[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0}, fixed.typeIds());
        assertArrayEquals(new long[] {1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0}, fixed.attentionMask());
        assertArrayEquals(b.labels(), fixed.labels());
        assertArrayEquals(b.exampleIndices(), fixed.exampleIndices());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PaddingBenchmark.padTo(b, 4, 3));
        assertTrue(e.getMessage().contains("length 5 to 4"), e.getMessage());
    }
}
