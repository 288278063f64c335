package org.mera.merge;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.mera.adapter.bottleneck.AdapterWeights;

/**
 * Task-vector merges as in PEFT's {@code merge_utils.py}, with each adapter's weights as its task vector
 * (base = 0, so the merged weights are the merged task vector). Per tensor:
 * <ul>
 * <li>{@code task-arithmetic}: Σ w_k τ_k;</li>
 * <li>{@code magnitude-prune}: keep the top {@code density} fraction of each τ_k by |value|, then Σ w_k τ_k;</li>
 * <li>{@code ties}: magnitude-prune, elect the sign per entry (sign of Σ_k τ_k for {@code total}, of Σ_k sign(τ_k)
 * for {@code frequency}; ties go to +), then average w_k τ_k over the sources that agree with it;</li>
 * <li>{@code dare-linear} / {@code dare-ties}: drop entries at random (keep with probability density) and
 * rescale by 1/density, then sum / TIES-merge.</li>
 * </ul>
 * Weights default to 1 each and are not normalised (as in PEFT); random masks are seeded per (seed, tensor
 * key, source) so results do not depend on iteration order.
 */
public final class TaskVectorMerge implements MergeMethod {
    public enum Kind {
        TASK_ARITHMETIC,
        MAGNITUDE_PRUNE,
        TIES,
        DARE_LINEAR,
        DARE_TIES
    }

    private final Kind kind;

    public TaskVectorMerge(Kind kind) {
        this.kind = kind;
    }

    public String methodName() {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    @Override
    public AdapterWeights merge(List<AdapterWeights> sources, MergeOptions o) {
        Compatibility.requireMergeable(sources);
        double[] w = o.resolveWeights(sources.size(), false);
        double density = o.density();
        if (kind != Kind.TASK_ARITHMETIC && !(density > 0 && density <= 1)) {
            throw new IllegalArgumentException(methodName() + ": density must be in (0, 1], got " + density);
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("normalize", String.valueOf(o.normalize() != null && o.normalize()));
        if (kind != Kind.TASK_ARITHMETIC) {
            params.put("density", Double.toString(density));
        }
        if (kind == Kind.TIES || kind == Kind.DARE_TIES) {
            params.put("majority_sign_method", o.majoritySignMethod());
        }
        if (kind == Kind.DARE_LINEAR || kind == Kind.DARE_TIES) {
            params.put("seed", Long.toString(o.seed()));
        }
        return ElementwiseMerge.apply(
                sources,
                o,
                methodName(),
                Arrays.stream(w).boxed().toList(),
                params,
                (key, values) -> combine(key, values, w, density, o.majoritySignMethod(), o.seed()));
    }

    float[] combine(String key, float[][] values, double[] w, double density, String signMethod, long seed) {
        float[][] tv = new float[values.length][];
        for (int k = 0; k < values.length; k++) {
            tv[k] = switch (kind) {
                case TASK_ARITHMETIC -> values[k];
                case MAGNITUDE_PRUNE, TIES -> magnitudePrune(values[k], density);
                case DARE_LINEAR, DARE_TIES -> randomPrune(values[k], density, random(seed, key, k));
            };
        }
        if (kind == Kind.TIES || kind == Kind.DARE_TIES) {
            return disjointMerge(tv, w, signMethod);
        }
        return ElementwiseMerge.weightedSum(tv, w);
    }

    /** Keeps the int(density · n) entries of largest magnitude (earlier index first among equals). */
    public static float[] magnitudePrune(float[] v, double density) {
        if (density >= 1) {
            return v.clone();
        }
        int k = (int) (density * v.length);
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(Math.abs(v[b]), Math.abs(v[a])));
        float[] out = new float[v.length];
        for (int i = 0; i < k; i++) {
            out[order[i]] = v[order[i]];
        }
        return out;
    }

    /** Keeps each entry with probability density and divides the kept ones by density (DARE). */
    public static float[] randomPrune(float[] v, double density, SplittableRandom rng) {
        if (density >= 1) {
            return v.clone();
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            if (rng.nextDouble() < density) {
                out[i] = (float) (v[i] / density);
            }
        }
        return out;
    }

    /** TIES: elect a sign per entry from the (unweighted) pruned vectors, then average the weighted agreeing ones. */
    public static float[] disjointMerge(float[][] tv, double[] w, String signMethod) {
        int len = tv[0].length;
        float[] out = new float[len];
        for (int i = 0; i < len; i++) {
            double s = 0;
            for (float[] t : tv) {
                s += signMethod.equals("total") ? t[i] : Math.signum(t[i]);
            }
            double majority = s >= 0 ? 1 : -1;
            double sum = 0;
            int count = 0;
            for (int k = 0; k < tv.length; k++) {
                if (Math.signum(tv[k][i]) == majority) {
                    sum += w[k] * tv[k][i];
                    count++;
                }
            }
            out[i] = (float) (sum / Math.max(count, 1));
        }
        return out;
    }

    static SplittableRandom random(long seed, String key, int source) {
        long h = seed * 0x9E3779B97F4A7C15L + key.hashCode() * 0xBF58476D1CE4E5B9L + source * 0x94D049BB133111EBL;
        return new SplittableRandom(h);
    }
}
