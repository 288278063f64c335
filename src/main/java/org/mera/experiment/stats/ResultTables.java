package org.mera.experiment.stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.mera.experiment.Method;
import org.mera.experiment.ResultRecord;

/**
 * Aggregates finished cells into report tables: per encoder and k, one row per method and one column
 * per target task, each entry the primary metric ×100 as mean ± sample standard deviation over seeds.
 * {@code single} gives a row per source ({@code single [STS-B]}) and three summaries: the mean over sources (per
 * seed, the average of all single-source cells), the source chosen on dev (per seed, the single-source cell with the
 * best k-shot dev score: what a user who tries every adapter and keeps the best by dev would get) and the best source
 * (the source with the highest mean test score, an oracle).
 * The Average column averages the tasks per seed, then takes mean ± std over the seeds every task has.
 */
public final class ResultTables {
    public static final String SINGLE_MEAN = "single (mean of sources)";
    public static final String SINGLE_BEST = "single (oracle best source)";
    public static final String SINGLE_DEV = "single (chosen on dev)";
    private static final String SINGLE_SOURCE_PREFIX = Method.SINGLE.id() + " [";

    /** The row of one source adapter fine-tuned alone: {@code single [STS-B]}. */
    public static String singleSource(String source) {
        return SINGLE_SOURCE_PREFIX + source + "]";
    }

    /** The source a {@link #singleSource} row names, or null for any other row. */
    public static String sourceOf(String rowLabel) {
        return rowLabel.startsWith(SINGLE_SOURCE_PREFIX) && rowLabel.endsWith("]")
                ? rowLabel.substring(SINGLE_SOURCE_PREFIX.length(), rowLabel.length() - 1)
                : null;
    }

    /**
     * Of one seed's single-source cells (every expected source present), the one with the best k-shot dev score of
     * the primary metric; on a tie the first in {@code expected}'s order. Null when a source or a dev score is
     * missing.
     */
    public static ResultRecord chosenOnDev(List<ResultRecord> singlesOfSeed, Set<String> expected) {
        ResultRecord best = null;
        double bestDev = Double.NEGATIVE_INFINITY;
        for (String source : expected) {
            ResultRecord r = singlesOfSeed.stream()
                    .filter(x -> source.equals(x.source()))
                    .findFirst()
                    .orElse(null);
            Double dev = r == null ? null : r.metrics().get("dev_" + r.primaryMetric());
            if (dev == null) {
                return null;
            }
            if (dev > bestDev) {
                bestDev = dev;
                best = r;
            }
        }
        return best;
    }

    /** Mean ± sample std of {@code n} values; std is NaN for one value. */
    public record Stat(double mean, double std, int n) {
        public static Stat of(java.util.Collection<Double> values) {
            if (values.isEmpty()) {
                return null;
            }
            double mean =
                    values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double ss =
                    values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
            return new Stat(mean, values.size() > 1 ? Math.sqrt(ss / (values.size() - 1)) : Double.NaN, values.size());
        }
    }

    /**
     * One row: per task, the value (×100) of each seed, an optional note (the best source's name), and the source
     * adapters the row's method merged or fused, where the cells recorded them.
     */
    public record Row(
            String label,
            Map<String, TreeMap<Integer, Double>> seedValues,
            Map<String, String> notes,
            Map<String, List<String>> sources) {
        public Row(String label, Map<String, TreeMap<Integer, Double>> seedValues, Map<String, String> notes) {
            this(label, seedValues, notes, Map.of());
        }

        public Stat stat(String task) {
            TreeMap<Integer, Double> v = seedValues.get(task);
            return v == null ? null : Stat.of(v.values());
        }

        /** Per seed, the mean over {@code tasks}; only seeds present in every task. */
        public Stat average(List<String> tasks) {
            return Stat.of(perSeedAverage(tasks).values());
        }

        /** The seeds present in every one of {@code tasks}, each with its mean over them; empty if a task is missing. */
        public TreeMap<Integer, Double> perSeedAverage(List<String> tasks) {
            TreeMap<Integer, Double> out = new TreeMap<>();
            if (tasks.isEmpty() || !tasks.stream().allMatch(seedValues::containsKey)) {
                return out;
            }
            Set<Integer> seeds =
                    new LinkedHashSet<>(seedValues.get(tasks.get(0)).keySet());
            for (String t : tasks) {
                seeds.retainAll(seedValues.get(t).keySet());
            }
            for (int s : seeds) {
                out.put(
                        s,
                        tasks.stream()
                                .mapToDouble(t -> seedValues.get(t).get(s))
                                .average()
                                .orElseThrow());
            }
            return out;
        }
    }

