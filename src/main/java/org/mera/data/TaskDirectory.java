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
 * One task's data directory and its definition: the single place that knows where a task's files are, for
 * built-in tasks (GLUE under a data root, the WordNet suite) and users' task directories alike
 * (docs/tasks.md). Two layouts, which may be combined:
 * <pre>
 * LM-BFF:  k-shot/K-SEED/train.EXT   K examples per class       plain:  train.EXT   all training examples
 *          k-shot/K-SEED/dev.EXT     a second K-per-class sample         dev.EXT     (optional) held-out examples
 *          test.EXT                  the test set                         test.EXT
 *          pool/train.EXT, pool/dev.EXT  a labelled pool (source adapters)
 * </pre>
 * EXT is tsv, jsonl or csv (tried in that order); dev and test may also be named dev_matched / test_matched
 * (MNLI). Without a test file, pool/dev serves as test (QQP in the shared data). As a source task, a directory
 * trains its adapter on pool/train (else train) and selects on pool/dev (else dev).
 */
public final class TaskDirectory {
    /** The seeds of LM-BFF's published few-shot splits. */
    public static final List<Integer> LM_BFF_SEEDS = List.of(13, 21, 42, 87, 100);

    static final List<String> EXTENSIONS = List.of(".tsv", ".jsonl", ".csv");

    private final TaskDefinition definition;
    private final Path dir;
    private final Path kshotRoot;

    private TaskDirectory(TaskDefinition definition, Path dir, Path kshotRoot) {
        this.definition = definition;
        this.dir = dir;
        this.kshotRoot = kshotRoot;
    }

    /** A task's data in directory {@code dir}, read as {@code definition} says. */
    public static TaskDirectory of(TaskDefinition definition, Path dir) {
        return new TaskDirectory(definition, dir, dir.resolve("k-shot"));
    }

    /** A built-in task under a data root: {@code root/NAME}, the name matched case-insensitively if need be. */
    public static TaskDirectory under(Path root, Task task) {
        return of(TaskCatalogue.builtInDefinition(task), resolveTaskDir(root, task.name()));
    }

