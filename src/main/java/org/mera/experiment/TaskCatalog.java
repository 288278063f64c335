package org.mera.experiment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the experiment machinery needs to know about a task: its primary metric (the number reported)
 * and its track. Built-in: the eight GLUE tasks, with LM-BFF's metrics (MRPC/QQP F1, STS-B Pearson,
 * CoLA MCC, accuracy elsewhere) and AdapterHub's track grouping of its GLUE adapters (a choice, see
 * method.md). A config may add tasks or override either through {@code tracks} and {@code primaryMetrics}.
 */
public final class TaskCatalog {
    /** Primary metric of every built-in task (GLUE and the WordNet suite), from the task registry. */
    public static final Map<String, String> GLUE_METRICS;
    /** Tracks of the built-in tasks as the task registry defines them (AdapterHub's grouping for GLUE). */
    public static final Map<String, List<String>> DEFAULT_TRACKS;

    static {
        Map<String, String> metrics = new LinkedHashMap<>();
        Map<String, List<String>> tracks = new LinkedHashMap<>();
        for (org.mera.data.Task t : org.mera.data.TaskRegistry.standard().tasks()) {
            metrics.put(t.name(), t.metric());
            tracks.computeIfAbsent(t.track(), k -> new java.util.ArrayList<>()).add(t.name());
        }
        GLUE_METRICS = Collections.unmodifiableMap(metrics);
        tracks.replaceAll((k, v) -> List.copyOf(v));
        DEFAULT_TRACKS = Collections.unmodifiableMap(tracks);
    }

    private final Map<String, String> metricByTask;
    private final Map<String, String> trackByTask;

    private TaskCatalog(Map<String, String> metricByTask, Map<String, String> trackByTask) {
        this.metricByTask = metricByTask;
        this.trackByTask = trackByTask;
    }

    /** GLUE defaults, overridden/extended by a config's tracks and primary metrics (either may be empty). */
    public static TaskCatalog of(Map<String, List<String>> tracks, Map<String, String> primaryMetrics) {
        Map<String, String> metric = new LinkedHashMap<>(GLUE_METRICS);
        metric.putAll(primaryMetrics);
        Map<String, String> track = new LinkedHashMap<>();
        Map<String, List<String>> effectiveTracks = tracks.isEmpty() ? DEFAULT_TRACKS : tracks;
        effectiveTracks.forEach((name, tasks) -> tasks.forEach(t -> track.putIfAbsent(t, name)));
        return new TaskCatalog(metric, track);
    }

    public static TaskCatalog of(ExperimentConfig config) {
        return of(config, ResolvedTasks.of(config));
    }

    /**
     * The built-in tasks, then the config's resolved tasks with their definitions' metrics and tracks, and its
     * adapter sources with the tracks the config gives them; the config's own tracks and primaryMetrics win.
     */
    public static TaskCatalog of(ExperimentConfig config, ResolvedTasks resolved) {
        TaskCatalog base = of(config.tracks(), config.primaryMetrics());
        for (org.mera.data.Task t : resolved.tasks()) {
            base.metricByTask.putIfAbsent(t.name(), t.metric());
            if (t.track() != null && !t.track().isEmpty()) {
                base.trackByTask.putIfAbsent(t.name(), t.track());
            }
        }
        for (SourceSpec s : resolved.sources().values()) {
            if (s instanceof SourceSpec.Adapter a) {
                a.track().ifPresent(tr -> base.trackByTask.putIfAbsent(a.name(), tr));
            }
        }
        return base;
    }

    /** A task is known when its primary metric is; the report cannot rank a task without one. */
    public boolean isKnown(String task) {
        return metricByTask.containsKey(task);
    }

    public String primaryMetric(String task) {
        String m = metricByTask.get(task);
        if (m == null) {
            throw new IllegalArgumentException("unknown task '" + task + "' (known: " + metricByTask.keySet() + ")");
        }
        return m;
    }

    public Optional<String> track(String task) {
        return Optional.ofNullable(trackByTask.get(task));
    }
}
