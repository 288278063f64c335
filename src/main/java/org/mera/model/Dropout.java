package org.mera.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Inverted dropout, active only while training: {@code x · mask} with mask entries 0 (probability
 * {@code rate}) or {@code 1 / (1 - rate)}, so autograd's backward is the same product.
 *
 * <p>Why masks are drawn in Java and not by the engine: libtorch's CPU {@code bernoulli_} draws one
 * element at a time from a single generator; the profiler showed it taking a third or more of a minilm
 * adapter-tuning step (193 ms per 32 × 12 × 128 × 128 attention-probability tensor). Filling the mask here
 * with SplitMix64 counters, in parallel chunks, takes ~40 ms for the same tensor (docs/performance.md).
 * Each chunk's bits depend only on the seed, the call's index since {@link #seed} and the chunk's index, so
 * a seeded run draws the same masks on any number of threads. Like the engine's own generator, the stream
 * is process-wide: two runs training at once in one process would interleave their draws.
 */
public final class Dropout {
    private static final int CHUNK = 1 << 16;
    private static volatile long baseSeed = 0x5DEECE66DL;
    private static final AtomicLong calls = new AtomicLong();
    private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();

    private Dropout() {}

    /** Restarts the mask stream: the same seed and the same sequence of calls give the same masks. */
    public static void seed(long seed) {
        baseSeed = seed;
        calls.set(0);
    }

    /** Where the mask stream stands, {seed, calls}: with {@link #restore} a resumed training run draws the masks it would have. */
    public static long[] state() {
        return new long[] {baseSeed, calls.get()};
    }

    /** Puts the mask stream back where {@link #state} found it. */
    public static void restore(long[] state) {
        baseSeed = state[0];
        calls.set(state[1]);
    }

    public static NDArray apply(NDArray x, float rate, boolean training) {
        if (!training || rate <= 0f) {
            return x;
        }
        if (rate >= 1f) {
            return x.zerosLike();
        }
        // where(keep, x, 0) · 1/(1 − rate): the same values as multiplying by a float mask of 0 and
        // 1/(1 − rate), but what autograd saves for the backward is the boolean mask, one byte per element
        // instead of four (a quarter of the attention-probability memory of a training step), and no
        // operand is cast (a float × bool product would convert the mask to float forward and backward).
        // The handles can go at once; autograd keeps its own references.
        try (NDArray keep = keepMask(x, rate);
                NDArray zero = EngineConstants.scalar(x, 0f)) {
            return EngineConstants.muli(ai.djl.ndarray.NDArrays.where(keep, x, zero), 1f / (1f - rate));
        }
    }

    private static NDArray keepMask(NDArray like, float rate) {
        long n = like.size();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dropout on " + like.getShape() + ": more than 2^31 elements");
        }
        int size = (int) n;
        long callSeed = mix(baseSeed ^ mix(calls.getAndIncrement() + 0x9E3779B97F4A7C15L));
        // An element is dropped when a uniform 32-bit draw falls below rate · 2^32.
        long threshold = (long) (rate * 4294967296.0);
        ByteBuffer out = scratch(size);
        int chunks = (size + CHUNK - 1) / CHUNK;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            long state = mix(callSeed + c * 0xBF58476D1CE4E5B9L);
            int from = c * CHUNK;
            int to = Math.min(size, from + CHUNK);
            for (int i = from; i < to; i += 2) {
                state += 0x9E3779B97F4A7C15L;
                long bits = mix(state);
                out.put(i, (bits >>> 32) < threshold ? (byte) 0 : (byte) 1);
                if (i + 1 < to) {
                    out.put(i + 1, (bits & 0xFFFFFFFFL) < threshold ? (byte) 0 : (byte) 1);
                }
            }
        });
        // The engine array made from a direct buffer aliases it; a clone owns its memory, so the scratch
        // buffer can be refilled by the next call and no per-call direct buffer waits for a GC.
        try (NDArray aliased = like.getManager().create(out, like.getShape(), DataType.BOOLEAN)) {
            return aliased.duplicate();
        }
    }

    /** This thread's reusable mask buffer, grown to the largest mask seen (bounded by the step's own activations). */
    private static ByteBuffer scratch(int bytes) {
        ByteBuffer buffer = SCRATCH.get();
        if (buffer == null || buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            SCRATCH.set(buffer);
        }
        return buffer.slice(0, bytes).order(ByteOrder.nativeOrder());
    }

    /** SplitMix64's finaliser: a bijective mix of 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
