package org.mera.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.mera.data.TaskDirectory;

/**
 * Everything about a config that can be checked without training: names (tasks, methods, hyperparameters),
 * values, the data files every cell will read, and whether every merge has sources to merge. Collects all
 * problems instead of stopping at the first.
 */
public final class ConfigValidator implements Validator {
    private final Map<String, Hyperparameters.Spec> specs;

    public ConfigValidator() {
        this(Hyperparameters.KNOWN);
    }

    public ConfigValidator(Map<String, Hyperparameters.Spec> specs) {
        this.specs = specs;
    }

    /** Known hyperparameters plus those a runner adds. */
    public static Map<String, Hyperparameters.Spec> specsFor(CellRunner runner) {
        Map<String, Hyperparameters.Spec> all = new LinkedHashMap<>(Hyperparameters.KNOWN);
        all.putAll(runner.hyperparameterSpecs());
        return all;
    }

    @Override
    public List<String> validate(ExperimentConfig c) {
        Set<String> problems = new LinkedHashSet<>();
        if (c.name() == null || c.name().isBlank()) {
            problems.add("name: missing");
        }
        ResolvedTasks resolved = ResolvedTasks.of(c);
        TaskCatalog catalog = TaskCatalog.of(c, resolved);
        checkNames("encoders", c.encoders(), problems);
        checkNames("targets", c.targets(), problems);
        checkNames("methods", c.methods(), problems);
        checkNames("sources", c.sources(), problems);
        checkNumbers("k", c.k(), true, problems);
        checkNumbers("seeds", c.seeds(), false, problems);
        problems.addAll(resolved.problems());
        List<Method> methods = new ArrayList<>();
        for (int i = 0; i < c.methods().size(); i++) {
            String m = c.methods().get(i);
            if (m == null) {
                continue;
            }
            int index = i;
            Method.fromId(m)
                    .ifPresentOrElse(
                            methods::add,
                            () -> problems.add("methods[" + index + "]: unknown method '" + m + "' (known: "
                                    + Method.knownIds() + ")"));
        }
        for (int i = 0; i < c.exclude().size(); i++) {
            ExperimentConfig.Exclusion e = c.exclude().get(i);
            String at = "exclude[" + i + "]";
            if (e.encoders().isEmpty() && e.targets().isEmpty() && e.methods().isEmpty()) {
                problems.add(at
                        + ": empty (name encoders, targets and/or methods; an empty entry would exclude every cell)");
            }
            checkListed(at + ".encoders", e.encoders(), c.encoders(), problems);
            checkListed(at + ".targets", e.targets(), c.targets(), problems);
            checkListed(at + ".methods", e.methods(), c.methods(), problems);
        }
        Map<String, String> trackOf = new HashMap<>();
        c.tracks().forEach((track, tasks) -> {
            for (String t : tasks) {
                if (t == null
                        || !(catalog.isKnown(t)
                                || resolved.sources().containsKey(t)
                                || resolved.sourceName(t).isPresent())) {
                    problems.add("tracks." + track + ": '" + t + "' is neither a known task nor one of the sources");
                } else if (trackOf.containsKey(t) && !trackOf.get(t).equals(track)) {
                    problems.add("tracks: task " + t + " is in both '" + trackOf.get(t) + "' and '" + track + "'");
                } else {
                    trackOf.put(t, track);
                }
            }
        });
        c.primaryMetrics().forEach((task, metric) -> {
            if (metric == null || metric.isBlank()) {
                problems.add("primaryMetrics." + task + ": no metric given");
            }
        });

        List<String> hpProblems = new ArrayList<>();
        Hyperparameters.checkSections(c.hyperparameters(), hpProblems);
        for (Method m : Method.values()) {
            Hyperparameters.resolve(m, c.hyperparameters(), specs, hpProblems);
        }
        problems.addAll(hpProblems);

        if (c.outputDir() == null) {
            problems.add("outputDir: missing");
        } else if (Files.exists(c.outputDir()) && !Files.isDirectory(c.outputDir())) {
            problems.add("outputDir: " + c.outputDir() + " exists and is not a folder");
        }
        checkData(c, catalog, resolved, methods, problems);
        return new ArrayList<>(problems);
    }

