package org.mera.merge;

/**
 * Optimal transport between two equal-sized sets of neurons with uniform marginals. Plans are returned as
 * mixing matrices M [n_anchor × n_source] = n · Pᵀ (the plan divided by its marginal, as otfusion does), so
 * aligned neuron j = Σ_i M[j][i] · source neuron i: a permutation for exact transport, a row-stochastic
 * mixture for Sinkhorn.
 */
public final class Transport {
    private Transport() {}

    /**
     * Exact transport with uniform marginals between n and n points is an optimal assignment (Birkhoff);
     * solved by the Hungarian algorithm with potentials in O(n³). Returns assignment[j] = the source neuron
     * (row of {@code cost}) matched to anchor neuron j (column of {@code cost}).
     */
    public static int[] hungarian(double[][] cost) {
        int n = cost.length;
        for (double[] row : cost) {
            if (row.length != n) {
                throw new IllegalArgumentException(
                        "assignment needs a square cost matrix, got " + n + "x" + row.length);
            }
        }
        requireFinite(cost, "exact transport");
        // Rows are "workers" (source neurons), columns "jobs" (anchor neurons); 1-based with a dummy column 0.
        double[] u = new double[n + 1];
        double[] v = new double[n + 1];
        int[] p = new int[n + 1];
        int[] way = new int[n + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            double[] minv = new double[n + 1];
            boolean[] used = new boolean[n + 1];
            java.util.Arrays.fill(minv, Double.POSITIVE_INFINITY);
            int steps = 0;
            do {
                // each step marks one more column used, so a row is placed within n + 1 steps; more means the
                // potentials stopped making progress (non-finite arithmetic), which must fail, not spin
                if (++steps > n + 1) {
                    throw new IllegalStateException("exact transport did not converge on a " + n + "x" + n
                            + " cost matrix (no augmenting path after " + n
                            + " steps); this is a bug, please report it");
                }
                used[j0] = true;
                int i0 = p[j0];
                double delta = Double.POSITIVE_INFINITY;
                int j1 = 0;
                for (int j = 1; j <= n; j++) {
                    if (!used[j]) {
                        double cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
                        if (cur < minv[j]) {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= n; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] assignment = new int[n];
        for (int j = 1; j <= n; j++) {
            assignment[j - 1] = p[j] - 1;
        }
        return assignment;
    }

    /** The mixing matrix of an assignment: M[j][assignment[j]] = 1. */
    public static double[][] permutationMixing(int[] assignment) {
        int n = assignment.length;
        double[][] m = new double[n][n];
        for (int j = 0; j < n; j++) {
            m[j][assignment[j]] = 1;
        }
        return m;
    }

    /** The outcome of Sinkhorn: the plan P [n_source × n_anchor] (sums to 1), iterations, final marginal error. */
    public record SinkhornPlan(double[][] plan, int iterations, double marginalError, double epsilon) {
        /** M = n_source · Pᵀ: row j is a convex mixture of source neurons. */
        public double[][] mixing() {
            int n = plan.length;
            int m = plan[0].length;
            double[][] out = new double[m][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    out[j][i] = n * plan[i][j];
                }
            }
            return out;
        }
    }

    /**
     * Entropic OT with uniform marginals in the log domain (stable for small ε): ε = reg · max(cost) so the
     * regulariser is relative to the cost scale (1 when all costs are 0). Stops when the row marginals are
     * within 1e-9 (L1) of uniform, or after {@code maxIterations}; the column marginals are exact after every
     * iteration.
     */
    public static SinkhornPlan sinkhorn(double[][] cost, double reg, int maxIterations) {
        requireFinite(cost, "Sinkhorn transport");
        if (!(reg > 0) || !Double.isFinite(reg) || maxIterations < 1) {
            throw new IllegalArgumentException(
                    "Sinkhorn needs a finite positive regulariser and at least 1 iteration, got reg " + reg + ", "
                            + maxIterations + " iterations");
        }
        int n = cost.length;
        int m = cost[0].length;
        double max = 0;
        for (double[] row : cost) {
            for (double c : row) {
                max = Math.max(max, c);
            }
        }
        double eps = reg * (max > 0 ? max : 1);
        double loga = -Math.log(n);
        double logb = -Math.log(m);
        double[] f = new double[n];
        double[] g = new double[m];
        double[] tmp = new double[Math.max(n, m)];
        double err = Double.POSITIVE_INFINITY;
        int it = 0;
        while (it < maxIterations) {
            it++;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    tmp[j] = (g[j] - cost[i][j]) / eps;
                }
                f[i] = eps * (loga - logSumExp(tmp, m));
            }
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < n; i++) {
                    tmp[i] = (f[i] - cost[i][j]) / eps;
                }
                g[j] = eps * (logb - logSumExp(tmp, n));
            }
            if (it % 5 == 0 || it == maxIterations) {
                err = 0;
                for (int i = 0; i < n; i++) {
                    double row = 0;
                    for (int j = 0; j < m; j++) {
                        row += Math.exp((f[i] + g[j] - cost[i][j]) / eps);
                    }
                    err += Math.abs(row - 1.0 / n);
                }
                if (err < 1e-9) {
                    break;
                }
            }
        }
        double[][] plan = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                plan[i][j] = Math.exp((f[i] + g[j] - cost[i][j]) / eps);
                if (!Double.isFinite(plan[i][j])) {
                    throw new IllegalStateException("Sinkhorn transport produced a non-finite plan entry at (" + i
                            + ", " + j + ") with epsilon " + eps + "; raise --sinkhorn-reg or use exact transport");
                }
            }
        }
        return new SinkhornPlan(plan, it, err, eps);
    }

    /** Costs come from adapter weights, which are checked finite on load; a NaN here would stall the solvers. */
    private static void requireFinite(double[][] cost, String what) {
        for (int i = 0; i < cost.length; i++) {
            for (int j = 0; j < cost[i].length; j++) {
                if (!Double.isFinite(cost[i][j])) {
                    throw new IllegalArgumentException(
                            what + " got a non-finite cost " + cost[i][j] + " at (" + i + ", " + j
                                    + "); an adapter weight is NaN or infinite, or so large that distances overflow");
                }
            }
        }
    }

    private static double logSumExp(double[] x, int len) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) {
            max = Math.max(max, x[i]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (int i = 0; i < len; i++) {
            s += Math.exp(x[i] - max);
        }
        return max + Math.log(s);
    }
}
