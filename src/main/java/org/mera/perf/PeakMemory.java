package org.mera.perf;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.mera.model.NativeHeap;

/**
 * Memory high-water marks of this process. The resident set (VmHWM) counts native memory too, which is where
 * libtorch keeps tensors; the JVM heap figures only cover Java objects.
 */
public final class PeakMemory {
    private static final Path PROC_STATUS = Path.of("/proc/self/status");
    private static final double MIB = 1024.0 * 1024.0;

    private PeakMemory() {}

    /**
     * @param peakRssBytes     VmHWM: peak resident set size of the process, empty where /proc is absent
     * @param currentRssBytes  VmRSS: current resident set size, empty where /proc is absent
     * @param heapPeakUsedBytes sum over heap memory pools of their peak usage since JVM start
     * @param heapMaxBytes     the heap limit (-Xmx), or -1 when undefined
     */
    public record Snapshot(
            OptionalLong peakRssBytes, OptionalLong currentRssBytes, long heapPeakUsedBytes, long heapMaxBytes) {
        /** Peak RSS in MiB, or NaN where it cannot be read. */
        public double peakRssMiB() {
            return peakRssBytes.isPresent() ? peakRssBytes.getAsLong() / MIB : Double.NaN;
        }

        public double heapPeakUsedMiB() {
            return heapPeakUsedBytes / MIB;
        }
    }

    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    /**
     * Resets the resident-set high-water mark (VmHWM) to the current RSS, so that the next {@link #snapshot}
     * gives the peak of what ran in between rather than of the whole process ("5" to /proc/self/clear_refs,
     * Linux 4.0+), after handing the allocator's free pages back ({@link NativeHeap#release}) so that memory an
     * earlier measurement freed does not count. Returns false where that file is absent or not writable; the peak
     * then stays cumulative.
     */
    public static boolean resetPeak() {
        NativeHeap.release();
        if (!Files.isWritable(CLEAR_REFS)) {
            return false;
        }
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException e) {
            return false; // a kernel without the "5" command: the peak stays process-wide, as documented
        }
    }

    public static Snapshot snapshot() {
        OptionalLong peak = OptionalLong.empty();
        OptionalLong current = OptionalLong.empty();
        if (Files.isReadable(PROC_STATUS)) {
            String status;
            try {
                status = Files.readString(PROC_STATUS, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + PROC_STATUS, e);
            }
            peak = statusKiB(status, "VmHWM");
            current = statusKiB(status, "VmRSS");
        }
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        long heapMax = Runtime.getRuntime().maxMemory();
        return new Snapshot(peak, current, heapPeak, heapMax == Long.MAX_VALUE ? -1 : heapMax);
    }

    /** Reads a "Key:   1234 kB" line of /proc/PID/status as bytes; empty when the key is absent. */
    static OptionalLong statusKiB(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                String[] parts = line.substring(key.length() + 1).trim().split("\\s+");
                if (parts.length != 2 || !parts[1].equals("kB")) {
                    throw new IllegalStateException("unexpected " + key + " line in /proc/self/status: '" + line + "'");
                }
                return OptionalLong.of(Long.parseLong(parts[0]) * 1024L);
            }
        }
        return OptionalLong.empty();
    }
}
