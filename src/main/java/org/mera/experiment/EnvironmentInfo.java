package org.mera.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine and software a run used, recorded with its results so a report can say what produced them. */
public final class EnvironmentInfo {
    private EnvironmentInfo() {}

    public static Map<String, Object> capture() {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put(
                "java",
                System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                        + System.getProperty("java.vm.name") + ")");
        env.put("djl", djlVersion());
        env.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        env.put("cpu", cpuModel());
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        env.put("meraSource", SourceVersion.current());
        return env;
    }

    /** Read from DJL's jar manifest (Specification-Version), so that asking does not load a native engine. */
    static String djlVersion() {
        Package p = ai.djl.ndarray.NDArray.class.getPackage();
        String v = p == null ? null : p.getSpecificationVersion();
        return v == null ? "unknown" : v;
    }

    static String cpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                for (String line : Files.readAllLines(cpuinfo)) {
                    if (line.startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).trim();
                    }
                }
            } catch (IOException e) {
                return "unreadable /proc/cpuinfo (" + e.getMessage() + ")";
            }
        }
        return System.getProperty("os.arch") + " (model unknown)";
    }
}
