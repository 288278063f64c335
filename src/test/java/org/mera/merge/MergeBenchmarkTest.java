package org.mera.merge;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MergeBenchmarkTest {
    @Test
    void smallBenchmarkReportsPositiveMedians() {
        MergeBenchmark.Result r = MergeBenchmark.run(3, 2, 32, 8, 3);
        assertTrue(r.exactMedianMs() > 0 && r.sinkhornMedianMs() > 0 && r.averageMedianMs() > 0);
        assertTrue(r.summary().contains("3 Pfeiffer adapters"), r.summary());
    }
}
