package org.mera.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.mera.data.Example;
import org.mera.data.KShotSampler;
import org.mera.data.Task;
import org.mera.data.TaskCatalogue;
import org.mera.data.TaskDefinition;
import org.mera.data.TaskDirectory;
import org.mera.data.TaskRegistry;

/**
 * Where the train/eval/fewshot/predict commands get their task and examples: {@code --task} is a built-in task
 * name or a task directory ({@link TaskCatalogue}); {@code --data} is the task's directory (or a folder holding
 * it) or a single labelled file, and may be left out when {@code --task} is a directory or a built-in WordNet task.
 */
final class TrainingData {
    /** The fraction of a single file held out as dev. */
    static final double FILE_DEV_FRACTION = 0.1;

    /** The examples of one run, a short description of where they came from, and whether mera sampled them. */
    record Splits(List<Example> train, List<Example> dev, List<Example> test, String split, boolean sampled) {}

    /** A resolved --task/--data pair: the definition, and the task directory or the single file to read. */
    record Source(TaskDefinition definition, TaskDirectory dir, Path file) {
        Task task() {
            return definition.task();
        }
    }

    private TrainingData() {}

    static TaskRegistry registry() {
        return TaskCatalogue.builtIns();
    }

    /** Just the task's definition, from a built-in name or a task directory (no data needed). */
    static TaskDefinition definition(String taskSpec) throws IOException {
        if (TaskCatalogue.isDirectory(taskSpec, null)) {
            return TaskDirectory.open(Path.of(taskSpec)).definition();
        }
        Task t = registry()
                .find(taskSpec)
                .orElseThrow(() -> new IllegalArgumentException(
                        "task '" + taskSpec + "' is neither a directory nor a built-in task ("
                                + String.join(", ", registry().names()) + ")"));
        return TaskCatalogue.builtInDefinition(t);
    }

    /** The task and data of a command's {@code --task SPEC [--data DIR_OR_FILE]}. */
    static Source resolve(String taskSpec, Path data) throws IOException {
        return resolve(taskSpec, data, org.mera.model.ModelCatalog.defaultHome(), System.err);
    }

    /**
     * As {@link #resolve(String, Path)}; without {@code --data} a built-in WordNet task reads the suite {@code mera
     * demo} generates under {@code home} (made now if missing), as {@code mera experiment} does, so that every command
     * finds the same data for the same name.
     */
    static Source resolve(String taskSpec, Path data, Path home, java.io.PrintStream log) throws IOException {
        if (data == null && isWordNetTask(taskSpec)) {
            data = DemoCommand.wordNetSuite(home, log, "mera");
            log.println("mera: built-in WordNet task " + taskSpec + " read from " + data
                    + " (--data DIR to read another folder)");
        }
        if (data != null && !Files.exists(data)) {
            throw new NoSuchFileException(data.toString(), null, "data not found");
        }
        if (TaskCatalogue.isDirectory(taskSpec, null)) {
            TaskDirectory td = TaskDirectory.open(Path.of(taskSpec));
            if (data == null || Files.isDirectory(data)) {
                return new Source(td.definition(), data == null ? td : TaskDirectory.of(td.definition(), data), null);
            }
            return new Source(td.definition(), null, data);
        }
        if (data == null) {
            TaskCatalogue.resolve(
                    taskSpec, null, null); // names the problem: unknown task, or a built-in one without data
        }
        if (Files.isDirectory(data)) {
            TaskDirectory td = TaskCatalogue.resolve(taskSpec, null, data);
            return new Source(td.definition(), td, null);
        }
        return new Source(definition(taskSpec), null, data);
    }

    /** A built-in WordNet task's name (not a directory of that name). */
    static boolean isWordNetTask(String spec) {
        return !TaskCatalogue.isDirectory(spec, null)
                && org.mera.data.wordnet.WordNetTasks.all().stream()
                        .anyMatch(t -> t.name().equals(spec));
    }

