package org.mera.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.train.AdapterFiles;
import org.mera.train.PredictionFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mera eval}: scores a saved adapter (with its head) or fully fine-tuned model on labelled examples, or only predicts. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        header = "Evaluate a saved adapter, LoRA or fine-tuned model directory on a task.",
        description = {
            "Evaluate a saved AdapterHub adapter, PEFT LoRA or fine-tuned model directory (with its head) on a task",
            "and print a JSON object: task, adapter, name, kind, data (the directory or file read), split, examples,",
            "primary_metric, metrics (and predictions, the file written with --predictions).",
            "With --predictions, also write each example's prediction as JSONL; with --unlabelled, only predict",
            "(for files without labels, such as GLUE's official test files)."
        })
public final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--model",
            description = "the encoder the adapter belongs to: catalog name or HF model directory "
                    + "(not needed for a fully fine-tuned model directory)")
    String model;

    @Option(
            names = "--adapter",
            required = true,
            paramLabel = "DIR",
            description = "directory written by `mera train` or `mera experiment --save-best` (or AdapterHub/PEFT"
                    + " with a head)")
    Path adapter;

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
            paramLabel = "FILE_OR_DIR",
            description =
                    "a labelled file (or, with --unlabelled, any file), or a task "
                            + "directory (default: --task, when it is a directory; a WordNet task: the suite mera demo generates under $MERA_HOME)")
    Path data;

    @Option(
            names = "--split",
            defaultValue = "test",
            description = "for a directory: test (default), dev or train "
                    + "(pool/ files, or k-shot/K-SEED ones with --k/--seed)")
    String split;

    @Option(names = "--k", description = "with a directory and --split dev/train: the k-shot split's K")
    Integer k;

    @Option(names = "--seed", description = "with a directory and --split dev/train: the k-shot split's seed")
    Integer seed;

    @Option(
            names = "--predictions",
            paramLabel = "FILE",
            description =
                    "write one JSON object per example, in input order: "
                            + "index, text_a, text_b, label (if labelled), prediction (a label, or a score for regression), probabilities")
    Path predictions;

    @Option(
            names = "--unlabelled",
            description = "the file has no labels: read no label column, compute no metrics " + "(needs --predictions)")
    boolean unlabelled;

    @Option(
            names = "--batch-size",
            defaultValue = "64",
            description = "evaluation batch size (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        return CommandErrors.run("eval", spec.commandLine().getErr(), this::run);
    }

    private int run() throws IOException {
        TrainingData.Source src = TrainingData.resolve(task, data);
        Task t = src.task();
        if (unlabelled && predictions == null) {
            throw new IllegalArgumentException(
                    "--unlabelled computes no metrics, so it needs --predictions FILE to write them to");
        }
        List<Example> examples = TrainingData.forEval(src, split, k, seed, !unlabelled);
        Prediction p = Prediction.run(adapter, model, t, examples, batchSize, !unlabelled, true);
        Map<String, Double> metrics = p.metrics();
        String adapterName = p.adapterName();
        AdapterFiles.Kind kind = p.kind();
        if (predictions != null) {
            PredictionFile.write(predictions, t, examples, p.predictions());
        }
        ObjectNode o = TrainCommand.JSON.createObjectNode();
        o.put("task", t.name());
        o.put("adapter", adapter.toString());
        o.put("name", adapterName);
        o.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
        o.put("data", String.valueOf(src.dir() != null ? src.dir().taskDir() : src.file())); // what was read
        if (src.dir() != null) {
            o.put("split", split);
        }
        o.put("examples", examples.size());
        if (metrics != null) {
            o.put("primary_metric", t.metric());
            o.set("metrics", TrainCommand.metricsJson(metrics));
        }
        if (predictions != null) {
            o.put("predictions", predictions.toString());
        }
        spec.commandLine().getOut().println(TrainCommand.JSON.writeValueAsString(o));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
