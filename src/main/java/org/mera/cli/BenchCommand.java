package org.mera.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mera.perf.BenchReport;
import org.mera.perf.CpuInfo;
import org.mera.perf.FastPathStatus;
import org.mera.perf.MatmulPeak;
import org.mera.perf.PeakMemory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mera bench}: measures the float32 matmul peak through DJL/PyTorch, prints the table and records it
 * in a generated section of docs/performance.md (one section per fast-path state, so runs with and without
 * it sit side by side).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        header = "Measure speed and memory: forward passes, training steps, their matrix-product floor.",
        description = {
            "Measure the float32 matmul peak, encoder forward passes and adapter-tuning, LoRA, full fine-tuning and"
                    + " AdapterFusion steps (tokens/s, achieved GFLOP/s, peak memory), each step's matrix products alone"
                    + " (the floor no float32 implementation on this BLAS can beat) and OT-merge timings; record them"
                    + " in docs/performance.md."
        })
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--sizes",
            split = ",",
            defaultValue = "1024,2048",
            description = "Square matrix sizes n to multiply (n x n by n x n). Default: ${DEFAULT-VALUE}.")
    List<Integer> sizes;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed runs per size. Default: ${DEFAULT-VALUE}.")
    int warmupRuns;

    @Option(
            names = "--runs",
            defaultValue = "7",
            description = "Timed runs per size; the median is reported. Default: ${DEFAULT-VALUE}.")
    int timedRuns;

    @Option(
            names = "--doc",
            defaultValue = "docs/performance.md",
            description = "Markdown file whose generated section is replaced. Default: ${DEFAULT-VALUE}.")
    Path doc;

    @Option(
            names = "--section",
            description =
                    "Section id in --doc. Default: matmul-fast-path or matmul-plain, after the launcher's fast path.")
    String section;

    @Option(names = "--no-doc", description = "Only print; leave --doc alone.")
    boolean noDoc;

    @Option(
            names = "--models",
            split = ",",
            defaultValue = "minilm,bert-base-uncased",
            description =
                    "Encoders to time (forward, adapter-tuning, LoRA, full fine-tuning and AdapterFusion steps, and the matrix products of forward, adapter and full steps alone); 'none' to skip. Default: ${DEFAULT-VALUE}.")
    List<String> models;

    @Option(
            names = "--batch",
            defaultValue = "32",
            description = "Batch size of the encoder timings. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(
            names = "--seq",
            defaultValue = "128",
            description = "Sequence length of the encoder timings. Default: ${DEFAULT-VALUE}.")
    int seq;

    @Option(
            names = "--model-runs",
            defaultValue = "3",
            description = "Timed runs per encoder measurement (median). Default: ${DEFAULT-VALUE}.")
    int modelRuns;

    @Option(names = "--no-merge", description = "Skip timing the OT merge of 8 bert-base-sized adapters.")
    boolean noMerge;

    @Option(
            names = "--peer",
            paramLabel = "PYTHON",
            description = {
                "Also time the same encoder rows in Hugging Face transformers + PEFT (scripts/peer_bench.py, run by "
                        + "this Python) right after mera's, and print both side by side; e.g.",
                "--peer $(../shared/tools/python-oracle)"
            })
    String peerPython;

    @Option(
            names = "--padding-tasks",
            split = ",",
            paramLabel = "TASK",
            description = "Also time one epoch of adapter steps over each task's k-shot training split (16-13), padded "
                    + "to each batch's longest row as few-shot runs do, against the same batches padded to 128, for "
                    + "every --models encoder (GLUE task names; data from --glue).")
    List<String> paddingTasks = List.of();

    @Option(
            names = "--glue",
            paramLabel = "DIR",
            defaultValue = "../shared/data/glue",
            showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
            description = {
                "GLUE root for --padding-tasks, read as TASK/k-shot/16-13/train.tsv; default:",
                "../shared/data/glue"
            })
    Path glue;

    /** Runs the command on its own (before it is registered under {@code mera}): same options and output. */
    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        System.exit(new picocli.CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        for (int n : sizes) {
            if (n < 1) {
                throw new ParameterException(spec.commandLine(), "--sizes: every size must be >= 1, got " + n);
            }
        }
        if (warmupRuns < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup must be >= 0, got " + warmupRuns);
        }
        if (timedRuns < 1) {
            throw new ParameterException(spec.commandLine(), "--runs must be >= 1, got " + timedRuns);
        }
        for (String t : paddingTasks) {
            // Checked before any timing starts: a wrong name or a missing file should not cost the encoder rows.
            try {
                org.mera.data.TaskDirectory.under(
                                glue, org.mera.data.TaskRegistry.withGlue().get(t))
                        .kshotTrainFile(16, 13);
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new ParameterException(spec.commandLine(), "--padding-tasks " + t + ": " + e.getMessage());
            }
        }
        BenchReport report = run();
        spec.commandLine().getOut().print(report.toText());
        spec.commandLine().getOut().flush();
        if (!noDoc) {
            String id = section != null ? section : defaultSectionId(FastPathStatus.current());
            report.writeSection(doc, id);
            spec.commandLine().getErr().println("bench: wrote section '" + id + "' of " + doc);
        }
        return 0;
    }

    /** This command's own arguments: under {@code mera}, the parse result's arguments start with "bench". */
    private List<String> ownArgs() {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        int at = spec.parent() == null ? -1 : args.indexOf(spec.name());
        return args.subList(at + 1, args.size());
    }

    BenchReport run() {
        Engine engine = Engine.getEngine("PyTorch");
        CpuInfo cpu = CpuInfo.read();
        FastPathStatus fastPath = FastPathStatus.current();
        BenchReport report = new BenchReport("mera bench, fast path " + (fastPath.launcherApplied() ? "on" : "off"));
        report.environment(
                        "CPU",
                        cpu.modelName() + " (" + cpu.vendorId() + "), " + cpu.availableCpus() + " of "
                                + cpu.logicalCpus() + " logical CPUs available")
                .environment(
                        "engine",
                        engine.getEngineName() + " " + engine.getVersion() + ", DJL " + Engine.getDjlVersion())
                .environment(
                        "threads",
                        "torch intra-op " + JniUtils.getNumThreads() + ", inter-op " + JniUtils.getNumInteropThreads()
                                + ", OMP_NUM_THREADS=" + envOrUnset("OMP_NUM_THREADS") + ", MKL_NUM_THREADS="
                                + envOrUnset("MKL_NUM_THREADS"))
                .environment(
                        "fast path",
                        fastPath.launcherSummary() + "; MKL shim "
                                + (fastPath.mklShimMapped() ? "mapped" : "not mapped") + " in this process")
                .environment(
                        "runs",
                        warmupRuns + " warm-up + " + timedRuns + " timed per size, median reported;"
                                + " GFLOP per CPU-second divides by the process's CPU time instead of wall time")
                .environment("command", ("mera bench " + String.join(" ", ownArgs())).strip());
        try (NDManager manager = NDManager.newBaseManager(engine.defaultDevice(), engine.getEngineName())) {
            for (int n : sizes) {
                MatmulPeak.Result result = MatmulPeak.measure(manager, n, warmupRuns, timedRuns);
                report.add(result.toRow(PeakMemory.snapshot().peakRssMiB()));
                report.environment("checksum " + n, String.format(Locale.ROOT, "%.6e", result.checksum()));
                report.environment(
                        "GFLOP per CPU-second " + n, String.format(Locale.ROOT, "%.1f", result.gflopsPerCpuSecond()));
            }
        }
        for (String m : models) {
            if (m.equals("none")) {
                continue;
            }
            try {
                org.mera.model.PretrainedModel pm = org.mera.model.PretrainedModel.load(
                        org.mera.model.ModelCatalog.fromEnvironment().resolve(m));
                List<org.mera.perf.BenchRow> rows = org.mera.perf.EncoderBenchmark.run(m, pm, batch, seq, 1, modelRuns);
                rows.forEach(report::add);
                org.mera.perf.MatmulFloor.Result floor =
                        org.mera.perf.MatmulFloor.run(pm.config(), batch, seq, 1, modelRuns);
                floor.rows(m, batch, seq, PeakMemory.snapshot().peakRssMiB()).forEach(report::add);
                if (peerPython != null) {
                    List<org.mera.perf.PeerBenchmark.Row> peer = org.mera.perf.PeerBenchmark.run(
                            peerPython,
                            Path.of("scripts", "peer_bench.py"),
                            org.mera.model.ModelCatalog.fromEnvironment().resolve(m),
                            m,
                            batch,
                            seq,
                            JniUtils.getNumThreads(),
                            1,
                            modelRuns);
                    report.environment(
                            "peer " + m,
                            peer.isEmpty() ? "no rows" : peer.get(0).versions());
                    report.block(org.mera.perf.PeerBenchmark.sideBySide(
                            m, rows.subList(0, Math.min(4, rows.size())), peer, floor));
                }
                for (String t : paddingTasks) {
                    org.mera.data.Task task =
                            org.mera.data.TaskRegistry.withGlue().get(t);
                    List<org.mera.data.Example> train =
                            org.mera.data.TaskDirectory.under(glue, task).kshotTrain(16, 13);
                    org.mera.perf.PaddingBenchmark.Result r =
                            org.mera.perf.PaddingBenchmark.run(pm, task, train, 8, 1, modelRuns);
                    r.rows(m).forEach(report::add);
                    report.block(String.format(
                            Locale.ROOT,
                            "%s %s k-shot: padding to each batch's longest computes %d positions for %d real tokens "
                                    + "(%d at %d), an epoch %.2fx faster.",
                            m,
                            t,
                            r.dynamicTokens(),
                            r.realTokens(),
                            r.fixedTokens(),
                            r.fixedLength(),
                            r.speedup()));
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("bench: cannot load model " + m, e);
            }
        }
        if (!noMerge) {
            org.mera.perf.MergeBenchmark.Result r = org.mera.perf.MergeBenchmark.runDefault();
            report.add(org.mera.perf.BenchRow.timing(
                    "OT merge, 8 bert-base Pfeiffer adapters, exact",
                    r.exactMedianMs() / 1000,
                    PeakMemory.snapshot().peakRssMiB()));
            report.add(org.mera.perf.BenchRow.timing(
                    "OT merge, 8 bert-base Pfeiffer adapters, Sinkhorn",
                    r.sinkhornMedianMs() / 1000,
                    PeakMemory.snapshot().peakRssMiB()));
            report.add(org.mera.perf.BenchRow.timing(
                    "average merge, 8 bert-base Pfeiffer adapters",
                    r.averageMedianMs() / 1000,
                    PeakMemory.snapshot().peakRssMiB()));
        }
        PeakMemory.Snapshot memory = PeakMemory.snapshot();
        report.environment(
                "peak memory",
                String.format(
                        Locale.ROOT,
                        "RSS %.0f MiB, JVM heap peak %.0f MiB (max %s)",
                        memory.peakRssMiB(),
                        memory.heapPeakUsedMiB(),
                        memory.heapMaxBytes() < 0
                                ? "unbounded"
                                : String.format(Locale.ROOT, "%.0f MiB", memory.heapMaxBytes() / 1048576.0)));
        return report;
    }

    static String defaultSectionId(FastPathStatus fastPath) {
        return fastPath.launcherApplied() ? "matmul-fast-path" : "matmul-plain";
    }

    private static String envOrUnset(String name) {
        String value = System.getenv(name);
        return value == null ? "unset" : value;
    }
}
