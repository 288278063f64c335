package org.mera.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/fastpath.sh: the MKL shim it builds, and what it applies (or refuses to) for the launcher. */
class FastPathScriptTest {
    private static final Path SCRIPT = Path.of("scripts/fastpath.sh").toAbsolutePath();

    @TempDir
    Path tmp;

    record Run(int exitCode, String stdout, String stderr) {}

    private static Run bash(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        // A clean slate: settings of the JVM running the tests must not leak into the script's decisions.
        for (String name : List.of(
                "LD_PRELOAD",
                "OMP_NUM_THREADS",
                "MKL_NUM_THREADS",
                "OMP_WAIT_POLICY",
                "GOMP_SPINCOUNT",
                "MERA_NO_FAST_PATH",
                "MERA_MKL_SHIM",
                "MERA_ALLOCATOR",
                "MERA_FAST_PATH",
                "MERA_FAST_PATH_VERBOSE",
                "MERA_CC",
                "MERA_CPUINFO",
                "MERA_SYSFS_CPU",
                "MALLOC_CONF",
                "MALLOC_MMAP_THRESHOLD_",
                "MALLOC_TRIM_THRESHOLD_",
                "MALLOC_TOP_PAD_",
                "GLIBC_TUNABLES")) {
            pb.environment().remove(name);
        }
        pb.environment().put("MERA_ALLOCATOR", "none");
        pb.environment().putAll(env);
        Path out = Files.createTempFile("fastpath", ".out");
        Path err = Files.createTempFile("fastpath", ".err");
        try {
            Process p =
                    pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bash " + args[0] + " did not finish in 60 s");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static boolean hasGcc() throws IOException, InterruptedException {
        return bash(Map.of(), "-c", "command -v gcc").exitCode() == 0;
    }

    private static String line(Run run, String key) {
        return run.stdout()
                .lines()
                .filter(l -> l.startsWith(key + "="))
                .findFirst()
                .map(l -> l.substring(key.length() + 1))
                .orElseThrow(() -> new AssertionError("no " + key + "= line in: " + run.stdout()));
    }

    private Path cpuinfo(String vendor) throws IOException {
        Path file = tmp.resolve(vendor + ".cpuinfo");
        Files.writeString(file, "processor\t: 0\nvendor_id\t: " + vendor + "\nmodel name\t: test cpu\n\n");
        return file;
    }

    @Test
    void shimBuildsAndExportsTheMklVendorCheckAnsweringIntel() throws Exception {
        Assumptions.assumeTrue(hasGcc(), "gcc is not installed: the MKL shim cannot be built on this machine");
        Path so = tmp.resolve("libmera_mkl_intel.so");
        Run build = bash(Map.of(), SCRIPT.toString(), "--build-shim", so.toString());
        assertEquals(0, build.exitCode(), build.stderr());
        assertTrue(Files.size(so) > 0);

        Run nm = bash(Map.of(), "-c", "nm -D --defined-only \"$0\"", so.toString());
        assertEquals(0, nm.exitCode(), nm.stderr());
        assertTrue(
                nm.stdout().lines().anyMatch(l -> l.matches("[0-9a-f]+ T mkl_serv_intel_cpu_true")),
                "exported symbols: " + nm.stdout());

        // Load it the way ld.so resolves MKL's call, and check the answer is "Intel".
        Path caller = tmp.resolve("caller.c");
        Files.writeString(caller, """
                #include <dlfcn.h>
                #include <stdio.h>
                int main(int argc, char **argv) {
                    void *lib = dlopen(argv[1], RTLD_NOW);
                    if (!lib) { fprintf(stderr, "%s\\n", dlerror()); return 2; }
                    int (*check)(void) = (int (*)(void)) dlsym(lib, "mkl_serv_intel_cpu_true");
                    if (!check) { fprintf(stderr, "%s\\n", dlerror()); return 3; }
                    printf("%d\\n", check());
                    return 0;
                }
                """);
        Path exe = tmp.resolve("caller");
        Run cc = bash(Map.of(), "-c", "gcc -o \"$0\" \"$1\" -ldl", exe.toString(), caller.toString());
        assertEquals(0, cc.exitCode(), cc.stderr());
        Run call = bash(Map.of(), "-c", "\"$0\" \"$1\"", exe.toString(), so.toString());
        assertEquals(0, call.exitCode(), call.stderr());
        assertEquals("1", call.stdout().strip());
    }

    @Test
    void buildWithoutCompilerExitsThreeWithAMessage() throws Exception {
        Run build = bash(
                Map.of("MERA_CC", "/nonexistent/cc"),
                SCRIPT.toString(),
                "--build-shim",
                tmp.resolve("x.so").toString());
        assertEquals(3, build.exitCode());
        assertTrue(build.stderr().contains("no C compiler '/nonexistent/cc'"), build.stderr());
        assertFalse(Files.exists(tmp.resolve("x.so")));
    }

    @Test
    void amdProcessorGetsTheShimPreloadedAndThreadSettings() throws Exception {
        Assumptions.assumeTrue(hasGcc(), "gcc is not installed: the MKL shim cannot be built on this machine");
        Assumptions.assumeTrue(
                "amd64".equals(System.getProperty("os.arch")) && "Linux".equals(System.getProperty("os.name")),
                "the shim is only applied on x86-64 Linux");
        Run show = bash(Map.of("MERA_CPUINFO", cpuinfo("AuthenticAMD").toString()), SCRIPT.toString(), "--show");
        assertEquals(0, show.exitCode(), show.stderr());
        assertEquals("", show.stderr());
        assertTrue(
                line(show, "LD_PRELOAD").endsWith("/target/fastpath/" + FastPathStatus.SHIM_FILE_NAME), show.stdout());
        String threads = line(show, "OMP_NUM_THREADS");
        assertTrue(threads.matches("[1-9][0-9]*"), show.stdout());
        assertEquals(threads, line(show, "MKL_NUM_THREADS"));
        assertEquals(
                "-Dai.djl.pytorch.num_threads=" + threads + " -Dai.djl.pytorch.num_interop_threads=1",
                line(show, "java_opts"));
        assertEquals("PASSIVE", line(show, "OMP_WAIT_POLICY"), show.stdout());
        assertEquals(
                "mkl-shim=on,threads=" + threads + ",omp-wait=passive,allocator=system(heap-kept)",
                line(show, "MERA_FAST_PATH"));
        assertEquals("33554432", line(show, "MALLOC_MMAP_THRESHOLD_"), show.stdout());
    }

    /** glibc's heap settings: any one the user set turns ours off (setting one changes how the others behave). */
    @Test
    void userGlibcHeapSettingsAreKept() throws Exception {
        Run show = bash(
                Map.of(
                        "MERA_CPUINFO",
                        cpuinfo("GenuineIntel").toString(),
                        "MERA_ALLOCATOR",
                        "none",
                        "MALLOC_TRIM_THRESHOLD_",
                        "1048576"),
                SCRIPT.toString(),
                "--show");
        assertEquals(0, show.exitCode(), show.stderr());
        assertEquals("", line(show, "MALLOC_MMAP_THRESHOLD_"), show.stdout());
        assertTrue(line(show, "MERA_FAST_PATH").endsWith(",allocator=system(user-tuned)"), show.stdout());
    }

    /** jemalloc, where installed, is preloaded with page decay off unless the user wrote a MALLOC_CONF. */
    @Test
    void jemallocGetsDecayOffUnlessTheUserConfiguredIt() throws Exception {
        Path jemalloc = Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2");
        Assumptions.assumeTrue(Files.isRegularFile(jemalloc), "jemalloc (Debian libjemalloc2) is not installed here");
        Map<String, String> env =
                Map.of("MERA_CPUINFO", cpuinfo("GenuineIntel").toString(), "MERA_ALLOCATOR", jemalloc.toString());
        Run show = bash(env, SCRIPT.toString(), "--show");
        assertEquals(0, show.exitCode(), show.stderr());
        assertEquals(jemalloc.toString(), line(show, "LD_PRELOAD"));
        assertEquals("dirty_decay_ms:-1,muzzy_decay_ms:-1", line(show, "MALLOC_CONF"));
        assertTrue(line(show, "MERA_FAST_PATH").endsWith(",allocator=libjemalloc.so.2(no-decay)"), show.stdout());
        Map<String, String> own = new java.util.HashMap<>(env);
        own.put("MALLOC_CONF", "dirty_decay_ms:1000");
        Run user = bash(own, SCRIPT.toString(), "--show");
        assertEquals("dirty_decay_ms:1000", line(user, "MALLOC_CONF"));
        assertTrue(line(user, "MERA_FAST_PATH").endsWith(",allocator=libjemalloc.so.2"), user.stdout());
    }

    /** A wait policy or spin count the user chose is theirs: the script neither overrides nor adds to it. */
    @Test
    void userOpenMpWaitSettingsAreKept() throws Exception {
        Run active = bash(
                Map.of("MERA_CPUINFO", cpuinfo("GenuineIntel").toString(), "OMP_WAIT_POLICY", "ACTIVE"),
                SCRIPT.toString(),
                "--show");
        assertEquals(0, active.exitCode(), active.stderr());
        assertEquals("ACTIVE", line(active, "OMP_WAIT_POLICY"));
        assertTrue(line(active, "MERA_FAST_PATH").contains(",omp-wait=user,"), active.stdout());
        Run spin = bash(
                Map.of("MERA_CPUINFO", cpuinfo("GenuineIntel").toString(), "GOMP_SPINCOUNT", "10000"),
                SCRIPT.toString(),
                "--show");
        assertEquals(0, spin.exitCode(), spin.stderr());
        assertEquals("", line(spin, "OMP_WAIT_POLICY"), "GOMP_SPINCOUNT alone decides libgomp's spinning");
        assertTrue(line(spin, "MERA_FAST_PATH").contains(",omp-wait=user,"), spin.stdout());
    }

    @Test
    void intelProcessorGetsNoPreload() throws Exception {
        Run show = bash(Map.of("MERA_CPUINFO", cpuinfo("GenuineIntel").toString()), SCRIPT.toString(), "--show");
        assertEquals(0, show.exitCode(), show.stderr());
        assertEquals("", line(show, "LD_PRELOAD"));
        assertTrue(line(show, "MERA_FAST_PATH").startsWith("mkl-shim=no(GenuineIntel),threads="), show.stdout());
    }

    /** Hyper-threads of one core share its vector units: MKL gains nothing from a second thread there. */
    @Test
    void threadsCountPhysicalCoresNotHyperThreads() throws Exception {
        Run allowed = bash(Map.of(), "-c", "sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status");
        Assumptions.assumeTrue(
                allowed.stdout().strip().equals("0-1"), "needs exactly CPUs 0-1 available, have " + allowed.stdout());
        Path sysfs = tmp.resolve("cpu");
        for (int cpu = 0; cpu < 2; cpu++) {
            Path topology = Files.createDirectories(sysfs.resolve("cpu" + cpu + "/topology"));
            Files.writeString(topology.resolve("physical_package_id"), "0\n");
            Files.writeString(topology.resolve("core_id"), "0\n"); // both CPUs are threads of core 0
        }
        Run show = bash(
                Map.of("MERA_CPUINFO", cpuinfo("GenuineIntel").toString(), "MERA_SYSFS_CPU", sysfs.toString()),
                SCRIPT.toString(),
                "--show");
        assertEquals(0, show.exitCode(), show.stderr());
        assertEquals("1", line(show, "OMP_NUM_THREADS"), show.stdout());
    }

    @Test
    void userThreadSettingsAreKept() throws Exception {
        Run show = bash(
                Map.of(
                        "MERA_CPUINFO",
                        cpuinfo("GenuineIntel").toString(),
                        "OMP_NUM_THREADS",
                        "1",
                        "MKL_NUM_THREADS",
                        "1"),
                SCRIPT.toString(),
                "--show");
        assertEquals(0, show.exitCode(), show.stderr());
        assertEquals("1", line(show, "OMP_NUM_THREADS"));
        assertEquals("1", line(show, "MKL_NUM_THREADS"));
        assertEquals("-Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1", line(show, "java_opts"));
    }

    @Test
    void allocatorThatIsNotAFileIsRefusedWithOneWarning() throws Exception {
        Run show = bash(
                Map.of(
                        "MERA_CPUINFO",
                        cpuinfo("GenuineIntel").toString(),
                        "MERA_ALLOCATOR",
                        "/nonexistent/libjemalloc.so.2"),
                SCRIPT.toString(),
                "--show");
        assertEquals(0, show.exitCode(), show.stderr());
        assertEquals(
                List.of(
                        "mera: fast path: MERA_ALLOCATOR=/nonexistent/libjemalloc.so.2 is not a file; continuing on the plain path"),
                show.stderr().lines().toList());
        assertEquals("", line(show, "LD_PRELOAD"));
        assertEquals("", line(show, "java_opts"));
    }

    @Test
    void turnedOffAppliesNothing() throws Exception {
        Run show = bash(
                Map.of(
                        "MERA_NO_FAST_PATH",
                        "1",
                        "MERA_CPUINFO",
                        cpuinfo("AuthenticAMD").toString()),
                SCRIPT.toString(),
                "--show");
        assertEquals(0, show.exitCode(), show.stderr());
        assertEquals("", line(show, "LD_PRELOAD"));
        assertEquals("", line(show, "OMP_NUM_THREADS"));
        assertEquals("", line(show, "OMP_WAIT_POLICY"));
        assertEquals("", line(show, "MERA_FAST_PATH"));
        assertEquals("", line(show, "java_opts"));
    }

    /** Sourced the way ./mera does it, under set -euo pipefail: a failure warns once and changes nothing. */
    @Test
    void failureWhileSourcedWarnsOnceAndLeavesTheLauncherOnThePlainPath() throws Exception {
        String launcher = "set -euo pipefail; java_opts=(-Dai.djl.offline=true); source \"$0\"; "
                + "echo \"opts=${java_opts[*]}\"; echo \"preload=${LD_PRELOAD:-}\"; echo reached-exec";
        Run run = bash(
                Map.of(
                        "OMP_NUM_THREADS",
                        "lots",
                        "MERA_CPUINFO",
                        cpuinfo("AuthenticAMD").toString()),
                "-c",
                launcher,
                SCRIPT.toString());
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(
                List.of(
                        "mera: fast path: OMP_NUM_THREADS='lots' is not a positive integer; continuing on the plain path"),
                run.stderr().lines().toList());
        assertEquals(
                List.of("opts=-Dai.djl.offline=true", "preload=", "reached-exec"),
                run.stdout().lines().toList());
    }

    @Test
    void sourcedSuccessfullyAppendsToTheLaunchersJavaOptions() throws Exception {
        String launcher =
                "set -euo pipefail; java_opts=(-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=7); source \"$0\"; "
                        + "printf '%s\\n' \"${java_opts[@]}\"; declare -F | grep -c _mera_fp_ || true";
        Run run = bash(Map.of("MERA_CPUINFO", cpuinfo("GenuineIntel").toString()), "-c", launcher, SCRIPT.toString());
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("", run.stderr());
        // The user's num_threads is kept; the script's helper functions do not linger in the launcher.
        assertEquals(
                List.of(
                        "-Dai.djl.offline=true",
                        "-Dai.djl.pytorch.num_threads=7",
                        "-Dai.djl.pytorch.num_interop_threads=1",
                        "0"),
                run.stdout().lines().toList());
    }
}