    private void checkData(
            ExperimentConfig c,
            TaskCatalog catalog,
            ResolvedTasks resolved,
            List<Method> methods,
            Set<String> problems) {
        if (c.dataRoot() != null && !Files.isDirectory(c.dataRoot())) {
            problems.add("dataRoot: " + c.dataRoot() + " is not a folder");
            return;
        }
        Set<String> sourcesUsed = new TreeSet<>();
        for (ResolvedTasks.Target target : resolved.targets()) {
            TaskDirectory td = target.dir();
            String name = target.name();
            for (Integer k : c.k()) {
                if (k == null || k <= 0) {
                    continue;
                }
                for (Integer seed : c.seeds()) {
                    if (seed == null || !td.kshotSeeds(k).contains(seed)) {
                        continue;
                    }
                    for (String split : List.of("train", "dev")) {
                        Path file;
                        try {
                            file = split.equals("train") ? td.kshotTrainFile(k, seed) : td.kshotDevFile(k, seed);
                        } catch (IllegalArgumentException e) {
                            problems.add("data: " + name + " k=" + k + " seed=" + seed + ": no " + split + " file ("
                                    + e.getMessage() + ")");
                            continue;
                        }
                        List<org.mera.data.Example> examples = readChecked(td, file, problems);
                        if (examples != null) {
                            checkKShotSize(td.task(), file, examples, k, problems);
                        }
                    }
                }
                List<Integer> missing = c.seeds().stream()
                        .filter(s -> s != null && !td.kshotSeeds(k).contains(s))
                        .toList();
                if (missing.isEmpty()) {
                    continue;
                }
                if (td.trainFile().isEmpty()) {
                    problems.add("data: " + name + " k=" + k + ": no k-shot split for seed(s) " + missing + " under "
                            + td.kshotRoot() + " and no train file in " + td.taskDir() + " to sample them from");
                    continue;
                }
                try {
                    // Sampling needs 2k examples of every class (k for train, k for dev): say so before anything runs.
                    org.mera.data.KShotSampler.sampleTrainAndDev(
                            td.read(td.trainFile().get()), td.task(), k, missing.get(0));
                } catch (RuntimeException e) {
                    problems.add("data: " + name + " k=" + k + ": cannot sample from "
                            + td.trainFile().get() + ": " + e.getMessage());
                }
            }
            if (td.testFileIfAny().isEmpty()) {
                problems.add("data: " + name + ": no test file (test, test_matched or pool/dev; .tsv, .jsonl, .csv) in "
                        + td.taskDir());
            } else {
                readChecked(td, td.testFileIfAny().get(), problems);
            }
            for (Method m : methods) {
                if (!m.usesSources()
                        || c.encoders().stream()
                                .allMatch(e -> c.excluded(e, name, m.id()) || c.excluded(e, target.spec(), m.id()))) {
                    continue;
                }
                List<String> sources = Grid.sourcesFor(c, catalog, resolved, name, m);
                if (sources.size() < m.minimumSources()) {
                    problems.add(sourceProblem(c, catalog, name, m, sources));
                }
                sourcesUsed.addAll(sources);
            }
        }
        for (String s : sourcesUsed) {
            if (resolved.sources().get(s) instanceof SourceSpec.Task t) {
                if (t.dir().poolTrainFileIfAny().isEmpty()) {
                    problems.add("data: source " + s + ": no pool/train or train file in "
                            + t.dir().taskDir() + " to train its adapter on");
                } else {
                    readChecked(t.dir(), t.dir().poolTrainFileIfAny().get(), problems);
                }
                if (t.dir().poolDevFileIfAny().isEmpty()) {
                    problems.add("data: source " + s + ": no pool/dev or dev file in "
                            + t.dir().taskDir() + " to select its adapter on");
                } else {
                    readChecked(t.dir(), t.dir().poolDevFileIfAny().get(), problems);
                }
            }
        }
    }

