package org.mera.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mera.data.Task;
import org.mera.data.TaskDirectory;
import org.mera.io.AtomicFiles;
import org.mera.model.ModelCatalog;
import org.mera.model.PretrainedModel;
import org.mera.train.AdapterFiles;
import org.mera.train.Method;
import org.mera.train.TrainOptions;
import org.mera.train.TrainingRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mera fewshot}: the LM-BFF protocol. One run per seed: train on k-shot/K-SEED/train, select the best
 * state on k-shot/K-SEED/dev, score on the task's test file; report mean ± std over the seeds.
 */
@Command(
        name = "fewshot",
        mixinStandardHelpOptions = true,
        header = "Train and test one few-shot run per LM-BFF seed; print mean ± std.",
        description = {
            "Train one run per LM-BFF seed (k-shot train, k-shot dev for model selection, test for evaluation)",
            "and print mean ± std (population std, as LM-BFF reports it) of the task's metrics over the seeds."
        })
public final class FewshotCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "catalog name (see `mera models`) or HF model directory")
    String model;

    @Option(
            names = "--task",
            required = true,
            paramLabel = "NAME_OR_DIR",
            description =
                    "a built-in task (a GLUE task such as RTE, "
                            + "or a WordNet task such as wn-antonym) or a task directory (its task.yaml, or inferred from its files)")
    String task;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "task directory (or a folder holding a built-in task's directory; "
                            + "default: --task, when it is a directory; a WordNet task: the suite mera demo generates under $MERA_HOME)")
    Path data;

    @Option(names = "--k", defaultValue = "16", description = "examples per class (default: ${DEFAULT-VALUE})")
    int k;

    @Option(
            names = "--seeds",
            split = ",",
            description = "split seeds (default: 13,21,42,87,100); each also seeds its run")
    List<Integer> seeds = new ArrayList<>(TaskDirectory.LM_BFF_SEEDS);

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "also write the per-seed results and the summary as JSON")
    Path out;

    @Option(
            names = "--splits-out",
            paramLabel = "DIR",
            description = {
                "where k-shot splits sampled from a plain train file are saved, as K-SEED/train.jsonl and dev.jsonl;",
                "default: OUT.splits beside --out, else",
                "./mera-splits/TASK"
            })
    Path splitsOut;

    @Mixin
    TrainingArgs training = new TrainingArgs();

    /** One seed's result. */
    record SeedResult(int seed, TrainingRun.Outcome outcome, int train, int dev, int test) {}

    @Override
    public Integer call() throws Exception {
        return CommandErrors.run("fewshot", spec.commandLine().getErr(), this::run);
    }

    private int run() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        training.validateNumbers();
        if (k <= 0) {
            throw new IllegalArgumentException("--k must be positive, got " + k);
        }
        if (out == null) {
            return fewshot(stdout);
        }
        try (var claimed = org.mera.io.OutputLock.file(out)) {
            return fewshot(stdout);
        }
    }

    private int fewshot(PrintWriter stdout) throws IOException {
        TrainingData.Source src = TrainingData.resolve(task, data);
        if (src.dir() == null) {
            throw new IllegalArgumentException("fewshot reads a task directory, but --data " + data + " is a file");
        }
        Task t = src.task();
        List<String> metricNames = src.definition().metrics();
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("--seeds is empty");
        }
        TaskDirectory td = src.dir();
        if (!td.hasKShot(k) && td.trainFile().isPresent()) {
            // No k-shot splits: draw them LM-BFF's way from the train file and save them, so the run can be repeated.
            Path root = splitsOut != null
                    ? splitsOut
                    : out != null
                            ? out.toAbsolutePath().resolveSibling(out.getFileName() + ".splits")
                            : Path.of("mera-splits", t.name());
            List<org.mera.data.Example> pool = td.read(td.trainFile().get());
            for (int s : seeds) {
                org.mera.data.ExampleWriter.writeKShot(
                        root, k, s, org.mera.data.KShotSampler.sampleTrainAndDev(pool, t, k, s));
            }
            stdout.printf(
                    Locale.ROOT,
                    "sampled %d per class for train and dev from %s, seeds %s: saved under %s%n",
                    k,
                    td.trainFile().get(),
                    seeds,
                    root);
            td = td.withKShotRoot(root);
        }
        for (int s : seeds) {
            td.kshotTrainFile(k, s); // fail before any training when a split is missing
        }
        var test = td.test();
        PretrainedModel pm = PretrainedModel.load(ModelCatalog.fromEnvironment().resolve(model));
        AdapterFiles.Init start = training.readInit(pm, t);
        Method m = training.resolveMethod(start);
        List<SeedResult> results = new ArrayList<>();
        TrainOptions o = null;
        for (int s : seeds) {
            o = training.options(m, s);
            var train = td.kshotTrain(k, s);
            var dev = td.kshotDev(k, s);
            TrainingRun.Outcome r = TrainingRun.run(new TrainingRun.Spec(
                    pm,
                    t,
                    train,
                    dev,
                    test,
                    m,
                    o,
                    start == null ? null : start.adapter(),
                    start == null ? null : start.head()));
            results.add(new SeedResult(s, r, train.size(), dev.size(), test.size()));
            stdout.printf(
                    Locale.ROOT,
                    "seed %d: %s (%d steps, %.1f s)%n",
                    s,
                    TrainCommand.summary(r.testMetrics()),
                    r.steps(),
                    r.seconds());
            stdout.flush();
        }
        stdout.println(table(t, metricNames, results));
        stdout.flush();
        if (out != null) {
            AtomicFiles.writeString(
                    out, TrainCommand.JSON.writeValueAsString(json(t, metricNames, m, o, results)) + "\n");
            stdout.println("wrote " + out);
        }
        return 0;
    }

    /** Mean and population standard deviation. */
    static double[] meanStd(double[] xs) {
        double mean = 0;
        for (double x : xs) {
            mean += x;
        }
        mean /= xs.length;
        double var = 0;
        for (double x : xs) {
            var += (x - mean) * (x - mean);
        }
        return new double[] {mean, Math.sqrt(var / xs.length)};
    }

    static double[] column(List<SeedResult> results, String metric) {
        double[] xs = new double[results.size()];
        for (int i = 0; i < xs.length; i++) {
            Double v = results.get(i).outcome().testMetrics().get(metric);
            if (v == null) {
                throw new IllegalStateException(
                        "seed " + results.get(i).seed() + " has no test metric '" + metric + "'");
            }
            xs[i] = v;
        }
        return xs;
    }

    /** Per-seed rows then mean ± std, in percent like LM-BFF's tables; primary metric first. */
    static String table(Task t, List<String> metricNames, List<SeedResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-10s", t.name()));
        for (String name : metricNames) {
            sb.append(String.format(Locale.ROOT, " %16s", name));
        }
        sb.append('\n');
        for (SeedResult r : results) {
            sb.append(String.format(Locale.ROOT, "%-10s", "seed " + r.seed()));
            for (String name : metricNames) {
                sb.append(String.format(
                        Locale.ROOT, " %16.1f", 100 * r.outcome().testMetrics().get(name)));
            }
            sb.append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%-10s", "mean±std"));
        for (String name : metricNames) {
            double[] ms = meanStd(column(results, name));
            sb.append(String.format(
                    Locale.ROOT, " %16s", String.format(Locale.ROOT, "%.1f ± %.1f", 100 * ms[0], 100 * ms[1])));
        }
        return sb.toString();
    }

    private ObjectNode json(
            Task t, List<String> metricNames, Method m, TrainOptions lastOptions, List<SeedResult> results) {
        ObjectNode root = TrainCommand.JSON.createObjectNode();
        root.put("task", t.name());
        root.put("model", model);
        root.put("method", m.kind().name().toLowerCase(Locale.ROOT));
        root.put("data", data.toString());
        root.put("k", k);
        if (training.init == null) {
            root.putNull("init");
        } else {
            root.put("init", training.init.toString());
        }
        root.put("init_head", training.initHead);
        root.put("primary_metric", t.metric());
        ObjectNode hp = TrainingArgs.toJson(m, lastOptions, TrainCommand.JSON.createObjectNode());
        hp.remove("seed");
        root.set("hyperparameters", hp);
        ArrayNode runs = root.putArray("runs");
        for (SeedResult r : results) {
            ObjectNode n = runs.addObject();
            n.put("seed", r.seed());
            n.put("train_examples", r.train());
            n.put("dev_examples", r.dev());
            n.put("test_examples", r.test());
            n.set("dev", TrainCommand.metricsJson(r.outcome().devMetrics()));
            n.set("test", TrainCommand.metricsJson(r.outcome().testMetrics()));
            n.put("steps", r.outcome().steps());
            n.put("seconds", r.outcome().seconds());
            n.put("trainable_params", r.outcome().trainableParams());
        }
        ObjectNode summary = root.putObject("summary");
        for (String name : metricNames) {
            double[] ms = meanStd(column(results, name));
            ObjectNode s = summary.putObject(name);
            s.put("mean", ms[0]);
            s.put("std", ms[1]);
        }
        return root;
    }
}
