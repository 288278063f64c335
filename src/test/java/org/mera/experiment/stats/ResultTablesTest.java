package org.mera.experiment.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mera.experiment.ResultRecord;

class ResultTablesTest {
    private static ResultRecord record(String task, int seed, String method, String source, double f1) {
        String key = task + seed + method + source;
        return new ResultRecord(
                key,
                "enc",
                task,
                16,
                seed,
                method,
                source,
                List.of(),
                "f1",
                Map.of("f1", f1),
                Map.of(),
                1,
                "2026-11-27T00:00:00Z",
                "run");
    }

    private static ResultRecord scored(
            int seed, String method, String source, List<String> sources, double f1, double devF1) {
        return new ResultRecord(
                seed + method + source,
                "enc",
                "MRPC",
                16,
                seed,
                method,
                source,
                sources,
                "f1",
                Map.of("f1", f1, "dev_f1", devF1),
                Map.of(),
                1,
                "2026-11-27T00:00:00Z",
                "run");
    }

    /**
     * The source chosen on dev is picked by the k-shot dev score, never the test score (first expected source on a
     * tie); every source gets its own row; same-track merging is compared with each source it merged.
     */
    @Test
    void singleSourcesAreChosenOnDevAndSameTrackMeetsItsOwnSources() {
        List<ResultRecord> rs = new ArrayList<>();
        int[] seeds = {13, 21, 42};
        double[] qqpTest = {0.70, 0.72, 0.74};
        double[] stsTest = {0.80, 0.60, 0.66};
        double[] qqpDev = {0.60, 0.70, 0.65};
        double[] stsDev = {0.70, 0.60, 0.65}; // seed 42: a tie on dev, QQP (first expected) is kept
        for (int i = 0; i < 3; i++) {
            rs.add(scored(seeds[i], "single", "QQP", List.of(), qqpTest[i], qqpDev[i]));
            rs.add(scored(seeds[i], "single", "STS-B", List.of(), stsTest[i], stsDev[i]));
            rs.add(scored(seeds[i], "single", "CoLA", List.of(), 0.50, 0.10));
            rs.add(scored(seeds[i], "mera-same-track", null, List.of("STS-B", "QQP"), 0.75, 0.7));
        }
        java.util.LinkedHashSet<String> expected = new java.util.LinkedHashSet<>(List.of("QQP", "STS-B", "CoLA"));
        ResultTables.Table t = ResultTables.build(
                        rs, List.of("MRPC"), List.of(), Map.of(ResultTables.groupKey("enc", "MRPC", 16), expected))
                .get(0);

        ResultTables.Row dev = t.row(ResultTables.SINGLE_DEV);
        assertEquals(Map.of(13, 80.0, 21, 72.0, 42, 74.0), dev.seedValues().get("MRPC"));
        assertEquals("STS-B ×1, QQP ×2", dev.notes().get("MRPC"));
        assertEquals(
                Map.of(13, 70.0, 21, 72.0, 42, 74.0),
                t.row(ResultTables.singleSource("QQP")).seedValues().get("MRPC"));
        assertEquals("STS-B + QQP", t.row("mera-same-track").notes().get("MRPC"));
        assertEquals("QQP", ResultTables.sourceOf(ResultTables.singleSource("QQP")));

        List<ResultTables.Paired> paired = ResultTables.paired(t);
        assertEquals(
                -5.0,
                find(paired, "mera-same-track", ResultTables.SINGLE_DEV)
                        .differences()
                        .get(13),
                1e-9);
        assertEquals(
                15.0,
                find(paired, "mera-same-track", ResultTables.singleSource("STS-B"))
                        .differences()
                        .get(21),
                1e-9);
        find(paired, "mera-same-track", ResultTables.singleSource("QQP"));
        assertTrue(
                paired.stream().noneMatch(p -> p.baseline().equals(ResultTables.singleSource("CoLA"))),
                "same-track meets only the sources it merged");
        assertTrue(
                paired.stream().noneMatch(p -> ResultTables.sourceOf(p.method()) != null),
                "single sources are listed, not compared with every baseline");
    }

