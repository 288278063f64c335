package org.mera.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.data.TaskDefinition;
import org.mera.io.AtomicFiles;
import org.mera.io.Json;
import org.mera.train.Predictions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mera predict}: applies a trained result to new texts and writes one JSON object per input row, in input
 * order. Shares its loading and prediction with {@code eval} ({@link Prediction}).
 */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        header = "Apply a trained adapter or fine-tuned model to new texts and write JSONL.",
        description = {
            "Apply a trained adapter (a directory written by `mera train`, or an AdapterHub / PEFT LoRA directory with",
            "its head) or a fully fine-tuned model directory to new texts, and write JSONL: one object per input row, in",
            "input order, with the predicted label and scores (label name -> probability; for regression, the value).",
            "--input is a TSV/CSV/JSONL file in the task's format (a label column, if present, is ignored) or a .txt",
            "file with one text per line (single-text tasks)."
        })
public final class PredictCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = Json.PLAIN;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            description =
                    "the encoder the adapter belongs to (catalog name or HF model "
                            + "directory), or without --adapter a fully fine-tuned model directory written by `mera train --method full`")
    String model;

    @Option(
            names = "--adapter",
            paramLabel = "DIR",
            description = "the trained adapter directory with its head (mera train), or a model mera experiment"
                    + " --save-best saved (an AdapterFusion model included)")
    Path adapter;

    @Option(
            names = "--task",
            paramLabel = "NAME_OR_DIR",
            description = "the task (default: the task.yaml that `mera train` saved " + "beside the weights)")
    String task;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "FILE",
            description = "texts to predict: .tsv, .csv, .jsonl or .txt")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "JSONL to write (atomically)")
    Path out;

    @Option(names = "--batch-size", defaultValue = "64", description = "batch size (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(
            names = "--no-progress",
            description =
                    "do not draw the progress bar on stderr (drawn from " + Prediction.PROGRESS_FROM + " inputs on)")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        return CommandErrors.run("predict", spec.commandLine().getErr(), this::run);
    }

    private int run() throws IOException {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
        }
        Path weights = adapter != null ? adapter : Path.of(model);
        if (!Files.isDirectory(weights)) {
            throw new NoSuchFileException(
                    weights.toString(),
                    null,
                    adapter != null
                            ? "adapter directory not found"
                            : "without --adapter, --model must be a fully fine-tuned model directory");
        }
        TaskDefinition def = definition(weights);
        Task t = def.task();
        List<Example> examples = readInput(def);
        Prediction p =
                Prediction.run(weights, adapter != null ? model : null, t, examples, batchSize, false, !noProgress);
        write(out, t, p.predictions());
        spec.commandLine()
                .getOut()
                .printf(
                        Locale.ROOT,
                        "predicted %d rows of %s with %s (task %s): wrote %s%n",
                        examples.size(),
                        input,
                        weights,
                        t.name(),
                        out);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private TaskDefinition definition(Path weights) throws IOException {
        if (task != null) {
            return TrainingData.definition(task);
        }
        Path saved = weights.resolve(TaskDefinition.FILE);
        if (!Files.isRegularFile(saved)) {
            throw new IllegalArgumentException(
                    weights + " has no " + TaskDefinition.FILE + " (mera train saves one): give --task NAME_OR_DIR");
        }
        return TaskDefinition.load(saved);
    }

    /** The input's examples: the task's own file format, or one text per line for a .txt file. */
    private List<Example> readInput(TaskDefinition def) throws IOException {
        if (!Files.isRegularFile(input)) {
            throw new NoSuchFileException(input.toString(), null, "input file not found");
        }
        if (!input.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".txt")) {
            return TrainingData.read(input, def, false);
        }
        if (def.task().pair()) {
            throw new IllegalArgumentException(
                    input + ": task " + def.name() + " takes sentence pairs, which a one-text-per-line .txt "
                            + "file cannot hold; give a TSV, CSV or JSONL file with its two text columns");
        }
        List<Example> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(input, StandardCharsets.UTF_8);
        for (String line : lines) {
            String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (!text.isBlank()) {
                rows.add(new Example(text, null, null));
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(input + ": no texts (one per line)");
        }
        return rows;
    }

    /** One object per row: {"label": predicted label (or value), "scores": {label: probability} (regression: the value)}. */
    static void write(Path file, Task task, Predictions p) throws IOException {
        AtomicFiles.write(file, outStream -> {
            for (int i = 0; i < p.size(); i++) {
                writeRow(outStream, task, i, p);
            }
        });
    }

    private static void writeRow(OutputStream os, Task task, int i, Predictions p) throws IOException {
        try (JsonGenerator g = JSON.getFactory().createGenerator(os)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            // the input row it answers (0 = the first example), so the output can be joined back without counting lines
            g.writeNumberField("index", i);
            if (p.isRegression()) {
                g.writeNumberField("label", p.values()[i]);
                g.writeNumberField("scores", p.values()[i]);
            } else {
                g.writeStringField("label", task.labels().get(p.classes()[i]));
                g.writeObjectFieldStart("scores");
                float[] row = p.probabilities()[i];
                for (int c = 0; c < row.length; c++) {
                    g.writeNumberField(task.labels().get(c), row[c]);
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        os.write('\n');
    }
}
