package org.mera.merge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.mera.adapter.MergeProvenance;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckUnit;
import org.mera.io.Tensor;

/**
 * MerA's optimal-transport merge (Singh &amp; Jaggi's OT fusion, specialised to adapters). For every (layer,
 * location) independently: align each source's bottleneck neurons to an anchor's by optimal transport, then
 * take the weighted average. A neuron is a row of adapter_down with its bias together with the matching
 * column of adapter_up; adapter_up's rows (the residual stream) are never permuted and the transport map
 * does not carry across layers, since every adapter module reads and writes the shared residual stream.
 *
 * <p>The ground metric compares neuron features: by default [down row, down bias, up column] (both sides
 * of the neuron, since only the bottleneck is permutable), or activation columns supplied by
 * {@link BottleneckActivations}.
 */
public final class OtMerge implements MergeMethod {

    public record Result(AdapterWeights merged, AlignmentReport report) {}

    @Override
    public AdapterWeights merge(List<AdapterWeights> sources, MergeOptions options) {
        return mergeWithReport(sources, options).merged();
    }

    public Result mergeWithReport(List<AdapterWeights> sources, MergeOptions o) {
        Compatibility.requireMergeable(sources);
        int n = sources.size();
        double[] w = o.resolveWeights(n, true);
        double[] anchorWeights = o.resolveWeights(n, true);
        if (o.normalize() != null && !o.normalize()) {
            anchorWeights = o.withNormalize(true).resolveWeights(n, true);
        }
        int anchor = anchorIndex(sources, o.anchor());
        String anchorName =
                anchor < 0 ? MergeOptions.ITERATIVE : sources.get(anchor).name();

        List<BottleneckUnit> mergedUnits = new ArrayList<>();
        List<AlignmentReport.Entry> entries = new ArrayList<>();
        int maxIterationsUsed = 1;
        int positions = sources.get(0).units().size();
        for (int p = 0; p < positions; p++) {
            BottleneckUnit ref = sources.get(0).units().get(p);
            List<BottleneckUnit> units = new ArrayList<>(n);
            double[][][] features = new double[n][][];
            for (int k = 0; k < n; k++) {
                units.add(sources.get(k).units().get(p));
                features[k] = features(k, sources.get(k), units.get(k), o);
            }
            double[][][] mixing = new double[n][][];
            double[][] anchorFeatures;
            if (anchor >= 0) {
                anchorFeatures = features[anchor];
                for (int k = 0; k < n; k++) {
                    mixing[k] = k == anchor ? identity(ref.bottleneckSize()) : align(features[k], anchorFeatures, o);
                }
            } else {
                // Iterative barycenter: align all to the running weighted average, until assignments settle.
                anchorFeatures = features[0];
                int[][] previous = null;
                int iteration = 0;
                while (true) {
                    iteration++;
                    int[][] assignments = new int[n][];
                    for (int k = 0; k < n; k++) {
                        mixing[k] = align(features[k], anchorFeatures, o);
                        assignments[k] = argmaxRows(mixing[k]);
                    }
                    anchorFeatures = weightedAlignedSum(features, mixing, anchorWeights);
                    if (Arrays.deepEquals(assignments, previous) || iteration >= o.maxIterations()) {
                        break;
                    }
                    previous = assignments;
                }
                maxIterationsUsed = Math.max(maxIterationsUsed, iteration);
            }
            for (int k = 0; k < n; k++) {
                if (k == anchor) {
                    continue;
                }
                entries.add(new AlignmentReport.Entry(
                        ref.layer(),
                        ref.location(),
                        sources.get(k).name(),
                        distance(features[k], anchorFeatures),
                        distance(multiply(mixing[k], features[k]), anchorFeatures)));
            }
            mergedUnits.add(combine(units, mixing, w));
        }
        AdapterWeights first = sources.get(0);
        Map<String, String> params =
                o.describe("metric", "ground", "transport", "sinkhorn_reg", "max_iterations", "normalize");
        params = new java.util.LinkedHashMap<>(params);
        params.put("anchor", anchorName);
        if (o.transport() == MergeOptions.Transport.EXACT) {
            params.remove("sinkhorn_reg");
        }
        if (anchor >= 0) {
            params.remove("max_iterations");
        }
        MergeProvenance prov = new MergeProvenance(
                "ot",
                sources.stream().map(AdapterWeights::name).toList(),
                Arrays.stream(w).boxed().toList(),
                params);
        AdapterWeights merged = AdapterWeights.of(
                o.outputName(), first.config(), first.encoder(), first.version(), first.keyPrefix(), mergedUnits, prov);
        AlignmentReport report = new AlignmentReport(
                anchorName, o.activations() == null ? "weights" : "activations", maxIterationsUsed, entries);
        return new Result(merged, report);
    }

    static int anchorIndex(List<AdapterWeights> sources, String anchor) {
        if (anchor == null) {
            return 0;
        }
        if (anchor.equals(MergeOptions.ITERATIVE)) {
            return -1;
        }
        for (int k = 0; k < sources.size(); k++) {
            if (sources.get(k).name().equals(anchor)) {
                return k;
            }
        }
        throw new IllegalArgumentException("anchor '" + anchor + "' is not one of the source adapters "
                + sources.stream().map(AdapterWeights::name).toList() + " (or 'iterative')");
    }