    /**
     * Without a grid (no expected sources) the table and the bootstrap's prediction sets still pick the same cell on a
     * dev tie: both take the sources in the order the records first name them, over all seeds.
     */
    @Test
    void theTableAndThePredictionIndexChooseTheSameCellOnDev() {
        List<ResultRecord> rs = List.of(
                scored(13, "single", "A", List.of(), 0.10, 0.5),
                scored(13, "single", "B", List.of(), 0.20, 0.5),
                scored(21, "single", "B", List.of(), 0.30, 0.5), // seed 21 names B first; A is still first overall
                scored(21, "single", "A", List.of(), 0.40, 0.5));
        ResultTables.Table t =
                ResultTables.build(rs, List.of("MRPC"), List.of(), Map.of()).get(0);
        assertEquals(
                Map.of(13, 10.0, 21, 40.0),
                t.row(ResultTables.SINGLE_DEV).seedValues().get("MRPC"));
        Map<String, org.mera.experiment.CellPredictions> byKey = new java.util.LinkedHashMap<>();
        for (ResultRecord r : rs) {
            byKey.put(
                    r.key(),
                    org.mera.experiment.CellPredictions.classification(
                            2, new int[] {0}, new int[] {0}, new int[] {1, 1}));
        }
        PredictionIndex index = new PredictionIndex(rs, byKey, Map.of());
        for (int seed : List.of(13, 21)) {
            ResultRecord expected = rs.stream()
                    .filter(r -> r.seed() == seed && r.source().equals("A"))
                    .findFirst()
                    .orElseThrow();
            assertSame(
                    byKey.get(expected.key()),
                    index.sets("enc", 16, "MRPC", seed, ResultTables.SINGLE_DEV).get(0),
                    "seed " + seed);
            assertSame(
                    byKey.get(seed + "singleB"),
                    index.sets("enc", 16, "MRPC", seed, ResultTables.singleSource("B"))
                            .get(0));
        }
    }

    /**
     * Rows whose predictions agree example by example at every seed are found (and only those): here adapter and
     * mera-ot predict alike at both seeds, mera-average at one only, and single [QQP] and single [STS-B] alike (the
     * rows built from them, mean of sources and chosen on dev, are not compared).
     */
    @Test
    void identicalPredictionsAreFoundAtEverySeed() {
        List<ResultRecord> rs = new ArrayList<>();
        Map<String, org.mera.experiment.CellPredictions> byKey = new java.util.LinkedHashMap<>();
        int[] gold = {0, 1, 1, 0};
        for (int seed : List.of(13, 21)) {
            int[] shared = seed == 13 ? new int[] {0, 1, 0, 0} : new int[] {1, 1, 0, 0};
            Map<String, int[]> predicted = new java.util.LinkedHashMap<>();
            predicted.put("adapter", shared);
            predicted.put("mera-ot", shared.clone());
            predicted.put("mera-average", seed == 13 ? shared.clone() : new int[] {0, 0, 0, 0});
            predicted.put("full", new int[] {0, 1, 1, 1});
            predicted.put("singleQQP", new int[] {1, 1, 1, 1});
            predicted.put("singleSTS-B", new int[] {1, 1, 1, 1});
            predicted.forEach((m, p) -> {
                boolean single = m.startsWith("single");
                ResultRecord r =
                        scored(seed, single ? "single" : m, single ? m.substring(6) : null, List.of(), 0.5, 0.5);
                rs.add(r);
                byKey.put(r.key(), org.mera.experiment.CellPredictions.classification(2, p, gold, new int[] {16, 16}));
            });
        }
        ResultTables.Table t =
                ResultTables.build(rs, List.of("MRPC"), List.of(), Map.of()).get(0);
        Map<String, List<List<String>>> same = IdenticalPredictions.of(t, new PredictionIndex(rs, byKey, Map.of()));
        assertEquals(
                Map.of(
                        "MRPC",
                        List.of(
                                List.of("adapter", "mera-ot"),
                                List.of(ResultTables.singleSource("QQP"), ResultTables.singleSource("STS-B")))),
                same);
    }

