package org.mera.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mera.data.Task;
import org.mera.data.TaskCatalogue;
import org.mera.data.TaskDirectory;
import org.mera.train.AdapterFiles;

/**
 * A config's targets and sources, looked up in the task catalogue: built-in task names (data under the config's
 * data root), task directories (task.yaml or inferred) and, among sources, adapter directories. Whatever cannot be
 * resolved is a problem, named by its config entry, never an exception half-way through a grid.
 */
public final class ResolvedTasks {
    /** A target as the config names it ({@code spec}) and the task it resolved to. */
    public record Target(String spec, TaskDirectory dir) {
        public String name() {
            return dir.task().name();
        }
    }

    private final List<Target> targets = new ArrayList<>();
    private final Map<String, SourceSpec> sources = new LinkedHashMap<>();
    private final Map<String, String> sourceNameBySpec = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private ResolvedTasks() {}

    public static ResolvedTasks of(ExperimentConfig c) {
        ResolvedTasks r = new ResolvedTasks();
        for (int i = 0; i < c.targets().size(); i++) {
            String spec = c.targets().get(i);
            if (spec == null || spec.isBlank()) {
                continue;
            }
            try {
                TaskDirectory td = resolveTask(spec, c.dataRoot());
                if (r.targets.stream().anyMatch(t -> t.name().equals(td.task().name()))) {
                    r.problems.add("targets[" + i + "]: a second target named "
                            + td.task().name() + " (" + spec + ")");
                } else {
                    r.targets.add(new Target(spec, td));
                }
            } catch (Exception e) {
                r.problems.add("targets[" + i + "]: " + message(e));
            }
        }
        List<String> specs = c.sources();
        if (specs.isEmpty() && c.dataRoot() != null) {
            // Default: every built-in task with a pool under the data root.
            specs = TaskCatalogue.builtIns().names().stream()
                    .filter(n -> Files.isDirectory(c.dataRoot().resolve(n).resolve("pool")))
                    .toList();
        }
        for (int i = 0; i < specs.size(); i++) {
            String spec = specs.get(i);
            if (spec == null || spec.isBlank()) {
                continue;
            }
            try {
                SourceSpec s = resolveSource(spec, c, r.sources.keySet());
                r.sources.put(s.name(), s);
                r.sourceNameBySpec.put(spec, s.name());
            } catch (Exception e) {
                r.problems.add("sources[" + i + "]: " + message(e));
            }
        }
        return r;
    }

    private static TaskDirectory resolveTask(String spec, Path dataRoot) throws java.io.IOException {
        if (!TaskCatalogue.isDirectory(spec, null)
                && TaskCatalogue.builtIns().find(spec).isPresent()
                && dataRoot == null) {
            throw new IllegalArgumentException("built-in task " + spec + " needs the folder holding " + spec
                    + "/: dataRoot in a config, --data DIR "
                    + "on the command line (GLUE: a copy laid out as docs/data.md says; the WordNet tasks: the "
                    + "suite `mera demo` generates in $MERA_HOME/demo/wordnet-suite, which mera experiment "
                    + "without a config uses by itself)");
        }
        return TaskCatalogue.resolve(spec, null, dataRoot);
    }

    private static SourceSpec resolveSource(String spec, ExperimentConfig c, java.util.Set<String> taken)
            throws java.io.IOException {
        if (TaskCatalogue.isDirectory(spec, null) && isAdapterDirectory(Path.of(spec))) {
            Path dir = Path.of(spec).toAbsolutePath().normalize();
            AdapterFiles.Kind kind = AdapterFiles.detect(dir);
            String name = dir.getFileName().toString();
            if (taken.contains(name)
                    && dir.getParent() != null
                    && dir.getParent().getFileName() != null) {
                name = dir.getParent().getFileName() + "/" + name;
            }
            if (taken.contains(name)) {
                throw new IllegalArgumentException(spec + ": a second source named " + name);
            }
            String n = name;
            Optional<String> track = c.tracks().entrySet().stream()
                    .filter(e -> e.getValue().contains(n) || e.getValue().contains(spec))
                    .map(Map.Entry::getKey)
                    .findFirst();
            return new SourceSpec.Adapter(name, dir, kind, track);
        }
        TaskDirectory td = resolveTask(spec, c.dataRoot());
        if (taken.contains(td.task().name())) {
            throw new IllegalArgumentException(
                    spec + ": a second source named " + td.task().name());
        }
        return new SourceSpec.Task(td.task().name(), td);
    }

    /** A directory holding adapter weights (AdapterHub / mera, or PEFT LoRA) rather than task data. */
    static boolean isAdapterDirectory(Path dir) throws java.io.IOException {
        return org.mera.adapter.AdapterKind.of(dir)
                .filter(org.mera.adapter.AdapterKind::standalone)
                .isPresent();
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    public List<Target> targets() {
        return targets;
    }

    /** The sources by name, in config order. */
    public Map<String, SourceSpec> sources() {
        return sources;
    }

    /** A config source entry's name in cells (the task's name, or the adapter directory's). */
    public Optional<String> sourceName(String spec) {
        return Optional.ofNullable(sourceNameBySpec.get(spec));
    }

    public Optional<Target> target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public List<String> problems() {
        return problems;
    }

    /** Every task definition resolved (targets and task sources), for metrics and tracks. */
    public List<Task> tasks() {
        List<Task> all = new ArrayList<>();
        targets.forEach(t -> all.add(t.dir().task()));
        sources.values().forEach(s -> {
            if (s instanceof SourceSpec.Task t) {
                all.add(t.dir().task());
            }
        });
        return all;
    }
}