    /** One row per bottleneck neuron. */
    static double[][] features(int index, AdapterWeights adapter, BottleneckUnit u, MergeOptions o) {
        int b = u.bottleneckSize();
        if (o.activations() != null) {
            Tensor acts = o.activations().activations(index, adapter, u.layer(), u.location());
            if (acts.rank() != 2 || acts.dim(1) != b) {
                throw new IllegalArgumentException("activations for adapter " + adapter.name() + " at " + u.label()
                        + " must be [samples, " + b + "], got " + acts.shapeString());
            }
            int s = acts.dim(0);
            double[][] f = new double[b][s];
            for (int r = 0; r < s; r++) {
                for (int k = 0; k < b; k++) {
                    f[k][r] = acts.data()[r * b + k];
                }
            }
            return f;
        }
        int h = u.hiddenSize();
        double[][] f = new double[b][2 * h + 1];
        float[] dw = u.downWeight().data();
        float[] uw = u.upWeight().data();
        for (int k = 0; k < b; k++) {
            for (int i = 0; i < h; i++) {
                f[k][i] = dw[k * h + i];
                f[k][h + 1 + i] = uw[i * b + k];
            }
            f[k][h] = u.downBias().data()[k];
        }
        return f;
    }

    /** The mixing matrix that aligns {@code source}'s neurons to {@code anchor}'s. */
    static double[][] align(double[][] source, double[][] anchor, MergeOptions o) {
        if (source[0].length != anchor[0].length) {
            throw new IllegalArgumentException("neuron features differ in length (" + source[0].length + " vs "
                    + anchor[0].length + "); activations must cover the same samples for every adapter");
        }
        int b = source.length;
        double[][] cost = new double[b][b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                cost[i][j] = o.metric().cost(source[i], anchor[j]);
            }
        }
        if (o.transport() == MergeOptions.Transport.EXACT) {
            return Transport.permutationMixing(Transport.hungarian(cost));
        }
        return Transport.sinkhorn(cost, o.sinkhornReg(), 10_000).mixing();
    }

    static double[][] identity(int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            m[i][i] = 1;
        }
        return m;
    }

    static int[] argmaxRows(double[][] m) {
        int[] out = new int[m.length];
        for (int j = 0; j < m.length; j++) {
            int best = 0;
            for (int i = 1; i < m[j].length; i++) {
                if (m[j][i] > m[j][best]) {
                    best = i;
                }
            }
            out[j] = best;
        }
        return out;
    }

    static double[][] multiply(double[][] m, double[][] f) {
        int rows = m.length;
        int inner = f.length;
        int cols = f[0].length;
        double[][] out = new double[rows][cols];
        for (int j = 0; j < rows; j++) {
            for (int i = 0; i < inner; i++) {
                double mji = m[j][i];
                if (mji == 0) {
                    continue;
                }
                double[] src = f[i];
                double[] dst = out[j];
                for (int c = 0; c < cols; c++) {
                    dst[c] += mji * src[c];
                }
            }
        }
        return out;
    }

    private static double[][] weightedAlignedSum(double[][][] features, double[][][] mixing, double[] w) {
        double[][] sum = null;
        for (int k = 0; k < features.length; k++) {
            double[][] aligned = multiply(mixing[k], features[k]);
            if (sum == null) {
                sum = new double[aligned.length][aligned[0].length];
            }
            for (int j = 0; j < aligned.length; j++) {
                for (int c = 0; c < aligned[j].length; c++) {
                    sum[j][c] += w[k] * aligned[j][c];
                }
            }
        }
        return sum;
    }

    static double distance(double[][] a, double[][] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            for (int c = 0; c < a[i].length; c++) {
                double d = a[i][c] - b[i][c];
                s += d * d;
            }
        }
        return Math.sqrt(s);
    }

    /** Σ_k w_k · aligned unit k: down ← M·down, bias ← M·bias, up ← up·Mᵀ, up bias unchanged. */
    static BottleneckUnit combine(List<BottleneckUnit> units, double[][][] mixing, double[] w) {
        BottleneckUnit ref = units.get(0);
        int b = ref.bottleneckSize();
        int h = ref.hiddenSize();
        double[] down = new double[b * h];
        double[] downBias = new double[b];
        double[] up = new double[h * b];
        double[] upBias = new double[h];
        for (int k = 0; k < units.size(); k++) {
            BottleneckUnit u = units.get(k);
            double[][] m = mixing[k];
            float[] dw = u.downWeight().data();
            float[] db = u.downBias().data();
            float[] uw = u.upWeight().data();
            for (int j = 0; j < b; j++) {
                for (int i = 0; i < b; i++) {
                    double c = w[k] * m[j][i];
                    if (c == 0) {
                        continue;
                    }
                    for (int x = 0; x < h; x++) {
                        down[j * h + x] += c * dw[i * h + x];
                        up[x * b + j] += c * uw[x * b + i];
                    }
                    downBias[j] += c * db[i];
                }
            }
            float[] ub = u.upBias().data();
            for (int x = 0; x < h; x++) {
                upBias[x] += w[k] * ub[x];
            }
        }
        return new BottleneckUnit(
                ref.layer(),
                ref.location(),
                new Tensor(toFloat(down), b, h),
                new Tensor(toFloat(downBias), b),
                new Tensor(toFloat(up), h, b),
                new Tensor(toFloat(upBias), h));
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
