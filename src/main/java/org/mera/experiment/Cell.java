package org.mera.experiment;

import java.nio.file.Path;
import java.util.List;

/**
 * One point of the grid: train/evaluate {@code method} for {@code task} with {@code k} examples per class,
 * data split {@code seed}, on {@code encoder}. {@code source} is set only for {@link Method#SINGLE} (the one
 * pretrained adapter that cell starts from); {@code sources} lists the source tasks the method may use
 * (empty for full/adapter). {@code key} is the hash of everything that determines the result
 * (see {@link Grid}); two cells with the same key are the same computation.
 *
 * @param trainFile the few-shot training file, {@code devFile} the few-shot dev file (model selection),
 *                  {@code testFile} the evaluation file, all found by {@link DataLayout}
 */
public record Cell(String key, String encoder, String task, int k, int seed, Method method, String source,
                   List<String> sources, Hyperparameters hyperparameters, String primaryMetric, String track,
                   Path dataRoot, Path trainFile, Path devFile, Path testFile) {
    public Cell {
        sources = List.copyOf(sources);
    }

    /** The method as shown in tables: "single[MNLI]" for a single-source cell, else the method id. */
    public String methodLabel() {
        return source == null ? method.id() : method.id() + "[" + source + "]";
    }

    /** Human-readable identity, for progress lines and error messages. */
    public String describe() {
        return encoder + " " + task + " k=" + k + " seed=" + seed + " " + methodLabel();
    }

    /** A source task's pool file for training its adapter. */
    public Path sourcePoolTrain(String sourceTask) {
        return DataLayout.poolTrain(dataRoot, sourceTask);
    }

    public Path sourcePoolDev(String sourceTask) {
        return DataLayout.poolDev(dataRoot, sourceTask);
    }
}
