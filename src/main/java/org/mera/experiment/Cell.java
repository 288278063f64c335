package org.mera.experiment;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mera.data.TaskDefinition;

/**
 * One point of the grid: train/evaluate {@code method} for {@code task} with {@code k} examples per class,
 * data split {@code seed}, on {@code encoder}. {@code source} is set only for {@link Method#SINGLE} (the one
 * pretrained adapter that cell starts from); {@code sources} lists the sources the method may use (empty for
 * full/adapter), each described in {@code sourceSpecs} (a task to train an adapter on, or an adapter directory).
 * {@code key} is the hash of everything that determines the result (see {@link Grid}); two cells with the same
 * key are the same computation.
 *
 * @param definition how the target's files are read and scored
 * @param trainFile  the few-shot training file, {@code devFile} the few-shot dev file (model selection),
 *                   {@code testFile} the evaluation file, all found through the task catalogue
 * @param decontamination the grid's evaluation files, which source pools are cleaned against before an adapter trains
 */
public record Cell(
        String key,
        String encoder,
        String task,
        int k,
        int seed,
        Method method,
        String source,
        List<String> sources,
        Hyperparameters hyperparameters,
        String primaryMetric,
        String track,
        TaskDefinition definition,
        Map<String, SourceSpec> sourceSpecs,
        Path trainFile,
        Path devFile,
        Path testFile,
        ContaminationReference decontamination) {
    public Cell {
        sources = List.copyOf(sources);
        sourceSpecs = Map.copyOf(sourceSpecs);
    }

    /** The method as shown in tables: "single[MNLI]" for a single-source cell, else the method id. */
    public String methodLabel() {
        return methodLabel(method.id(), source);
    }

    /** {@link #methodLabel()} of a method id and its source (null for none). */
    public static String methodLabel(String methodId, String source) {
        return source == null ? methodId : methodId + "[" + source + "]";
    }

    /** The sources this cell starts from: its one source (single), else all of them (merges, fusion). */
    public List<String> sourcesUsed() {
        return source == null ? sources : List.of(source);
    }

    /** Human-readable identity, for progress lines and error messages. */
    public String describe() {
        return encoder + " " + task + " k=" + k + " seed=" + seed + " " + methodLabel();
    }

    /** A source by its name in this cell. */
    public SourceSpec sourceSpec(String name) {
        SourceSpec s = sourceSpecs.get(name);
        if (s == null) {
            throw new IllegalArgumentException(
                    "cell " + describe() + " has no source named " + name + " (has " + sourceSpecs.keySet() + ")");
        }
        return s;
    }
}
