package org.mera.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.mera.data.ExampleWriter;
import org.mera.data.KShotSampler;
import org.mera.data.Task;
import org.mera.data.TaskDefinition;
import org.mera.io.AtomicFiles;
import org.mera.io.Json;
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
 * {@code mera train}: one training run (adapter, LoRA or full fine-tuning) on a task's few-shot split, pool or
 * labelled file; writes the trained adapter in AdapterHub / PEFT / HF format and metrics.json.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train an adapter (pfeiffer, houlsby), LoRA or the full encoder on one task and save it with metrics.json.",
            "--task is a built-in task name or a task directory (docs/user-tasks.md); --data is the task directory (LM-BFF layout:",
            "k-shot/K-SEED or, with --pool, pool/; or plain train/dev/test files, from which --k per class is sampled with",
            "--seed and saved under OUT/split/) or one labelled file (TSV/JSONL/CSV; dev is a seeded held-out 10%%)."
        })
public final class TrainCommand implements Callable<Integer> {
    static final ObjectMapper JSON = Json.PRETTY;
    static final String METRICS = "metrics.json";

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
                            + "SST-2, STS-B, or a WordNet task such as wn-antonym) or a task directory (its task.yaml, or inferred from its files)")
    String task;

    @Option(
            names = "--data",
            paramLabel = "DIR_OR_FILE",
            description = "task directory or a labelled file (default: --task, when it is a directory"
                    + "; a WordNet task: the suite mera demo generates under $MERA_HOME)")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
    Path out;

    @Option(names = "--overwrite", description = "write into --out even when it is not empty")
    boolean overwrite;

    @Option(
            names = "--name",
            description = "the adapter's name in the saved files (default: the task name in lower case)")
    String name;

    @Option(
            names = "--k",
            description = "examples per class: the k-shot/K-SEED split of a directory (default 16), a sample of a file")
    Integer k;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "split seed and training seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--pool", description = "train on the directory's pool/train, select on pool/dev")
    boolean pool;

    @Option(
            names = "--test",
            paramLabel = "FILE",
            description = "test examples (default: the task directory's test file; none for a file)")
    Path test;

    @Mixin
    TrainingArgs training = new TrainingArgs();

    @Override
    public Integer call() throws Exception {
        return CommandErrors.run("train", spec.commandLine().getErr(), this::run);
    }

    private int run() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        if (pool && k != null) {
            throw new IllegalArgumentException("--pool and --k exclude each other (the pool is used whole)");
        }
        training.validateNumbers();
        TrainingData.Source src = TrainingData.resolve(task, data);
        try (var claimed = org.mera.io.OutputLock.directory(out)) {
            checkOutput(out, overwrite);
            return train(stdout, src);
        }
    }

    private int train(PrintWriter stdout, TrainingData.Source src) throws IOException {
        Task t = src.task();
        TrainingData.Splits splits = TrainingData.forTraining(src, k, seed, pool, test);
        PretrainedModel pm = PretrainedModel.load(ModelCatalog.fromEnvironment().resolve(model));
        AdapterFiles.Init start = training.readInit(pm, t);
        Method m = training.resolveMethod(start);
        TrainOptions o = training.options(m, seed);
        TrainingRun.Outcome r = TrainingRun.run(new TrainingRun.Spec(
                pm,
                t,
                splits.train(),
                splits.dev(),
                splits.test(),
                m,
                o,
                start == null ? null : start.adapter(),
                start == null ? null : start.head()));
        String adapterName = name != null ? name : t.name().toLowerCase(Locale.ROOT);
        AdapterFiles.save(out, adapterName, r, pm, model, t, m);
        // The task's definition travels with the result, so predict reads new files the way training read its data.
        AtomicFiles.writeString(
                out.resolve(TaskDefinition.FILE), src.definition().toYamlText());
        if (splits.sampled()) {
            ExampleWriter.writeKShot(
                    out.resolve("split"),
                    k == null ? 16 : k,
                    seed,
                    new KShotSampler.Split(splits.train(), splits.dev()));
        }

        ObjectNode metrics = JSON.createObjectNode();
        metrics.put("task", t.name());
        metrics.put("model", model);
        metrics.put("method", m.kind().name().toLowerCase(Locale.ROOT));
        metrics.put("name", adapterName);
        metrics.put("format", format(m));
        metrics.put("primary_metric", t.metric());
        ObjectNode d = metrics.putObject("data");
        d.put("source", String.valueOf(data == null ? task : data));
        d.put("task_definition", src.definition().origin());
        d.put("split", splits.split());
        d.put("train_examples", splits.train().size());
        d.put("dev_examples", splits.dev().size());
        d.put("test_examples", splits.test().size());
        if (test != null) {
            d.put("test_source", test.toString());
        }
        if (training.init == null) {
            metrics.putNull("init");
        } else {
            metrics.put("init", training.init.toString());
        }
        metrics.put("init_head", training.initHead);
        metrics.set("dev", metricsJson(r.devMetrics()));
        metrics.set("test", metricsJson(r.testMetrics()));
        metrics.put("steps", r.steps());
        metrics.put("seconds", r.seconds());
        metrics.put("trainable_params", r.trainableParams());
        metrics.set("hyperparameters", TrainingArgs.toJson(m, o, JSON.createObjectNode()));
        AtomicFiles.writeString(out.resolve(METRICS), JSON.writeValueAsString(metrics) + "\n");

        stdout.printf(
                Locale.ROOT,
                "%s %s on %s (%s, %d train / %d dev / %d test): %d steps in %.1f s, %d trainable params%n",
                m.kind().name().toLowerCase(Locale.ROOT),
                adapterName,
                t.name(),
                splits.split(),
                splits.train().size(),
                splits.dev().size(),
                splits.test().size(),
                r.steps(),
                r.seconds(),
                r.trainableParams());
        stdout.println("  dev:  " + summary(r.devMetrics()));
        stdout.println("  test: " + summary(r.testMetrics()));
        stdout.println("saved " + format(m) + " directory " + out + " and " + out.resolve(METRICS));
        stdout.flush();
        return 0;
    }

    static String format(Method m) {
        return switch (m.kind()) {
            case LORA -> "peft";
            case FULL -> "hf";
            default -> "adapterhub";
        };
    }

    /** The metrics without the copy kept under "primary" (its name is the task's metric). */
    static ObjectNode metricsJson(Map<String, Double> metrics) {
        ObjectNode n = JSON.createObjectNode();
        metrics.forEach((k, v) -> {
            if (!k.equals(org.mera.train.Metrics.PRIMARY)) {
                n.put(k, v);
            }
        });
        return n;
    }

    static String summary(Map<String, Double> metrics) {
        if (metrics.isEmpty()) {
            return "(none)";
        }
        StringBuilder sb = new StringBuilder();
        metrics.forEach((k, v) -> {
            if (!k.equals(org.mera.train.Metrics.PRIMARY)) {
                sb.append(sb.isEmpty() ? "" : ", ").append(k).append(' ').append(String.format(Locale.ROOT, "%.4f", v));
            }
        });
        return sb.toString();
    }

    static void checkOutput(Path dir, boolean overwrite) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file, not a directory");
        }
        if (!overwrite && Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.anyMatch(p -> !p.getFileName().toString().equals(org.mera.io.OutputLock.DIRECTORY_LOCK))) {
                    throw new IllegalArgumentException(
                            "--out " + dir + " is not empty (use --overwrite to write into it)");
                }
            }
        }
    }
}
