package org.mera.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The one place a task is looked up: a built-in name (the GLUE tasks and the WordNet suite, with their data under a
 * data root) or a user's task directory (its task.yaml, or a definition inferred from its files). Both come back
 * as a {@link TaskDirectory}, read by the same readers, with the track as part of the task's definition.
 */
public final class TaskCatalogue {
    private static final TaskRegistry BUILT_IN = TaskRegistry.standard();

    private TaskCatalogue() {}

    /** The built-in tasks. */
    public static TaskRegistry builtIns() {
        return BUILT_IN;
    }

    /** A built-in task's definition: its registered metrics and its files' column layouts. */
    public static TaskDefinition builtInDefinition(Task task) {
        return TaskDefinition.builtIn(task, BUILT_IN.metrics(task));
    }

    /**
     * Whether {@code spec} is a task directory: not a built-in task's name (a built-in name always means the built-in
     * task, whatever folders lie about) and an existing directory (relative to {@code base}, if given).
     */
    public static boolean isDirectory(String spec, Path base) {
        return spec != null
                && !spec.isBlank()
                && BUILT_IN.find(spec).isEmpty()
                && Files.isDirectory(base == null ? Path.of(spec) : base.resolve(spec));
    }

    /**
     * A task from a name or directory: a built-in task name, whose data lies under {@code dataRoot} (the task's own
     * directory or a folder holding it), or else an existing directory (relative to {@code base}, if given), a user
     * task directory. An unknown name that is no directory is an error saying both.
     */
    public static TaskDirectory resolve(String spec, Path base, Path dataRoot) throws IOException {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(
                    "no task given: a built-in task name (" + BUILT_IN.names() + ") or a task directory");
        }
        if (isDirectory(spec, base)) {
            return TaskDirectory.open(base == null ? Path.of(spec) : base.resolve(spec));
        }
        Optional<Task> task = BUILT_IN.find(spec);
        if (task.isEmpty()) {
            throw new IllegalArgumentException(
                    "task '" + spec + "' is neither a directory" + (base == null ? "" : " (under " + base + ")")
                            + " nor a built-in task (" + String.join(", ", BUILT_IN.names()) + ")");
        }
        if (dataRoot == null) {
            throw new IllegalArgumentException("built-in task " + task.get().name()
                    + " needs its data: give the folder holding " + task.get().name()
                    + "/ (for GLUE: a copy laid out as docs/data.md says), or give the task directory itself");
        }
        if (!Files.exists(dataRoot)) {
            throw new java.nio.file.NoSuchFileException(dataRoot.toString(), null, "data directory not found");
        }
        return TaskDirectory.under(dataRoot, task.get());
    }
}
