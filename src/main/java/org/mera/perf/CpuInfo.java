package org.mera.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The processor as /proc/cpuinfo names it: benchmark figures mean little without it.
 *
 * @param modelName    "model name" of the first processor, e.g. "AMD EPYC 9R14"; "unknown" when absent
 * @param vendorId     "vendor_id", e.g. "AuthenticAMD" or "GenuineIntel"; "unknown" when absent
 * @param logicalCpus  processor entries listed (all CPUs of the machine, not only those this process may use)
 * @param availableCpus CPUs the JVM may use (affinity and container limits applied)
 */
public record CpuInfo(String modelName, String vendorId, int logicalCpus, int availableCpus) {
    private static final Path PROC_CPUINFO = Path.of("/proc/cpuinfo");

    /** Reads /proc/cpuinfo; on systems without it, names are "unknown" and logicalCpus is the JVM's count. */
    public static CpuInfo read() {
        int available = Runtime.getRuntime().availableProcessors();
        if (!Files.isReadable(PROC_CPUINFO)) {
            return new CpuInfo("unknown", "unknown", available, available);
        }
        try {
            return parse(Files.readString(PROC_CPUINFO, StandardCharsets.UTF_8), available);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + PROC_CPUINFO, e);
        }
    }

    static CpuInfo parse(String cpuinfo, int availableCpus) {
        String model = null;
        String vendor = null;
        int processors = 0;
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "processor" -> processors++;
                case "model name" -> model = model == null ? value : model;
                case "vendor_id" -> vendor = vendor == null ? value : vendor;
                default -> {}
            }
        }
        return new CpuInfo(
                model == null ? "unknown" : model,
                vendor == null ? "unknown" : vendor,
                processors == 0 ? availableCpus : processors,
                availableCpus);
    }
}
