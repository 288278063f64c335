package org.mera.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PeakMemoryTest {
    @Test
    void parsesProcStatusLines() {
        String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n";
        assertEquals(OptionalLong.of(2048L * 1024), PeakMemory.statusKiB(status, "VmHWM"));
        assertEquals(OptionalLong.of(1024L * 1024), PeakMemory.statusKiB(status, "VmRSS"));
        assertEquals(OptionalLong.empty(), PeakMemory.statusKiB(status, "VmSwap"));
        assertThrows(IllegalStateException.class, () -> PeakMemory.statusKiB("VmHWM:\t12 pages\n", "VmHWM"));
    }

    @Test
    void peakResidentSetCoversTheCurrentOneAndGrowsWithNativeUse() {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "no /proc on this system");
        PeakMemory.Snapshot before = PeakMemory.snapshot();
        assertTrue(before.peakRssBytes().getAsLong() >= before.currentRssBytes().getAsLong());
        assertTrue(before.currentRssBytes().getAsLong() > 0);
        // Touch 256 MiB more than the current peak; the high-water mark must follow.
        long extra = 256L << 20;
        var buffer = java.nio.ByteBuffer.allocateDirect((int) extra);
        for (int i = 0; i < buffer.capacity(); i += 4096) {
            buffer.put(i, (byte) 1);
        }
        PeakMemory.Snapshot after = PeakMemory.snapshot();
        assertTrue(
                after.currentRssBytes().getAsLong() >= before.currentRssBytes().getAsLong() + extra / 2,
                "RSS " + before.currentRssBytes() + " -> " + after.currentRssBytes());
        assertTrue(after.peakRssBytes().getAsLong() >= after.currentRssBytes().getAsLong());
        assertTrue(after.heapPeakUsedBytes() > 0);
        assertEquals(1, buffer.get(0));
    }
}
