package org.mera.experiment.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