    public record Table(String encoder, int k, List<String> tasks, Map<String, String> metricByTask, List<Row> rows) {
        public Row row(String label) {
            return rows.stream()
                    .filter(r -> r.label().equals(label))
                    .findFirst()
                    .orElse(null);
        }
    }

    /** One task's per-seed differences (×100) of a method minus a baseline, on the seeds both have. */
    public record Paired(String task, String method, String baseline, TreeMap<Integer, Double> differences) {
        public double mean() {
            return differences.values().stream()
                    .mapToDouble(Double::doubleValue)
                    .average()
                    .orElse(Double.NaN);
        }

        /** Per-seed wins, ties (a difference within {@link PairedStatistics#TIE_EPSILON}) and losses. */
        public PairedStatistics.Signs signs() {
            return PairedStatistics.Signs.of(differences.values());
        }

        /** Seeds on which the method scored higher by more than {@link PairedStatistics#TIE_EPSILON}. */
        public long wins() {
            return signs().wins();
        }
    }

    /** Methods every other row is compared with, seed by seed, when the table has them. */
    public static final List<String> BASELINES = List.of(Method.ADAPTER.id(), Method.FULL.id());

    /** MerA's rows, each also compared with the single-source mean and with fusion when the table has them. */
    public static final List<String> MERGED = List.of(
            Method.MERA_SUM.id(),
            Method.MERA_AVERAGE.id(),
            Method.MERA_OT.id(),
            Method.MERA_SAME_TRACK.id(),
            Method.MERA_AUTO.id());

