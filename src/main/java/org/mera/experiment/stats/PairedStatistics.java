package org.mera.experiment.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.apache.commons.math3.random.MersenneTwister;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.commons.math3.stat.inference.TTest;
import org.mera.experiment.CellPredictions;

/**
 * The statistics behind every "A beats B" in a report, for two methods on one task over the seeds both have:
 * <ul>
 * <li>a <b>paired bootstrap 95 % interval</b> of the mean difference (×100). Each of {@link #RESAMPLES} replicates
 * draws the seeds with replacement and, once, the test examples with replacement (the same indices for both methods
 * and every seed, since every seed is scored on the same test set); per drawn seed it recomputes both methods'
 * metric on the drawn examples and takes the difference; the replicate is the mean over the drawn seeds. The
 * interval is the 2.5th and 97.5th percentile of the replicates (linear interpolation, R type 7, as NumPy's default).
 * The generator is a Mersenne Twister seeded with {@link #SEED}, anew for each comparison, so a report is
 * reproducible and does not depend on the order of its comparisons;</li>
 * <li>a <b>paired t-test</b> p-value (two-sided) on the per-seed differences (Commons Math), which treats the test
 * set as fixed;</li>
 * <li>the <b>per-seed signs</b>: a difference of at most {@link #TIE_EPSILON} points (×100) either way is a tie;</li>
 * <li>{@link #holm Holm's step-down adjustment} of the p-values of one family of comparisons.</li>
 * </ul>
 * Two methods whose predictions were scored on different gold labels cannot be paired by example (a seed that left
 * out some test rows is first cut to the rows every seed kept: {@link ComparisonStatistics#interval}).
 */
public final class PairedStatistics {
    /** Bootstrap replicates per comparison. */
    public static final int RESAMPLES = 1000;
    /** Seed of each comparison's generator. */
    public static final long SEED = 20_261_202L;
    /** Per-seed differences (points ×100) no larger than this in magnitude are ties, not wins or losses. */
    public static final double TIE_EPSILON = 0.05;

    public static final double LEVEL = 0.95;

    /** A closed interval; NaN bounds mean there is none. */
    public record Interval(double low, double high) {
        public static final Interval NONE = new Interval(Double.NaN, Double.NaN);

        public boolean exists() {
            return !Double.isNaN(low);
        }
    }

    /** Per-seed wins, ties (|d| ≤ {@link #TIE_EPSILON}) and losses of A against B. */
    public record Signs(int wins, int ties, int losses) {
        public static Signs of(Collection<Double> differences) {
            int w = 0;
            int t = 0;
            int l = 0;
            for (double d : differences) {
                if (Math.abs(d) <= TIE_EPSILON) {
                    t++;
                } else if (d > 0) {
                    w++;
                } else {
                    l++;
                }
            }
            return new Signs(w, t, l);
        }

        @Override
        public String toString() {
            return wins + "W " + ties + "T " + losses + "L";
        }
    }

    private PairedStatistics() {}

    /**
     * The bootstrap replicates of mean over seeds of (score of A − score of B) ×100. Entry s of {@code a} and
     * {@code b} holds one seed's prediction sets; a side's score on a seed is the mean of its sets' scores (one set
     * for a method, one per source for the mean over single sources). Every set must share the same gold labels.
     */
    public static double[] bootstrap(
            String metric, List<List<CellPredictions>> a, List<List<CellPredictions>> b, int resamples, long seed) {
        if (a.size() != b.size() || a.isEmpty()) {
            throw new IllegalArgumentException(
                    "paired bootstrap needs the same seeds on both sides (" + a.size() + " and " + b.size() + ")");
        }
        CellPredictions first = a.get(0).get(0);
        for (List<List<CellPredictions>> side : List.of(a, b)) {
            for (List<CellPredictions> sets : side) {
                if (sets.isEmpty()) {
                    throw new IllegalArgumentException("a seed without predictions");
                }
                for (CellPredictions p : sets) {
                    if (!p.sameGold(first)) {
                        throw new IllegalArgumentException(
                                "predictions scored on different test labels cannot be paired by example");
                    }
                }
            }
        }
        int seeds = a.size();
        int n = first.size();
        RandomGenerator rng = new MersenneTwister(seed);
        double[] replicates = new double[resamples];
        int[] seedDraw = new int[seeds];
        int[] examples = new int[n];
        int[] counts = new int[n];
        double[] difference = new double[seeds];
        boolean[] computed = new boolean[seeds];
        for (int r = 0; r < resamples; r++) {
            for (int j = 0; j < seeds; j++) {
                seedDraw[j] = rng.nextInt(seeds);
            }
            Arrays.fill(counts, 0);
            for (int i = 0; i < n; i++) {
                examples[i] = rng.nextInt(n);
                counts[examples[i]]++;
            }
            Arrays.fill(computed, false);
            double sum = 0;
            for (int j = 0; j < seeds; j++) {
                int s = seedDraw[j];
                if (!computed[s]) {
                    difference[s] = meanScore(metric, a.get(s), counts, examples)
                            - meanScore(metric, b.get(s), counts, examples);
                    computed[s] = true;
                }
                sum += difference[s];
            }
            replicates[r] = 100 * sum / seeds;
        }
        return replicates;
    }

    private static double meanScore(String metric, List<CellPredictions> sets, int[] counts, int[] examples) {
        double s = 0;
        for (CellPredictions p : sets) {
            s += p.scoreCounts(metric, counts, examples);
        }
        return s / sets.size();
    }

    /** The central {@code level} percentile interval of {@code replicates} (R type 7 interpolation). */
    public static Interval percentileInterval(double[] replicates, double level) {
        Percentile p = new Percentile().withEstimationType(Percentile.EstimationType.R_7);
        p.setData(replicates);
        double tail = 100 * (1 - level) / 2;
        return new Interval(p.evaluate(tail), p.evaluate(100 - tail));
    }

    /** {@link #bootstrap} with the report's resamples and seed, as a {@link #LEVEL} interval. */
    public static Interval interval(String metric, List<List<CellPredictions>> a, List<List<CellPredictions>> b) {
        return percentileInterval(bootstrap(metric, a, b, RESAMPLES, SEED), LEVEL);
    }

    /**
     * Two-sided paired t-test p-value of per-seed differences against zero; NaN with fewer than two seeds or when
     * every difference is the same (no spread: the test is undefined).
     */
    public static double tTestP(Collection<Double> differences) {
        double[] d = differences.stream().mapToDouble(Double::doubleValue).toArray();
        if (d.length < 2 || Arrays.stream(d).allMatch(x -> x == d[0])) {
            return Double.NaN;
        }
        return new TTest().tTest(0.0, d);
    }

    /**
     * Holm's step-down adjustment over one family: the i-th smallest of the m p-values becomes
     * max over j ≤ i of min(1, (m − j + 1) · p_(j)). NaN entries are not tests: they stay NaN and do not count in m.
     */
    public static double[] holm(double[] p) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            if (!Double.isNaN(p[i])) {
                order.add(i);
            }
        }
        order.sort((x, y) -> Double.compare(p[x], p[y]));
        double[] out = new double[p.length];
        Arrays.fill(out, Double.NaN);
        int m = order.size();
        double running = 0;
        for (int rank = 0; rank < m; rank++) {
            int i = order.get(rank);
            running = Math.max(running, Math.min(1.0, (m - rank) * p[i]));
            out[i] = running;
        }
        return out;
    }
}