    /**
     * Train/dev/test for one run. A directory gives its k-shot/K-SEED split (train, dev) or, with {@code pool},
     * its pool (or plain train and dev files); a directory without k-shot splits but with a plain train file gets
     * k per class for train and a disjoint k per class for dev drawn from it with the seed, LM-BFF's way ({@code
     * sampled} is then true and the caller saves them). A file gives a seeded 90/10 train/dev split (then k per
     * class of the train part when {@code k} is set) and the examples of {@code testFile}, if any.
     */
    static Splits forTraining(Source src, Integer k, long seed, boolean pool, Path testFile) throws IOException {
        TaskDefinition def = src.definition();
        List<Example> extraTest = testFile == null ? null : read(testFile, def, true);
        if (src.dir() != null) {
            TaskDirectory td = src.dir();
            List<Example> test = extraTest != null
                    ? extraTest
                    : td.testFileIfAny().map(td::read).orElse(List.of());
            if (pool) {
                return new Splits(td.poolTrain(), td.poolDev(), test, "pool", false);
            }
            int kk = k == null ? 16 : k;
            if (!td.hasKShot(kk) && td.trainFile().isPresent()) {
                KShotSampler.Split s =
                        KShotSampler.sampleTrainAndDev(td.read(td.trainFile().get()), def.task(), kk, seed);
                return new Splits(
                        s.train(),
                        s.dev(),
                        test,
                        "sampled " + kk + " per class from "
                                + td.trainFile().get().getFileName() + " with seed " + seed,
                        true);
            }
            return new Splits(
                    td.kshotTrain(kk, (int) seed),
                    td.kshotDev(kk, (int) seed),
                    test,
                    "k-shot/" + kk + "-" + seed,
                    false);
        }
        if (pool) {
            throw new IllegalArgumentException("--pool needs a task directory, but " + src.file() + " is a file");
        }
        List<Example> all = new ArrayList<>(read(src.file(), def, true));
        if (all.size() < 2) {
            throw new IllegalArgumentException(
                    src.file() + ": needs at least 2 examples to hold out a dev split, has " + all.size());
        }
        Collections.shuffle(all, new Random(seed));
        int devSize = Math.max(1, (int) Math.round(all.size() * FILE_DEV_FRACTION));
        List<Example> dev = List.copyOf(all.subList(0, devSize));
        List<Example> train = List.copyOf(all.subList(devSize, all.size()));
        String split = "file, seeded " + Math.round(100 * (1 - FILE_DEV_FRACTION)) + "/"
                + Math.round(100 * FILE_DEV_FRACTION) + " train/dev";
        if (k != null) {
            train = KShotSampler.sample(train, def.task(), k, seed);
            split += ", " + k + " per class";
        }
        return new Splits(train, dev, extraTest == null ? List.of() : extraTest, split, k != null);
    }

    /** Examples to evaluate on: a file as it is, or a directory's split (test, dev, train; pool or k-shot). */
    static List<Example> forEval(Source src, String split, Integer k, Integer seed, boolean labelled)
            throws IOException {
        if (src.dir() == null) {
            return read(src.file(), src.definition(), labelled);
        }
        if (!labelled) {
            throw new IllegalArgumentException(
                    "--unlabelled reads one file; give the file itself as --data, not the folder "
                            + src.dir().taskDir());
        }
        TaskDirectory td = src.dir();
        boolean kshot = k != null || seed != null;
        return switch (split) {
            case "test" -> td.test();
            case "dev" -> kshot ? td.kshotDev(k == null ? 16 : k, seed == null ? 42 : seed) : td.poolDev();
            case "train" -> kshot ? td.kshotTrain(k == null ? 16 : k, seed == null ? 42 : seed) : td.poolTrain();
            default -> throw new IllegalArgumentException("unknown split '" + split + "' (test, dev, train)");
        };
    }

    /** A labelled file, or with {@code labelled} false one whose label column (if any) is not read. */
    static List<Example> read(Path file, TaskDefinition def, boolean labelled) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "data file not found");
        }
        return def.read(file, labelled);
    }
}