    @Test
    void pairedComparisonsUseTheSeedsBothMethodsHave() {
        List<ResultRecord> rs = new ArrayList<>();
        double[] adapter = {0.50, 0.60, 0.70};
        double[] sameTrack = {0.55, 0.58, 0.80};
        double[] full = {0.40, 0.60, 0.70};
        for (int i = 0; i < 3; i++) {
            int seed = new int[] {13, 21, 42}[i];
            rs.add(record("MRPC", seed, "adapter", null, adapter[i]));
            rs.add(record("MRPC", seed, "mera-same-track", null, sameTrack[i]));
            rs.add(record("MRPC", seed, "full", null, full[i]));
            rs.add(record("MRPC", seed, "mera-average", null, 0.5));
            rs.add(record("MRPC", seed, "single", "QQP", 0.5));
            rs.add(record("MRPC", seed, "single", "STS-B", 0.6));
        }
        rs.add(record("MRPC", 87, "mera-ot", null, 0.9)); // one seed only: no pairs
        rs.add(record("MRPC", 13, "mera-ot", null, 0.52));
        ResultTables.Table t =
                ResultTables.build(rs, List.of("MRPC"), List.of(), Map.of()).get(0);
        List<ResultTables.Paired> paired = ResultTables.paired(t);

        ResultTables.Paired stVsAdapter = find(paired, "mera-same-track", "adapter");
        assertEquals(List.of(13, 21, 42), List.copyOf(stVsAdapter.differences().keySet()));
        assertEquals(5.0, stVsAdapter.differences().get(13), 1e-9);
        assertEquals(-2.0, stVsAdapter.differences().get(21), 1e-9);
        assertEquals(2, stVsAdapter.wins());
        assertEquals((5.0 - 2.0 + 10.0) / 3, stVsAdapter.mean(), 1e-9);
        assertEquals(1, find(paired, "adapter", "full").wins(), "a tie is not a win");
        // ot against adapter and against average share seeds 13 only among the three: fewer than two, left out.
        assertTrue(paired.stream().noneMatch(p -> p.method().equals("mera-ot")), paired.toString());
        assertTrue(
                paired.stream().noneMatch(p -> p.method().equals(ResultTables.SINGLE_BEST)),
                "the oracle row is not compared");
        find(paired, ResultTables.SINGLE_MEAN, "full");
        assertTrue(
                paired.stream().noneMatch(p -> p.method().equals("full")),
                "baselines are compared with each other once");
        assertEquals(
                1, paired.stream().filter(p -> p.method().equals("adapter")).count());
        assertEquals(
                Set.of("adapter", "full", ResultTables.SINGLE_MEAN),
                Set.copyOf(paired.stream().map(ResultTables.Paired::baseline).toList()));
        // merged rows against the mean of the single sources (0.55 on every seed): the paper's first claim
        ResultTables.Paired stVsSingle = find(paired, "mera-same-track", ResultTables.SINGLE_MEAN);
        assertEquals(0.0, stVsSingle.differences().get(13), 1e-9);
        assertEquals(25.0, stVsSingle.differences().get(42), 1e-9);
        find(paired, "mera-average", ResultTables.SINGLE_MEAN);
    }

    @Test
    void mergedAdaptersAreComparedWithFusion() {
        List<ResultRecord> rs = new ArrayList<>();
        for (int seed : new int[] {13, 21}) {
            rs.add(record("RTE", seed, "fusion", null, 0.50));
            rs.add(record("RTE", seed, "mera-ot", null, seed == 13 ? 0.56 : 0.49));
            rs.add(record("RTE", seed, "adapter", null, 0.52));
        }
        List<ResultTables.Paired> paired = ResultTables.paired(
                ResultTables.build(rs, List.of("RTE"), List.of(), Map.of()).get(0));
        ResultTables.Paired otVsFusion = find(paired, "mera-ot", "fusion");
        assertEquals(1, otVsFusion.wins());
        assertEquals((6.0 - 1.0) / 2, otVsFusion.mean(), 1e-9);
        find(paired, "fusion", "adapter");
        assertTrue(
                paired.stream()
                        .noneMatch(p ->
                                p.method().equals("fusion") && !p.baseline().equals("adapter")),
                paired.toString());
    }

    private static ResultTables.Paired find(List<ResultTables.Paired> ps, String method, String baseline) {
        return ps.stream()
                .filter(p -> p.method().equals(method) && p.baseline().equals(baseline))
                .findFirst()
                .orElseThrow(() -> new AssertionError(method + " - " + baseline + " missing from " + ps));
    }
}
