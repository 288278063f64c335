package org.mera.merge;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Options shared by the merge methods; each method reads the ones it needs.
 *
 * @param outputName         name of the merged adapter (keys follow it)
 * @param weights            one weight per source, or null for equal weights
 * @param normalize          divide weights by their sum; null = the method's default (true for average, ot and
 *                           the LoRA methods; false for sum, task-arithmetic, ties, dare)
 * @param anchor             ot: a source adapter's name, or {@code iterative}; null = the first source
 * @param metric             ot ground metric
 * @param activations        ot: activations for the ground metric, or null to compare weights
 * @param transport          ot: exact (Hungarian) or Sinkhorn
 * @param sinkhornReg        Sinkhorn regulariser relative to the cost scale (ε = reg · max cost)
 * @param maxIterations      ot iterative anchor: bound on re-alignment rounds
 * @param density            ties/dare: fraction of entries kept
 * @param majoritySignMethod ties: {@code total} or {@code frequency}
 * @param seed               dare: seed of the random masks
 * @param svdRank            LoRA svd: target rank, or 0 for the largest source rank
 */
public record MergeOptions(
        String outputName,
        List<Double> weights,
        Boolean normalize,
        String anchor,
        GroundMetric metric,
        BottleneckActivations activations,
        Transport transport,
        double sinkhornReg,
        int maxIterations,
        double density,
        String majoritySignMethod,
        long seed,
        int svdRank) {

    public static final String ITERATIVE = "iterative";

    /** Effective (after normalising) per-source weights are refused beyond ± this; task arithmetic uses ≤ ~2. */
    public static final double MAX_EFFECTIVE_WEIGHT = 1000;

    public enum Transport {
        EXACT,
        SINKHORN
    }

    public MergeOptions {
        weights = weights == null ? null : List.copyOf(weights);
        if (!(sinkhornReg > 0) || Double.isInfinite(sinkhornReg)) {
            throw new IllegalArgumentException("sinkhorn regulariser must be positive, got " + sinkhornReg);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("max iterations must be at least 1, got " + maxIterations);
        }
        if (!majoritySignMethod.equals("total") && !majoritySignMethod.equals("frequency")) {
            throw new IllegalArgumentException(
                    "majority_sign_method must be total or frequency, got '" + majoritySignMethod + "'");
        }
        if (svdRank < 0) {
            throw new IllegalArgumentException("svd rank must be ≥ 0, got " + svdRank);
        }
    }

    public static MergeOptions defaults() {
        return new MergeOptions(
                "merged",
                null,
                null,
                null,
                GroundMetric.SQUARED_EUCLIDEAN,
                null,
                Transport.EXACT,
                1e-2,
                20,
                1.0,
                "total",
                0L,
                0);
    }

    public MergeOptions withOutputName(String v) {
        return new MergeOptions(
                v,
                weights,
                normalize,
                anchor,
                metric,
                activations,
                transport,
                sinkhornReg,
                maxIterations,
                density,
                majoritySignMethod,
                seed,
                svdRank);
    }

    public MergeOptions withWeights(List<Double> v) {
        return new MergeOptions(
                outputName,
                v,
                normalize,
                anchor,
                metric,
                activations,
                transport,
                sinkhornReg,
                maxIterations,
                density,
                majoritySignMethod,
                seed,
                svdRank);
    }

    public MergeOptions withNormalize(Boolean v) {
        return new MergeOptions(
                outputName,
                weights,
                v,
                anchor,
                metric,
                activations,
                transport,
                sinkhornReg,
                maxIterations,
                density,
                majoritySignMethod,
                seed,
                svdRank);
    }

    public MergeOptions withAnchor(String v) {
        return new MergeOptions(
                outputName,
                weights,
                normalize,
                v,
                metric,
                activations,
                transport,
                sinkhornReg,
                maxIterations,
                density,
                majoritySignMethod,
                seed,
                svdRank);
    }

    public MergeOptions withMetric(GroundMetric v) {
        return new MergeOptions(
                outputName,
                weights,
                normalize,
                anchor,
                v,
                activations,
                transport,
                sinkhornReg,
                maxIterations,
                density,
                majoritySignMethod,
                seed,
                svdRank);
    }

    public MergeOptions withActivations(BottleneckActivations v) {
        return new MergeOptions(
                outputName,
                weights,
                normalize,
                anchor,
                metric,
                v,
                transport,
                sinkhornReg,
                maxIterations,
                density,
                majoritySignMethod,
                seed,
                svdRank);
    }

    /** Sinkhorn transport with regulariser {@code reg}. */
    public MergeOptions withSinkhorn(double reg) {
        return new MergeOptions(
                outputName,
                weights,
                normalize,
                anchor,
                metric,
                activations,
                Transport.SINKHORN,
                reg,
                maxIterations,
                density,
                majoritySignMethod,
                seed,
                svdRank);
    }

    public MergeOptions withMaxIterations(int v) {
        return new MergeOptions(
                outputName,
                weights,
                normalize,
                anchor,
                metric,
                activations,
                transport,
                sinkhornReg,
                v,
                density,
                majoritySignMethod,
                seed,
                svdRank);
    }

    public MergeOptions withDensity(double v) {
        return new MergeOptions(
                outputName,
                weights,
                normalize,
                anchor,
                metric,
                activations,
                transport,
                sinkhornReg,
                maxIterations,
                v,
                majoritySignMethod,
                seed,
                svdRank);
    }

    public MergeOptions withMajoritySignMethod(String v) {
        return new MergeOptions(
                outputName,
                weights,
                normalize,
                anchor,
                metric,
                activations,
                transport,
                sinkhornReg,
                maxIterations,
                density,
                v,
                seed,
                svdRank);
    }

    public MergeOptions withSeed(long v) {
        return new MergeOptions(
                outputName,
                weights,
                normalize,
                anchor,
                metric,
                activations,
                transport,
                sinkhornReg,
                maxIterations,
                density,
                majoritySignMethod,
                v,
                svdRank);
    }

    public MergeOptions withSvdRank(int v) {
        return new MergeOptions(
                outputName,
                weights,
                normalize,
                anchor,
                metric,
                activations,
                transport,
                sinkhornReg,
                maxIterations,
                density,
                majoritySignMethod,
                seed,
                v);
    }

    /**
     * The per-source weights: the given ones (or 1 each), divided by their sum when normalising.
     */
    public double[] resolveWeights(int n, boolean normalizeByDefault) {
        double[] w = new double[n];
        if (weights == null) {
            java.util.Arrays.fill(w, 1.0);
        } else {
            if (weights.size() != n) {
                throw new IllegalArgumentException("got " + weights.size() + " weights for " + n + " source adapters");
            }
            for (int i = 0; i < n; i++) {
                w[i] = weights.get(i);
                if (!Double.isFinite(w[i])) {
                    throw new IllegalArgumentException("weight " + (i + 1) + " is not a finite number: " + w[i]);
                }
            }
        }
        boolean norm = normalize == null ? normalizeByDefault : normalize;
        if (norm) {
            double s = 0;
            for (double v : w) {
                s += v;
            }
            if (s == 0) {
                throw new IllegalArgumentException(
                        "cannot normalise weights that sum to 0: " + java.util.Arrays.toString(w));
            }
            for (int i = 0; i < n; i++) {
                w[i] /= s;
            }
        }
        for (int i = 0; i < n; i++) {
            if (Math.abs(w[i]) > MAX_EFFECTIVE_WEIGHT) {
                throw new IllegalArgumentException("weight " + (i + 1) + " scales its adapter by " + w[i]
                        + (norm
                                ? " after normalisation (the weights " + weights + " nearly cancel)"
                                : " (weights are not normalised)")
                        + "; effective weights beyond ±" + (int) MAX_EFFECTIVE_WEIGHT + " only blow the adapter up: "
                        + (norm ? "choose weights whose sum is not near 0" : "use smaller weights or normalise them"));
            }
        }
        return w;
    }

    /** Readable parameters for the merge provenance. */
    Map<String, String> describe(String... names) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("anchor", anchor == null ? "first" : anchor);
        all.put("metric", metric.name().toLowerCase(java.util.Locale.ROOT));
        all.put("ground", activations == null ? "weights" : "activations");
        all.put("transport", transport.name().toLowerCase(java.util.Locale.ROOT));
        all.put("sinkhorn_reg", Double.toString(sinkhornReg));
        all.put("max_iterations", Integer.toString(maxIterations));
        all.put("density", Double.toString(density));
        all.put("majority_sign_method", majoritySignMethod);
        all.put("seed", Long.toString(seed));
        all.put("svd_rank", Integer.toString(svdRank));
        all.put("normalize", normalize == null ? null : normalize.toString());
        Map<String, String> out = new LinkedHashMap<>();
        for (String n : names) {
            out.put(n, all.get(n));
        }
        return out;
    }
}
