package org.mera.cli;

import org.mera.data.Example;
import org.mera.data.ExampleReader;
import org.mera.data.KShotSampler;
import org.mera.data.Task;
import org.mera.data.TaskData;
import org.mera.data.TaskRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Where the train/eval/fewshot commands get their examples: a task directory in the LM-BFF layout (or a folder
 * holding one), or a single labelled file (TSV, JSONL, CSV) split into train and a seeded held-out 10% dev.
 */
final class TrainingData {
    /** The fraction of a single file held out as dev. */
    static final double FILE_DEV_FRACTION = 0.1;

    /** The examples of one run and a short description of where they came from. */
    record Splits(List<Example> train, List<Example> dev, List<Example> test, String split) {
    }

    private TrainingData() {
    }

    static Task task(String name) {
        return TaskRegistry.standard().get(name);
    }

    static TaskRegistry registry() {
        return TaskRegistry.standard();
    }

    /**
     * The task's data under {@code dir}: {@code dir} is the task directory itself (named like the task, any case)
     * or a folder holding it.
     */
    static TaskData taskData(Path dir, Task task) throws IOException {
        if (!Files.exists(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "data directory not found");
        }
        Path name = dir.toAbsolutePath().normalize().getFileName();
        if (name != null && name.toString().equalsIgnoreCase(task.name())) {
            return new TaskData(dir.toAbsolutePath().normalize().getParent(), task);
        }
        if (hasChild(dir, task.name())) {
            return new TaskData(dir, task);
        }
        throw new IllegalArgumentException(dir + ": is neither the directory of task " + task.name()
                + " (it must be named " + task.name() + ") nor a folder holding one");
    }

    private static boolean hasChild(Path dir, String name) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> Files.isDirectory(p) && p.getFileName().toString().equalsIgnoreCase(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /**
     * Train/dev/test for one run. A directory gives k-shot/K-SEED (train, dev) or, with {@code pool}, pool/train
     * and pool/dev, and its test file; a file gives a seeded 90/10 train/dev split (then K per class of the train
     * part when {@code k} is set) and the test examples of {@code testFile}, if any.
     */
    static Splits forTraining(Path data, Task task, Integer k, long seed, boolean pool, Path testFile) throws IOException {
        if (!Files.exists(data)) {
            throw new NoSuchFileException(data.toString(), null, "training data not found");
        }
        List<Example> extraTest = testFile == null ? null : read(testFile, task);
        if (Files.isDirectory(data)) {
            TaskData td = taskData(data, task);
            List<Example> test = extraTest != null ? extraTest : td.test();
            if (pool) {
                return new Splits(td.poolTrain(), td.poolDev(), test, "pool");
            }
            int kk = k == null ? 16 : k;
            return new Splits(td.kshotTrain(kk, (int) seed), td.kshotDev(kk, (int) seed), test, "k-shot/" + kk + "-" + seed);
        }
        if (pool) {
            throw new IllegalArgumentException("--pool needs a task directory, but " + data + " is a file");
        }
        List<Example> all = new ArrayList<>(read(data, task));
        if (all.size() < 2) {
            throw new IllegalArgumentException(data + ": needs at least 2 examples to hold out a dev split, has " + all.size());
        }
        Collections.shuffle(all, new Random(seed));
        int devSize = Math.max(1, (int) Math.round(all.size() * FILE_DEV_FRACTION));
        List<Example> dev = List.copyOf(all.subList(0, devSize));
        List<Example> train = List.copyOf(all.subList(devSize, all.size()));
        String split = "file, seeded " + Math.round(100 * (1 - FILE_DEV_FRACTION)) + "/" + Math.round(100 * FILE_DEV_FRACTION) + " train/dev";
        if (k != null) {
            train = KShotSampler.sample(train, task, k, seed);
            split += ", " + k + " per class";
        }
        return new Splits(train, dev, extraTest == null ? List.of() : extraTest, split);
    }

    /** Examples to evaluate on: a file as it is, or a directory's split (test, dev, train; pool or k-shot). */
    static List<Example> forEval(Path data, Task task, String split, Integer k, Integer seed, boolean labelled) throws IOException {
        if (!Files.exists(data)) {
            throw new NoSuchFileException(data.toString(), null, "evaluation data not found");
        }
        if (!Files.isDirectory(data)) {
            return read(data, task, labelled);
        }
        if (!labelled) {
            throw new IllegalArgumentException("--unlabelled reads one file; give the file itself as --data, not the folder " + data);
        }
        TaskData td = taskData(data, task);
        boolean kshot = k != null || seed != null;
        return switch (split) {
            case "test" -> td.test();
            case "dev" -> kshot ? td.kshotDev(k == null ? 16 : k, seed == null ? 42 : seed) : td.poolDev();
            case "train" -> kshot ? td.kshotTrain(k == null ? 16 : k, seed == null ? 42 : seed) : td.poolTrain();
            default -> throw new IllegalArgumentException("unknown split '" + split + "' (test, dev, train)");
        };
    }

    static List<Example> read(Path file, Task task) throws IOException {
        return read(file, task, true);
    }

    /** A labelled file, or with {@code labelled} false one whose label column (if any) is not read. */
    static List<Example> read(Path file, Task task, boolean labelled) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "data file not found");
        }
        return ExampleReader.read(file, task, labelled);
    }
}
