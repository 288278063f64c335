package org.mera.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a task's files live under a GLUE-like data root (see shared/data/README.md):
 * {@code <TASK>/k-shot/<k>-<seed>/train.tsv|jsonl}, {@code dev.tsv|dev_matched.tsv|jsonl},
 * {@code <TASK>/test.tsv|test_matched.jsonl|...} (QQP has no test file: its held-out pool/dev.jsonl is used),
 * and {@code <TASK>/pool/train.jsonl|tsv}, {@code pool/dev.jsonl|tsv} for training source adapters.
 * Each finder returns the first candidate that exists.
 */
public final class DataLayout {
    private DataLayout() {
    }

    public static Path taskDir(Path dataRoot, String task) {
        return dataRoot.resolve(task);
    }

    public static Path kShotDir(Path dataRoot, String task, int k, int seed) {
        return taskDir(dataRoot, task).resolve("k-shot").resolve(k + "-" + seed);
    }

    public static List<Path> trainCandidates(Path dataRoot, String task, int k, int seed) {
        Path d = kShotDir(dataRoot, task, k, seed);
        return List.of(d.resolve("train.tsv"), d.resolve("train.jsonl"));
    }

    public static List<Path> devCandidates(Path dataRoot, String task, int k, int seed) {
        Path d = kShotDir(dataRoot, task, k, seed);
        return List.of(d.resolve("dev.tsv"), d.resolve("dev_matched.tsv"), d.resolve("dev.jsonl"),
                d.resolve("dev_matched.jsonl"));
    }

    public static List<Path> testCandidates(Path dataRoot, String task) {
        Path d = taskDir(dataRoot, task);
        return List.of(d.resolve("test.tsv"), d.resolve("test.jsonl"), d.resolve("test_matched.tsv"),
                d.resolve("test_matched.jsonl"), d.resolve("pool").resolve("dev.jsonl"));
    }

    public static List<Path> poolTrainCandidates(Path dataRoot, String task) {
        Path d = taskDir(dataRoot, task).resolve("pool");
        return List.of(d.resolve("train.jsonl"), d.resolve("train.tsv"));
    }

    public static List<Path> poolDevCandidates(Path dataRoot, String task) {
        Path d = taskDir(dataRoot, task).resolve("pool");
        return List.of(d.resolve("dev.jsonl"), d.resolve("dev.tsv"));
    }

    public static Optional<Path> first(List<Path> candidates) {
        return candidates.stream().filter(Files::isRegularFile).findFirst();
    }

    /** The first existing candidate, or a clear error listing every place looked at. */
    public static Path require(String what, List<Path> candidates) {
        return first(candidates).orElseThrow(() -> new IllegalStateException(what + " not found; looked for " + candidates));
    }

    public static Path train(Path dataRoot, String task, int k, int seed) {
        return require(task + " k=" + k + " seed=" + seed + " training file", trainCandidates(dataRoot, task, k, seed));
    }

    public static Path dev(Path dataRoot, String task, int k, int seed) {
        return require(task + " k=" + k + " seed=" + seed + " dev file", devCandidates(dataRoot, task, k, seed));
    }

    public static Path test(Path dataRoot, String task) {
        return require(task + " test file", testCandidates(dataRoot, task));
    }

    public static Path poolTrain(Path dataRoot, String task) {
        return require(task + " source pool training file", poolTrainCandidates(dataRoot, task));
    }

    public static Path poolDev(Path dataRoot, String task) {
        return require(task + " source pool dev file", poolDevCandidates(dataRoot, task));
    }
}
