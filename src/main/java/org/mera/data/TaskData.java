package org.mera.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One task's data in the LM-BFF few-shot layout (see docs/data.md):
 * <pre>
 * root/TASK/k-shot/K-SEED/train.EXT      K examples per class
 * root/TASK/k-shot/K-SEED/dev.EXT        (or dev_matched.EXT) a second K-per-class sample
 * root/TASK/test.EXT                     (or test_matched.EXT) the test set; without one: pool/dev
 * root/TASK/pool/train.EXT, pool/dev.EXT a labelled pool and its held-out part
 * </pre>
 * EXT is tsv (the task's official GLUE columns), jsonl or csv, tried in that order. The task directory is
 * the task's name, matched case-insensitively if the exact spelling is absent.
 */
public final class TaskData {
    /** The seeds of LM-BFF's published few-shot splits. */
    public static final List<Integer> LM_BFF_SEEDS = List.of(13, 21, 42, 87, 100);

    private static final List<String> EXTENSIONS = List.of(".tsv", ".jsonl", ".csv");

    private final Task task;
    private final Path taskDir;

    public TaskData(Path root, Task task) {
        this.task = task;
        this.taskDir = resolveTaskDir(root, task);
    }

    public Task task() {
        return task;
    }

    public Path taskDir() {
        return taskDir;
    }

    public List<Example> kshotTrain(int k, int seed) {
        return ExampleReader.read(kshotTrainFile(k, seed), task);
    }

    public List<Example> kshotDev(int k, int seed) {
        return ExampleReader.read(kshotDevFile(k, seed), task);
    }

    public List<Example> test() {
        return ExampleReader.read(testFile(), task);
    }

    public List<Example> poolTrain() {
        return ExampleReader.read(poolTrainFile(), task);
    }

    public List<Example> poolDev() {
        return ExampleReader.read(poolDevFile(), task);
    }

    public Path kshotTrainFile(int k, int seed) {
        return require(kshotDir(k, seed), List.of("train"));
    }

    public Path kshotDevFile(int k, int seed) {
        return require(kshotDir(k, seed), List.of("dev", "dev_matched"));
    }

    /** test.EXT or test_matched.EXT; without either (QQP in the shared data), the pool's dev file. */
    public Path testFile() {
        Optional<Path> test = find(taskDir, List.of("test", "test_matched"));
        if (test.isPresent()) {
            return test.get();
        }
        Optional<Path> poolDev = find(taskDir.resolve("pool"), List.of("dev"));
        return poolDev.orElseThrow(() -> new IllegalArgumentException("task " + task.name() + ": no test"
                + " file (test or test_matched, " + EXTENSIONS + ") in " + taskDir + " and no pool/dev file"));
    }

    public Path poolTrainFile() {
        return require(taskDir.resolve("pool"), List.of("train"));
    }

    public Path poolDevFile() {
        return require(taskDir.resolve("pool"), List.of("dev"));
    }

    /** The seeds that have a k-shot/K-SEED directory, ascending. */
    public List<Integer> kshotSeeds(int k) {
        Path dir = taskDir.resolve("k-shot");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Pattern p = Pattern.compile(k + "-(\\d+)");
        List<Integer> seeds = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(d -> {
                Matcher m = p.matcher(d.getFileName().toString());
                if (m.matches() && Files.isDirectory(d)) {
                    seeds.add(Integer.parseInt(m.group(1)));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        seeds.sort(null);
        return seeds;
    }

    private Path kshotDir(int k, int seed) {
        Path dir = taskDir.resolve("k-shot").resolve(k + "-" + seed);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("task " + task.name() + ": no few-shot split " + dir
                    + " (seeds available for k=" + k + ": " + kshotSeeds(k) + ")");
        }
        return dir;
    }

    private Path require(Path dir, List<String> baseNames) {
        return find(dir, baseNames).orElseThrow(() -> new IllegalArgumentException("task " + task.name()
                + ": none of " + baseNames + " with extension " + EXTENSIONS + " in " + dir));
    }

    private static Optional<Path> find(Path dir, List<String> baseNames) {
        for (String base : baseNames) {
            for (String ext : EXTENSIONS) {
                Path f = dir.resolve(base + ext);
                if (Files.isRegularFile(f)) {
                    return Optional.of(f);
                }
            }
        }
        return Optional.empty();
    }

    private static Path resolveTaskDir(Path root, Task task) {
        Path exact = root.resolve(task.name());
        if (Files.isDirectory(exact)) {
            return exact;
        }
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                Optional<Path> match = s.filter(Files::isDirectory)
                        .filter(d -> d.getFileName().toString().equalsIgnoreCase(task.name())).findFirst();
                if (match.isPresent()) {
                    return match.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        throw new IllegalArgumentException("task " + task.name() + ": no directory " + exact);
    }
}
