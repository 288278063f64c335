package org.mera.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The merge benchmark's report and inputs; its timings are measured by `mera bench` (docs/performance.md), never
 * asserted here. Whether the merges it times are right is OtMergeTest's and the merge method tests' job.
 */
class MergeBenchmarkTest {
    @Test
    void summaryNamesTheSetupAndEveryTiming() {
        MergeBenchmark.Result r = new MergeBenchmark.Result(8, 12, 768, 48, 5, 1234.56, 78.91, 1e-2, 3.21);
        assertEquals(
                "OT merge of 8 Pfeiffer adapters (12 layers, H=768, b=48), median of 5 runs: "
                        + "exact 1234.6 ms, Sinkhorn (reg 1e-02) 78.9 ms, plain average 3.2 ms",
                r.summary());
    }

    @Test
    void runMergesTheRequestedAdaptersAndReportsThem() {
        MergeBenchmark.Result r = MergeBenchmark.run(3, 2, 32, 8, 1);
        assertEquals(
                new MergeBenchmark.Result(
                        3, 2, 32, 8, 1, r.exactMedianMs(), r.sinkhornMedianMs(), 1e-2, r.averageMedianMs()),
                r);
        for (double ms : new double[] {r.exactMedianMs(), r.sinkhornMedianMs(), r.averageMedianMs()}) {
            assertTrue(Double.isFinite(ms) && ms >= 0, r.summary());
        }
    }
}
