package org.mera.cli;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mera.data.EncodedExample;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.data.TextEncoder;
import org.mera.model.ModelCatalog;
import org.mera.model.PretrainedModel;
import org.mera.train.AdapterFiles;
import org.mera.train.Evaluator;
import org.mera.train.Predictions;
import org.mera.train.ProgressBar;
import org.mera.train.TrainingRun;

/**
 * The one code path that applies a saved result (an adapter or LoRA directory with its head, or a fully fine-tuned
 * model directory) to examples: {@code eval} scores what it returns, {@code predict} writes it out.
 *
 * @param metrics the task's metrics when every example is labelled and {@code score} was asked for, else null
 */
record Prediction(String adapterName, AdapterFiles.Kind kind, Predictions predictions, Map<String, Double> metrics) {
    /** Examples at which the progress bar is drawn: a long input is worth watching, a test split is not. */
    static final int PROGRESS_FROM = 2000;

    static Prediction run(
            Path adapter,
            String model,
            Task task,
            List<Example> examples,
            int batchSize,
            boolean score,
            boolean progress)
            throws IOException {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no examples to predict");
        }
        AdapterFiles.Kind kind = AdapterFiles.detect(adapter);
        if (kind != AdapterFiles.Kind.FULL && model == null) {
            throw new IllegalArgumentException("--model is needed: " + adapter + " holds "
                    + kind.name().toLowerCase(java.util.Locale.ROOT) + " weights for an encoder, not a whole model");
        }
        PretrainedModel pm = kind == AdapterFiles.Kind.FULL
                ? null
                : PretrainedModel.load(ModelCatalog.fromEnvironment().resolve(model));
        try (NDManager manager = NDManager.newBaseManager()) {
            AdapterFiles.Loaded loaded = AdapterFiles.load(adapter, pm, task, manager);
            try (TextEncoder text = TextEncoder.load(loaded.tokenizerJson());
                    ProgressBar bar = new ProgressBar(
                            "predicting", examples.size(), progress && examples.size() >= PROGRESS_FROM)) {
                List<EncodedExample> encoded = text.encodeAll(examples, task);
                var batches = new org.mera.data.Batcher(batchSize, text.padId()).evalBatches(encoded);
                Predictions p = Evaluator.predict(loaded.model(), batches, bar);
                return new Prediction(loaded.name(), kind, p, score ? TrainingRun.score(task, p, encoded) : null);
            }
        }
    }
}
