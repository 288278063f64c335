package org.mera.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Tasks known by name. Lookup is case-insensitive and also accepts aliases and the name with its
 * punctuation dropped ("sst2" finds "SST-2"). GLUE comes pre-registered through {@link #withGlue()};
 * other suites (the WordNet tasks) add their own with {@link #register}. Each entry also records the
 * metrics reported for the task, primary metric first.
 */
public final class TaskRegistry {
    private record Entry(Task task, List<String> metrics) {}

    private final Map<String, Entry> byKey = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();

    /** An empty registry. */
    public TaskRegistry() {}

    /** A registry holding the eight GLUE tasks of {@link GlueTasks}. */
    public static TaskRegistry withGlue() {
        TaskRegistry registry = new TaskRegistry();
        GlueTasks.registerInto(registry);
        return registry;
    }

    /** Every built-in task: the eight GLUE tasks and the WordNet suite. */
    public static TaskRegistry standard() {
        TaskRegistry registry = withGlue();
        for (Task t : org.mera.data.wordnet.WordNetTasks.all()) {
            registry.register(
                    t,
                    t.isRegression()
                            ? List.of(t.metric())
                            : t.metric().equals("accuracy") ? List.of("accuracy") : List.of(t.metric(), "accuracy"));
        }
        return registry;
    }

    /** Registers a task reporting only its own primary metric. */
    public void register(Task task, String... aliases) {
        register(task, List.of(task.metric()), aliases);
    }

    /**
     * Registers a task with the metrics reported for it (the first must be the task's primary metric)
     * and extra names it can be looked up by. A name or alias already taken by another task is an error.
     */
    public synchronized void register(Task task, List<String> metrics, String... aliases) {
        if (metrics.isEmpty() || !metrics.get(0).equals(task.metric())) {
            throw new IllegalArgumentException("task " + task.name() + ": reported metrics " + metrics
                    + " must start with its primary metric '" + task.metric() + "'");
        }
        List<String> keys = new ArrayList<>();
        keys.add(key(task.name()));
        keys.add(compactKey(task.name()));
        for (String alias : aliases) {
            keys.add(key(alias));
            keys.add(compactKey(alias));
        }
        for (String k : keys) {
            Entry existing = byKey.get(k);
            if (existing != null && !existing.task().name().equals(task.name())) {
                throw new IllegalArgumentException("task name or alias '" + k + "' of " + task.name()
                        + " is already used by task " + existing.task().name());
            }
        }
        Entry entry = new Entry(task, List.copyOf(metrics));
        entries.removeIf(e -> e.task().name().equals(task.name()));
        byKey.values().removeIf(e -> e.task().name().equals(task.name()));
        entries.add(entry);
        for (String k : keys) {
            byKey.put(k, entry);
        }
    }

    /** The task with this name or alias (case-insensitive), if registered. */
    public synchronized Optional<Task> find(String name) {
        Entry e = byKey.get(key(name));
        if (e == null) {
            e = byKey.get(compactKey(name));
        }
        return Optional.ofNullable(e).map(Entry::task);
    }

    /** The task with this name or alias; an error listing the known tasks otherwise. */
    public Task get(String name) {
        return find(name)
                .orElseThrow(
                        () -> new IllegalArgumentException("unknown task '" + name + "' (known: " + names() + ")"));
    }

    /** The metrics reported for a registered task, primary first; just its primary metric otherwise. */
    public synchronized List<String> metrics(Task task) {
        for (Entry e : entries) {
            if (e.task().equals(task)) {
                return e.metrics();
            }
        }
        return List.of(task.metric());
    }

    /** All tasks in registration order. */
    public synchronized List<Task> tasks() {
        return entries.stream().map(Entry::task).toList();
    }

    /** The tasks of one track (case-insensitive), in registration order. */
    public synchronized List<Task> track(String track) {
        return entries.stream()
                .map(Entry::task)
                .filter(t -> t.track().equalsIgnoreCase(track))
                .toList();
    }

    /** The names of all registered tasks. */
    public synchronized List<String> names() {
        return Collections.unmodifiableList(
                entries.stream().map(e -> e.task().name()).toList());
    }

    private static String key(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }

    /** "SST-2", "sst_2", "Sst 2" all become "sst2". */
    private static String compactKey(String name) {
        return key(name).replaceAll("[^a-z0-9]", "");
    }
}
