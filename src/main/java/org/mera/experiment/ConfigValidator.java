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
        TaskCatalog catalog = TaskCatalog.of(c);
        checkNames("encoders", c.encoders(), problems);
        checkNames("targets", c.targets(), problems);
        checkNames("methods", c.methods(), problems);
        checkNames("sources", c.sources(), problems);
        checkNumbers("k", c.k(), true, problems);
        checkNumbers("seeds", c.seeds(), false, problems);
        for (int i = 0; i < c.targets().size(); i++) {
            String t = c.targets().get(i);
            if (t != null && !catalog.isKnown(t)) {
                problems.add("targets[" + i + "]: unknown task '" + t + "' (known: " + String.join(", ", catalog.knownTasks())
                        + "; declare others under tracks + primaryMetrics)");
            }
        }
        for (int i = 0; i < c.sources().size(); i++) {
            String t = c.sources().get(i);
            if (t != null && !catalog.isKnown(t)) {
                problems.add("sources[" + i + "]: unknown task '" + t + "' (known: " + String.join(", ", catalog.knownTasks()) + ")");
            }
        }
        List<Method> methods = new ArrayList<>();
        for (int i = 0; i < c.methods().size(); i++) {
            String m = c.methods().get(i);
            if (m == null) {
                continue;
            }
            int index = i;
            Method.fromId(m).ifPresentOrElse(methods::add,
                    () -> problems.add("methods[" + index + "]: unknown method '" + m + "' (known: " + Method.knownIds() + ")"));
        }
        for (int i = 0; i < c.exclude().size(); i++) {
            ExperimentConfig.Exclusion e = c.exclude().get(i);
            String at = "exclude[" + i + "]";
            if (e.encoders().isEmpty() && e.targets().isEmpty() && e.methods().isEmpty()) {
                problems.add(at + ": empty (name encoders, targets and/or methods; an empty entry would exclude every cell)");
            }
            checkListed(at + ".encoders", e.encoders(), c.encoders(), problems);
            checkListed(at + ".targets", e.targets(), c.targets(), problems);
            checkListed(at + ".methods", e.methods(), c.methods(), problems);
        }
        Map<String, String> trackOf = new HashMap<>();
        c.tracks().forEach((track, tasks) -> {
            for (String t : tasks) {
                if (t == null || !catalog.isKnown(t)) {
                    problems.add("tracks." + track + ": unknown task '" + t + "' (a new task also needs primaryMetrics." + t + ")");
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
        checkData(c, catalog, methods, problems);
        return new ArrayList<>(problems);
    }

    private void checkData(ExperimentConfig c, TaskCatalog catalog, List<Method> methods, Set<String> problems) {
        Path root = c.dataRoot();
        if (root == null) {
            problems.add("dataRoot: missing");
            return;
        }
        if (!Files.isDirectory(root)) {
            problems.add("dataRoot: " + root + " is not a folder");
            return;
        }
        Set<String> sourcesUsed = new TreeSet<>();
        for (String target : c.targets()) {
            if (target == null || !catalog.isKnown(target)) {
                continue;
            }
            if (!Files.isDirectory(DataLayout.taskDir(root, target))) {
                problems.add("targets: no data folder for " + target + " at " + DataLayout.taskDir(root, target));
                continue;
            }
            for (Integer k : c.k()) {
                for (Integer seed : c.seeds()) {
                    if (k == null || seed == null) {
                        continue;
                    }
                    if (DataLayout.first(DataLayout.trainCandidates(root, target, k, seed)).isEmpty()) {
                        problems.add("data: " + target + " k=" + k + " seed=" + seed + ": no training file (looked for "
                                + DataLayout.trainCandidates(root, target, k, seed) + ")");
                    }
                    if (DataLayout.first(DataLayout.devCandidates(root, target, k, seed)).isEmpty()) {
                        problems.add("data: " + target + " k=" + k + " seed=" + seed + ": no dev file (looked for "
                                + DataLayout.devCandidates(root, target, k, seed) + ")");
                    }
                }
            }
            if (DataLayout.first(DataLayout.testCandidates(root, target)).isEmpty()) {
                problems.add("data: " + target + ": no test file (looked for " + DataLayout.testCandidates(root, target) + ")");
            }
            for (Method m : methods) {
                if (!m.usesSources() || c.encoders().stream().allMatch(e -> c.excluded(e, target, m.id()))) {
                    continue;
                }
                List<String> sources = Grid.sourcesFor(c, catalog, target, m);
                if (sources.size() < m.minimumSources()) {
                    problems.add(sourceProblem(c, catalog, target, m, sources));
                }
                sourcesUsed.addAll(sources);
            }
        }
        for (String s : sourcesUsed) {
            if (DataLayout.first(DataLayout.poolTrainCandidates(root, s)).isEmpty()) {
                problems.add("data: source " + s + ": no pool training file for its adapter (looked for "
                        + DataLayout.poolTrainCandidates(root, s) + ")");
            }
            if (DataLayout.first(DataLayout.poolDevCandidates(root, s)).isEmpty()) {
                problems.add("data: source " + s + ": no pool dev file (looked for " + DataLayout.poolDevCandidates(root, s) + ")");
            }
        }
    }

    private static String sourceProblem(ExperimentConfig c, TaskCatalog catalog, String target, Method m, List<String> sources) {
        String need = m.minimumSources() == 1 ? "at least one source adapter" : "at least " + m.minimumSources() + " source adapters to combine";
        String why;
        if (m == Method.MERA_SAME_TRACK) {
            why = catalog.track(target).map(tr -> "no source task in " + target + "'s track '" + tr + "'"
                            + (c.allowTargetSource() ? "" : " other than " + target + " itself (allowTargetSource is off)"))
                    .orElse(target + " belongs to no track");
        } else {
            why = "the sources for " + target + " are " + sources + (c.allowTargetSource() ? "" : " (the target itself is excluded)");
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