    /**
     * Paired comparisons, because seeds share their few-shot split: a method's mean gain can come from one seed
     * while the std columns overlap. Every row except the oracle best source and the rows of single sources is
     * compared with each baseline (adapter with full once), mera-ot with mera-average (does alignment help?), each
     * MerA row with the single-source mean, the single source chosen on dev and fusion (do merged adapters beat
     * them?), and same-track merging with each source it merged, fine-tuned alone (does merging beat its own
     * parts?), per task, on the seeds both have (at least two).
     */
    public static List<Paired> paired(Table t) {
        List<String[]> pairs = new ArrayList<>();
        for (Row r : t.rows()) {
            if (r.label().equals(SINGLE_BEST) || TrivialBaselines.isTrivial(r.label()) || sourceOf(r.label()) != null) {
                continue;
            }
            // Baselines among themselves once (adapter − full), in BASELINES order.
            int from = BASELINES.indexOf(r.label()) + 1;
            for (String base : BASELINES.subList(from, BASELINES.size())) {
                if (t.row(base) != null) {
                    pairs.add(new String[] {r.label(), base});
                }
            }
        }
        if (t.row(Method.MERA_OT.id()) != null && t.row(Method.MERA_AVERAGE.id()) != null) {
            pairs.add(new String[] {Method.MERA_OT.id(), Method.MERA_AVERAGE.id()});
        }
        // The paper's first claim: a merged adapter beats the single source adapters (on average) and AdapterFusion.
        for (String merged : MERGED) {
            for (String other : List.of(SINGLE_MEAN, SINGLE_DEV, Method.FUSION.id())) {
                if (t.row(merged) != null && t.row(other) != null) {
                    pairs.add(new String[] {merged, other});
                }
            }
        }
        List<Paired> out = new ArrayList<>();
        for (String task : t.tasks()) {
            for (String[] p : pairs) {
                TreeMap<Integer, Double> a = t.row(p[0]).seedValues().get(task);
                TreeMap<Integer, Double> b = t.row(p[1]).seedValues().get(task);
                if (a == null || b == null) {
                    continue;
                }
                TreeMap<Integer, Double> d = differences(a, b);
                if (d.size() >= 2) {
                    out.add(new Paired(task, p[0], p[1], d));
                }
            }
            Row sameTrack = t.row(Method.MERA_SAME_TRACK.id());
            if (sameTrack != null && sameTrack.seedValues().containsKey(task)) {
                for (String source : sameTrack.sources().getOrDefault(task, List.of())) {
                    Row alone = t.row(singleSource(source));
                    if (alone != null && alone.seedValues().containsKey(task)) {
                        TreeMap<Integer, Double> d = differences(
                                sameTrack.seedValues().get(task),
                                alone.seedValues().get(task));
                        if (d.size() >= 2) {
                            out.add(new Paired(task, sameTrack.label(), alone.label(), d));
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Each method against doing nothing: per task, every row (but the oracle best source and the trivial rows
     * themselves) minus the strongest trivial row of that task (the highest mean over seeds, the test-majority
     * oracle included, so the bar is never the easier one; on a tie the one that is not an oracle), on the seeds
     * both have (at least two).
     */
    public static List<Paired> againstTrivial(Table t) {
        List<Paired> out = new ArrayList<>();
        for (String task : t.tasks()) {
            Row bar = null;
            for (Row r : t.rows()) {
                if (!TrivialBaselines.isTrivial(r.label()) || r.stat(task) == null) {
                    continue;
                }
                // On a tie the bar that does not read the test labels is named (MRPC: always positive).
                if (bar == null
                        || r.stat(task).mean() > bar.stat(task).mean()
                        || (r.stat(task).mean() == bar.stat(task).mean()
                                && bar.label().equals(TrivialBaselines.TEST_MAJORITY))) {
                    bar = r;
                }
            }
            if (bar == null) {
                continue;
            }
            TreeMap<Integer, Double> b = bar.seedValues().get(task);
            for (Row r : t.rows()) {
                TreeMap<Integer, Double> a = r.seedValues().get(task);
                if (r.label().equals(SINGLE_BEST)
                        || TrivialBaselines.isTrivial(r.label())
                        || sourceOf(r.label()) != null
                        || a == null) {
                    continue;
                }
                TreeMap<Integer, Double> d = differences(a, b);
                if (d.size() >= 2) {
                    out.add(new Paired(task, r.label(), bar.label(), d));
                }
            }
        }
        return out;
    }

    /** Per seed both have, {@code a − b}. */
    private static TreeMap<Integer, Double> differences(TreeMap<Integer, Double> a, TreeMap<Integer, Double> b) {
        TreeMap<Integer, Double> d = new TreeMap<>();
        a.forEach((seed, v) -> {
            if (b.containsKey(seed)) {
                d.put(seed, v - b.get(seed));
            }
        });
        return d;
    }

    private ResultTables() {}

    /**
     * @param records     the finished cells to show (already restricted to the current grid)
     * @param taskOrder   column order (tasks not listed come after, in order of appearance)
     * @param methodOrder row order, likewise
     * @param expectedSources for single: the sources each (encoder, task, k) should have, so that a seed
     *                    missing one source is left out of the mean over sources; may be empty (then the
     *                    sources seen are expected)
     */
    public static List<Table> build(
            List<ResultRecord> records,
            List<String> taskOrder,
            List<String> methodOrder,
            Map<String, Set<String>> expectedSources) {
        return build(records, taskOrder, methodOrder, expectedSources, null);
    }

    /**
     * The same tables on another test metric per task ({@code metricByTask}: MRPC's accuracy beside its F1); tasks it
     * does not name, and cells without that metric, are left out. The single source chosen on dev is still chosen on
     * the primary metric's dev score, as in the primary table.
     */
    public static List<Table> build(
            List<ResultRecord> records,
            List<String> taskOrder,
            List<String> methodOrder,
            Map<String, Set<String>> expectedSources,
            Map<String, String> metricByTask) {
        if (metricByTask != null) {
            records = records.stream()
                    .filter(r ->
                            metricByTask.containsKey(r.task()) && r.metrics().containsKey(metricByTask.get(r.task())))
                    .toList();
        }
        Map<String, List<ResultRecord>> byGroup = new LinkedHashMap<>();
        for (ResultRecord r : records) {
            byGroup.computeIfAbsent(r.encoder() + "\u0000" + r.k(), x -> new ArrayList<>())
                    .add(r);
        }
        List<Table> tables = new ArrayList<>();
        for (List<ResultRecord> group : byGroup.values()) {
            String encoder = group.get(0).encoder();
            int k = group.get(0).k();
            List<String> tasks =
                    ordered(taskOrder, group.stream().map(ResultRecord::task).toList());
            List<String> methods = ordered(
                    methodOrder, group.stream().map(ResultRecord::method).toList());
            Map<String, String> metric = new LinkedHashMap<>();
            group.forEach(r -> metric.putIfAbsent(
                    r.task(), metricByTask == null ? r.primaryMetric() : metricByTask.get(r.task())));
            List<Row> rows = new ArrayList<>();
            for (String m : methods) {
                List<ResultRecord> mr =
                        group.stream().filter(r -> r.method().equals(m)).toList();
                if (m.equals(Method.SINGLE.id())) {
                    rows.addAll(singleRows(mr, tasks, encoder, k, expectedSources, metric));
                } else {
                    Map<String, TreeMap<Integer, Double>> values = new LinkedHashMap<>();
                    Map<String, List<String>> sources = new LinkedHashMap<>();
                    Map<String, String> notes = new LinkedHashMap<>();
                    for (ResultRecord r : mr) {
                        values.computeIfAbsent(r.task(), t -> new TreeMap<>()).put(r.seed(), 100 * value(r, metric));
                        if (r.sources() != null && !r.sources().isEmpty()) {
                            sources.putIfAbsent(r.task(), List.copyOf(r.sources()));
                        }
                    }
                    if (m.equals(Method.MERA_SAME_TRACK.id())) {
                        // the row names what it merged; the all-source rows merge every source listed below
                        sources.forEach((task, s) -> notes.put(task, String.join(" + ", s)));
                    }
                    rows.add(new Row(m, values, notes, sources));
                }
            }
            tables.add(new Table(encoder, k, tasks, metric, rows));
        }
        return tables;
    }

    private static List<Row> singleRows(
            List<ResultRecord> records,
            List<String> tasks,
            String encoder,
            int k,
            Map<String, Set<String>> expectedSources,
            Map<String, String> metric) {
        Map<String, TreeMap<Integer, Double>> mean = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, Double>> best = new LinkedHashMap<>();
        Map<String, String> bestSource = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, Double>> onDev = new LinkedHashMap<>();
        Map<String, String> onDevSources = new LinkedHashMap<>();
        Map<String, Map<String, TreeMap<Integer, Double>>> perSource = new LinkedHashMap<>();
        for (String task : tasks) {
            Map<String, TreeMap<Integer, Double>> bySource = new LinkedHashMap<>();
            for (ResultRecord r : records) {
                if (r.task().equals(task)) {
                    bySource.computeIfAbsent(
                                    Objects.requireNonNull(r.source(), "single result " + r.key() + " names no source"),
                                    s -> new TreeMap<>())
                            .put(r.seed(), 100 * value(r, metric));
                }
            }
            if (bySource.isEmpty()) {
                continue;
            }
            Set<String> expected = expectedSources.getOrDefault(groupKey(encoder, task, k), bySource.keySet());
            Set<Integer> seeds = new java.util.TreeSet<>();
            bySource.values().forEach(v -> seeds.addAll(v.keySet()));
            TreeMap<Integer, Double> perSeed = new TreeMap<>();
            for (int seed : seeds) {
                if (expected.stream()
                        .allMatch(
                                s -> bySource.containsKey(s) && bySource.get(s).containsKey(seed))) {
                    perSeed.put(
                            seed,
                            expected.stream()
                                    .mapToDouble(s -> bySource.get(s).get(seed))
                                    .average()
                                    .orElseThrow());
                }
            }
            if (!perSeed.isEmpty()) {
                mean.put(task, perSeed);
            }
            TreeMap<Integer, Double> chosen = new TreeMap<>();
            Map<String, Integer> chosenCount = new LinkedHashMap<>();
            for (int seed : seeds) {
                List<ResultRecord> ofSeed = records.stream()
                        .filter(r -> r.task().equals(task) && r.seed() == seed)
                        .toList();
                ResultRecord c = chosenOnDev(ofSeed, expected);
                if (c != null) {
                    chosen.put(seed, 100 * value(c, metric));
                    chosenCount.merge(c.source(), 1, Integer::sum);
                }
            }
            if (!chosen.isEmpty()) {
                onDev.put(task, chosen);
                List<String> counts = new ArrayList<>();
                chosenCount.forEach((src, n) -> counts.add(src + " ×" + n));
                onDevSources.put(task, String.join(", ", counts));
            }
            bySource.forEach((src, v) ->
                    perSource.computeIfAbsent(src, x -> new LinkedHashMap<>()).put(task, v));
            String top = null;
            double topMean = Double.NEGATIVE_INFINITY;
            for (Map.Entry<String, TreeMap<Integer, Double>> e : bySource.entrySet()) {
                double m = e.getValue().values().stream()
                        .mapToDouble(Double::doubleValue)
                        .average()
                        .orElseThrow();
                if (m > topMean) {
                    topMean = m;
                    top = e.getKey();
                }
            }
            best.put(task, bySource.get(top));
            bestSource.put(task, top);
        }
        List<Row> out = new ArrayList<>(List.of(
                new Row(SINGLE_MEAN, mean, Map.of()),
                new Row(SINGLE_DEV, onDev, onDevSources),
                new Row(SINGLE_BEST, best, bestSource)));
        perSource.forEach((src, values) -> out.add(new Row(singleSource(src), values, Map.of())));
        return out;
    }

    /** A cell's test score in the table's metric for its task. */
    private static double value(ResultRecord r, Map<String, String> metricByTask) {
        return r.metrics().get(metricByTask.get(r.task()));
    }

    public static String groupKey(String encoder, String task, int k) {
        return encoder + "/" + task + "/" + k;
    }

    private static List<String> ordered(List<String> preferred, List<String> seen) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String p : preferred) {
            if (seen.contains(p)) {
                out.add(p);
            }
        }
        out.addAll(seen);
        return new ArrayList<>(out);
    }
}
