package org.mera.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.mera.adapter.AdapterLocation;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.adapter.bottleneck.BottleneckUnit;
import org.mera.io.Tensor;
import org.mera.model.ModelFamily;

/**
 * Synthetic adapters with AdapterHub's "bert" init statistics (N(0, std) weights) for tests and benchmarks,
 * and the neuron permutations that leave an adapter's function unchanged.
 */
public final class RandomAdapters {
    private RandomAdapters() {}

    /** A random adapter; biases are N(0, std) too (trained adapters have non-zero biases). */
    public static AdapterWeights create(
            String name,
            BottleneckConfig config,
            EncoderInfo encoder,
            int layers,
            int bottleneck,
            double std,
            long seed) {
        Random rng = new Random(seed);
        int h = encoder.hiddenSize();
        List<BottleneckUnit> units = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            for (AdapterLocation loc : AdapterLocation.values()) {
                if ((loc == AdapterLocation.ATTENTION && !config.mhAdapter())
                        || (loc == AdapterLocation.OUTPUT && !config.outputAdapter())) {
                    continue;
                }
                units.add(new BottleneckUnit(
                        layer,
                        loc,
                        gaussian(rng, std, bottleneck, h),
                        gaussian(rng, std, bottleneck),
                        gaussian(rng, std, h, bottleneck),
                        gaussian(rng, std, h)));
            }
        }
        return AdapterWeights.of(name, config, encoder, "0.2.2", prefixFor(encoder), units, null);
    }

    /** The key prefix AdapterHub's model classes use: {@code bert.}, {@code roberta.} (also XLM-R's), {@code distilbert.}. */
    public static String prefixFor(EncoderInfo encoder) {
        ModelFamily family = encoder.modelType() == null ? null : ModelFamily.forModelType(encoder.modelType());
        return family == null ? "bert." : family.keyPrefix();
    }

    public static Tensor gaussian(Random rng, double std, int... shape) {
        return Tensor.normal(rng, (float) std, shape);
    }

    /** A uniformly random permutation of 0..n-1. */
    public static int[] randomPermutation(int n, Random rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * The adapter with each unit's bottleneck neurons permuted independently (new neuron k = old neuron
     * perm[k]); the function is unchanged. Returns the permutations used per unit, in unit order, via {@code perms}.
     */
    public static AdapterWeights permuteNeurons(AdapterWeights a, String newName, long seed, List<int[]> perms) {
        Random rng = new Random(seed);
        List<BottleneckUnit> units = new ArrayList<>();
        for (BottleneckUnit u : a.units()) {
            int[] p = randomPermutation(u.bottleneckSize(), rng);
            if (perms != null) {
                perms.add(p);
            }
            units.add(permute(u, p));
        }
        return AdapterWeights.of(newName, a.config(), a.encoder(), a.version(), a.keyPrefix(), units, null);
    }

    /** Neuron k of the result is neuron perm[k] of {@code u}. */
    public static BottleneckUnit permute(BottleneckUnit u, int[] perm) {
        int b = u.bottleneckSize();
        int h = u.hiddenSize();
        Tensor dw = Tensor.zeros(b, h);
        Tensor db = Tensor.zeros(b);
        Tensor uw = Tensor.zeros(h, b);
        for (int k = 0; k < b; k++) {
            System.arraycopy(u.downWeight().data(), perm[k] * h, dw.data(), k * h, h);
            db.data()[k] = u.downBias().data()[perm[k]];
            for (int i = 0; i < h; i++) {
                uw.data()[i * b + k] = u.upWeight().data()[i * b + perm[k]];
            }
        }
        return new BottleneckUnit(
                u.layer(), u.location(), dw, db, uw, u.upBias().copy());
    }
}
