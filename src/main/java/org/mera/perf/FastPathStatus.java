package org.mera.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which parts of the launcher's fast path (scripts/fastpath.sh) this process runs with.
 *
 * @param launcherSummary what fastpath.sh applied (its MERA_FAST_PATH variable, e.g.
 *                        "mkl-shim=on,threads=2,allocator=system"), or "off" when it did not run
 * @param mklShimMapped   whether libmera_mkl_intel.so is mapped into this process, read from /proc/self/maps
 */
public record FastPathStatus(String launcherSummary, boolean mklShimMapped) {
    public static final String SHIM_FILE_NAME = "libmera_mkl_intel.so";

    public static FastPathStatus current() {
        String summary = System.getenv("MERA_FAST_PATH");
        return new FastPathStatus(
                summary == null || summary.isBlank() ? "off" : summary, shimMapped(Path.of("/proc/self/maps")));
    }

    public boolean launcherApplied() {
        return !launcherSummary.equals("off");
    }

    static boolean shimMapped(Path maps) {
        if (!Files.isReadable(maps)) {
            return false;
        }
        try {
            return Files.readString(maps, StandardCharsets.UTF_8).contains("/" + SHIM_FILE_NAME);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + maps, e);
        }
    }
}
