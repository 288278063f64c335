package org.mera.train;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.io.AtomicFiles;
import org.mera.io.Json;

/**
 * Writes a model's predictions as JSONL, one object per example in input order: {@code index}, {@code text_a},
 * {@code text_b} (pairs), {@code label} (labelled input), {@code prediction} (the task's label spelling, or
 * the score for regression) and {@code probabilities} (label → probability). Written atomically.
 */
public final class PredictionFile {
    private static final ObjectMapper JSON = Json.PLAIN;

    private PredictionFile() {}

    public static void write(Path file, Task task, List<Example> examples, Predictions p) throws IOException {
        if (p.size() != examples.size()) {
            throw new IllegalArgumentException(
                    "predictions for " + p.size() + " examples, but " + examples.size() + " examples");
        }
        if (p.isRegression() != task.isRegression()) {
            throw new IllegalArgumentException("task " + task.name() + (task.isRegression() ? " is" : " is not")
                    + " a regression task but the predictions are" + (p.isRegression() ? "" : " not"));
        }
        AtomicFiles.write(file, out -> {
            for (int i = 0; i < examples.size(); i++) {
                writeRow(out, task, i, examples.get(i), p);
            }
        });
    }

    private static void writeRow(OutputStream out, Task task, int i, Example x, Predictions p) throws IOException {
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeNumberField("index", i);
            g.writeStringField("text_a", x.textA());
            if (x.textB() != null) {
                g.writeStringField("text_b", x.textB());
            }
            if (x.label() != null) {
                g.writeStringField("label", x.label());
            }
            if (p.isRegression()) {
                g.writeNumberField("prediction", p.values()[i]);
            } else {
                g.writeStringField("prediction", task.labels().get(p.classes()[i]));
                g.writeObjectFieldStart("probabilities");
                float[] row = p.probabilities()[i];
                for (int c = 0; c < row.length; c++) {
                    g.writeNumberField(task.labels().get(c), row[c]);
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        out.write('\n');
    }
}