    /**
     * Reads a data file a cell will read, as the cell will (labels against the task's, columns, encoding), so that a
     * bad line is reported before the first cell trains instead of failing the grid half-way; null when unreadable.
     */
    private static List<org.mera.data.Example> readChecked(TaskDirectory td, Path file, Set<String> problems) {
        try {
            return td.read(file);
        } catch (org.mera.data.ExampleFileException e) {
            problems.add("data: " + e.getMessage());
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            problems.add("data: " + file + ": " + e.getMessage());
        }
        return null;
    }

    /**
     * A k-shot split holds k examples of every class (LM-BFF's layout, and what mera samples); a regression task's
     * holds 2k (k below and k at or above its threshold). Any other count means the folder is not the K it is named.
     */
    static void checkKShotSize(
            org.mera.data.Task task, Path file, List<org.mera.data.Example> examples, int k, Set<String> problems) {
        if (task.isRegression()) {
            if (examples.size() != 2 * k) {
                problems.add("data: " + file + ": holds " + examples.size()
                        + " examples; a k-shot split of regression task " + task.name() + " for k=" + k + " holds "
                        + 2 * k + " (k on each side of the threshold)");
            }
            return;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        task.labels().forEach(l -> counts.put(l, 0));
        examples.forEach(e -> counts.merge(e.label(), 1, Integer::sum));
        Map<String, Integer> wrong = new LinkedHashMap<>();
        counts.forEach((label, n) -> {
            if (n != k) {
                wrong.put(label, n);
            }
        });
        if (!wrong.isEmpty()) {
            problems.add("data: " + file + ": a k-shot split for k=" + k + " holds " + k
                    + " examples of every label of " + task.name() + ", but this one holds " + counts
                    + " (label=count); fix the file or the folder's K");
        }
    }

    private static String sourceProblem(
            ExperimentConfig c, TaskCatalog catalog, String target, Method m, List<String> sources) {
        String need = m.minimumSources() == 1
                ? "at least one source adapter"
                : "at least " + m.minimumSources() + " source adapters to combine";
        String why;
        if (m == Method.MERA_SAME_TRACK) {
            why = catalog.track(target)
                    .map(tr -> "no source task in " + target + "'s track '" + tr + "'"
                            + (c.allowTargetSource()
                                    ? ""
                                    : " other than " + target + " itself (allowTargetSource is off)"))
                    .orElse(target + " belongs to no track");
        } else {
            why = "the sources for " + target + " are " + sources
                    + (c.allowTargetSource() ? "" : " (the target itself is excluded)");
        }
        return "methods: " + m.id() + " for target " + target + " needs " + need + ": " + why;
    }

    /** An exclusion naming something the grid does not have is a typo, or a leftover that hides nothing. */
    private static void checkListed(String field, List<String> names, List<String> inGrid, Set<String> problems) {
        for (String n : names) {
            if (n == null || !inGrid.contains(n)) {
                problems.add(field + ": '" + n + "' is not in the grid (listed: " + inGrid + ")");
            }
        }
    }

    private static void checkNames(String field, List<String> names, Set<String> problems) {
        if (names.isEmpty() && !field.equals("sources")) {
            problems.add(field + ": empty (give at least one)");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n == null || n.isBlank()) {
                problems.add(field + "[" + i + "]: empty entry");
            } else if (!seen.add(n)) {
                problems.add(field + "[" + i + "]: '" + n + "' is listed twice");
            }
        }
    }

    private static void checkNumbers(String field, List<Integer> values, boolean positive, Set<String> problems) {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            Integer v = values.get(i);
            if (v == null) {
                problems.add(field + "[" + i + "]: empty entry");
            } else if (positive && v <= 0) {
                problems.add(field + "[" + i + "]: " + v + " must be > 0");
            } else if (!seen.add(v)) {
                problems.add(field + "[" + i + "]: " + v + " is listed twice");
            }
        }
    }
}