    /**
     * A user's task directory: its task.yaml, or else the definition inferred from its training data. A directory
     * named like a built-in task (e.g. a GLUE task folder) and without task.yaml is that built-in task.
     */
    public static TaskDirectory open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null, "task directory not found");
        }
        Path abs = dir.toAbsolutePath().normalize();
        Path yaml = abs.resolve(TaskDefinition.FILE);
        if (Files.isRegularFile(yaml)) {
            TaskDirectory bare = new TaskDirectory(null, abs, abs.resolve("k-shot"));
            return of(
                    TaskDefinition.load(
                            yaml,
                            columns -> TaskInference.labels(
                                    abs.getFileName() == null
                                            ? "task"
                                            : abs.getFileName().toString(),
                                    bare.trainingFiles(),
                                    columns,
                                    abs)),
                    abs);
        }
        String name = abs.getFileName() == null ? "task" : abs.getFileName().toString();
        Optional<Task> builtIn = TaskCatalogue.builtIns().find(name);
        if (builtIn.isPresent() && builtIn.get().name().equalsIgnoreCase(name)) {
            return of(TaskCatalogue.builtInDefinition(builtIn.get()), abs);
        }
        TaskDirectory bare = new TaskDirectory(null, abs, abs.resolve("k-shot"));
        return of(TaskInference.infer(name, bare.trainingFiles(), abs), abs);
    }

    /** The same task with its k-shot splits read from {@code root/K-SEED/} (splits mera sampled) instead. */
    public TaskDirectory withKShotRoot(Path root) {
        return new TaskDirectory(definition, dir, root);
    }

    public TaskDefinition definition() {
        return definition;
    }

    public Task task() {
        return definition.task();
    }

    public Path taskDir() {
        return dir;
    }

    /** Where the k-shot splits are read from (normally {@code taskDir()/k-shot}). */
    public Path kshotRoot() {
        return kshotRoot;
    }

    public List<Example> read(Path file) {
        return definition.read(file);
    }

    public List<Example> kshotTrain(int k, int seed) {
        return read(kshotTrainFile(k, seed));
    }

    public List<Example> kshotDev(int k, int seed) {
        return read(kshotDevFile(k, seed));
    }

    public List<Example> test() {
        return read(testFile());
    }

    public List<Example> poolTrain() {
        return read(poolTrainFile());
    }

    public List<Example> poolDev() {
        return read(poolDevFile());
    }

    public Path kshotTrainFile(int k, int seed) {
        return require(kshotDir(k, seed), List.of("train"));
    }

    public Path kshotDevFile(int k, int seed) {
        return require(kshotDir(k, seed), List.of("dev", "dev_matched"));
    }

    /** test.EXT or test_matched.EXT; without either (QQP in the shared data), the pool's dev file. */
    public Path testFile() {
        return testFileIfAny()
                .orElseThrow(() -> new IllegalArgumentException("task " + name() + ": no test file (test or "
                        + "test_matched, " + EXTENSIONS + ") in " + dir + " and no pool/dev file"));
    }

    public Optional<Path> testFileIfAny() {
        Optional<Path> test = find(dir, List.of("test", "test_matched"));
        return test.isPresent() ? test : find(dir.resolve("pool"), List.of("dev"));
    }

    /** The plain layout's train.EXT, if there is one. */
    public Optional<Path> trainFile() {
        return find(dir, List.of("train"));
    }

    /** The plain layout's dev.EXT, if there is one. */
    public Optional<Path> devFile() {
        return find(dir, List.of("dev", "dev_matched"));
    }

    /** What a source adapter trains on: pool/train, else the plain train file. */
    public Path poolTrainFile() {
        return poolTrainFileIfAny()
                .orElseThrow(() -> new IllegalArgumentException("task " + name() + ": no pool/train or train "
                        + "file (" + EXTENSIONS + ") in " + dir + " to train a source adapter on"));
    }

    public Optional<Path> poolTrainFileIfAny() {
        Optional<Path> pool = find(dir.resolve("pool"), List.of("train"));
        return pool.isPresent() ? pool : trainFile();
    }

    /** What a source adapter selects its checkpoint on: pool/dev, else the plain dev file. */
    public Path poolDevFile() {
        return poolDevFileIfAny()
                .orElseThrow(() -> new IllegalArgumentException("task " + name() + ": no pool/dev or dev file ("
                        + EXTENSIONS + ") in " + dir + " to select a source adapter on"));
    }

    public Optional<Path> poolDevFileIfAny() {
        Optional<Path> pool = find(dir.resolve("pool"), List.of("dev"));
        return pool.isPresent() ? pool : devFile();
    }

    /** Whether there are k-shot splits for this k (any seed). */
    public boolean hasKShot(int k) {
        return !kshotSeeds(k).isEmpty();
    }

    /** The K values that have a k-shot/K-SEED directory, ascending. */
    public List<Integer> kshotKs() {
        if (!Files.isDirectory(kshotRoot)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(kshotRoot)) {
            return s.filter(Files::isDirectory)
                    .map(d -> d.getFileName().toString())
                    .filter(n -> n.matches("\\d+-\\d+"))
                    .map(n -> Integer.parseInt(n.substring(0, n.indexOf('-'))))
                    .distinct()
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + kshotRoot, e);
        }
    }

    /** The seeds that have a k-shot/K-SEED directory, ascending. */
    public List<Integer> kshotSeeds(int k) {
        if (!Files.isDirectory(kshotRoot)) {
            return List.of();
        }
        Pattern p = Pattern.compile(k + "-(\\d+)");
        List<Integer> seeds = new ArrayList<>();
        try (Stream<Path> s = Files.list(kshotRoot)) {
            s.forEach(d -> {
                Matcher m = p.matcher(d.getFileName().toString());
                if (m.matches() && Files.isDirectory(d)) {
                    seeds.add(Integer.parseInt(m.group(1)));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + kshotRoot, e);
        }
        seeds.sort(null);
        return seeds;
    }

    /** Every training file, to infer a definition from: each k-shot train file, the plain train file, pool/train. */
    List<Path> trainingFiles() {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(kshotRoot)) {
            try (Stream<Path> s = Files.list(kshotRoot)) {
                s.filter(Files::isDirectory)
                        .sorted()
                        .forEach(d -> find(d, List.of("train")).ifPresent(files::add));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + kshotRoot, e);
            }
        }
        trainFile().ifPresent(files::add);
        find(dir.resolve("pool"), List.of("train")).ifPresent(files::add);
        return files;
    }

    private String name() {
        return definition == null ? dir.getFileName().toString() : definition.name();
    }

    private Path kshotDir(int k, int seed) {
        Path d = kshotRoot.resolve(k + "-" + seed);
        if (!Files.isDirectory(d)) {
            throw new IllegalArgumentException(
                    "task " + name() + ": no few-shot split " + d + " (seeds available for k=" + k + ": "
                            + kshotSeeds(k)
                            + (trainFile().isPresent()
                                    ? "; or sample them from " + trainFile().get() + " with --k and --seeds"
                                    : "")
                            + ")");
        }
        return d;
    }

    private Path require(Path d, List<String> baseNames) {
        return find(d, baseNames)
                .orElseThrow(() -> new IllegalArgumentException(
                        "task " + name() + ": none of " + baseNames + " with extension " + EXTENSIONS + " in " + d));
    }

    static Optional<Path> find(Path d, List<String> baseNames) {
        for (String base : baseNames) {
            for (String ext : EXTENSIONS) {
                Path f = d.resolve(base + ext);
                if (Files.isRegularFile(f)) {
                    return Optional.of(f);
                }
            }
        }
        return Optional.empty();
    }

    /** {@code root/name}, or the child of root whose name matches ignoring case, or root itself if it is named so. */
    static Path resolveTaskDir(Path root, String name) {
        Path exact = root.resolve(name);
        if (Files.isDirectory(exact)) {
            return exact;
        }
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                Optional<Path> match = s.filter(Files::isDirectory)
                        .filter(d -> d.getFileName().toString().equalsIgnoreCase(name))
                        .findFirst();
                if (match.isPresent()) {
                    return match.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
            Path self = root.toAbsolutePath().normalize().getFileName();
            if (self != null && self.toString().equalsIgnoreCase(name)) {
                return root;
            }
        }
        throw new IllegalArgumentException("task " + name + ": no directory " + exact);
    }
}
