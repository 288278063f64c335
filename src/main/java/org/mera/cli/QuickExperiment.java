package org.mera.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mera.data.TaskCatalogue;
import org.mera.data.TaskDirectory;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.Grid;
import org.mera.experiment.Method;
import org.mera.experiment.ResolvedTasks;
import org.mera.experiment.TaskCatalog;
import org.mera.io.Json;

/**
 * {@code mera experiment} without a config file: the standard comparison on a user's task (full fine-tuning, a
 * fresh adapter, each single source, fusion, the MerA merges, same-track where tracks are known, auto), built as an
 * ordinary {@link ExperimentConfig} (saved as {@code OUT/experiment.yaml}, so the run can be repeated from the file).
 */
final class QuickExperiment {
    static final List<Method> STANDARD = List.of(
            Method.FULL,
            Method.ADAPTER,
            Method.SINGLE,
            Method.FUSION,
            Method.MERA_AVERAGE,
            Method.MERA_OT,
            Method.MERA_SAME_TRACK,
            Method.MERA_AUTO);

    private final List<String> targets;
    private final List<String> sources;
    private final List<String> models;
    private final List<String> methods;
    private final List<Integer> seeds;
    private final Integer k;
    private final Path dataRoot;
    private final String name;
    private final Map<String, String> hp;
    private final Path out;
    /** Where the WordNet suite is kept ($MERA_HOME): built-in WordNet names need no --data. */
    private final Path home;

    QuickExperiment(
            List<String> targets,
            List<String> sources,
            List<String> models,
            List<String> methods,
            List<Integer> seeds,
            Integer k,
            Path dataRoot,
            String name,
            Map<String, String> hp,
            Path out,
            Path home) {
        this.targets = targets;
        this.sources = sources;
        this.models = models;
        this.methods = methods;
        this.seeds = seeds;
        this.k = k;
        this.dataRoot = dataRoot == null ? null : dataRoot.toAbsolutePath().normalize();
        this.name = name;
        this.hp = hp;
        this.out = out;
        this.home = home;
    }

    /** The config; saved as {@code OUT/experiment.yaml} when {@code save} (a dry run writes nothing). */
    ExperimentConfig config(PrintStream log, boolean save) throws IOException {
        List<String> targetSpecs =
                targets.stream().map(QuickExperiment::absoluteIfDirectory).toList();
        List<String> sourceSpecs = new ArrayList<>();
        Map<String, List<String>> tracks = new LinkedHashMap<>();
        for (String s : sources) {
            int eq = s.lastIndexOf('=');
            String spec = absoluteIfDirectory(eq > 0 ? s.substring(0, eq) : s);
            sourceSpecs.add(spec);
            if (eq > 0) {
                String track = s.substring(eq + 1).trim();
                if (track.isEmpty()) {
                    throw new IllegalArgumentException("--source " + s + ": empty track after '='");
                }
                tracks.computeIfAbsent(track, t -> new ArrayList<>()).add(spec);
            }
        }
        Path dataRoot =
                this.dataRoot != null ? this.dataRoot : wordNetSuiteIfOnlyWordNet(targetSpecs, sourceSpecs, home, log);
        TaskDirectory first = TaskCatalogue.resolve(targetSpecs.get(0), null, dataRoot);
        int kk = k != null ? k : first.kshotKs().size() == 1 ? first.kshotKs().get(0) : 16;
        List<Integer> ss = !seeds.isEmpty()
                ? seeds
                : first.kshotSeeds(kk).isEmpty() ? ExperimentConfig.DEFAULT_SEEDS : first.kshotSeeds(kk);
        Map<String, Map<String, Object>> hyper = hyperparameters(hp);
        String n = name != null ? name : first.task().name();
        List<String> encoders = models.isEmpty() ? List.of("minilm") : models;
        // With a track given for a source, built-in tasks' own tracks must still hold: add them to the config's.
        if (!tracks.isEmpty()) {
            TaskCatalog.DEFAULT_TRACKS.forEach((t, tasks) ->
                    tracks.computeIfAbsent(t, x -> new ArrayList<>()).addAll(tasks));
            for (String spec : targetSpecs) {
                if (TaskCatalogue.isDirectory(spec, null)) {
                    TaskDirectory td = TaskDirectory.open(Path.of(spec));
                    if (!td.task().track().isEmpty()) {
                        tracks.computeIfAbsent(td.task().track(), x -> new ArrayList<>())
                                .add(td.task().name());
                    }
                }
            }
        }
        ExperimentConfig draft = new ExperimentConfig(
                n,
                dataRoot,
                out,
                null,
                encoders,
                targetSpecs,
                List.of(kk),
                ss,
                STANDARD.stream().map(Method::id).toList(),
                sourceSpecs,
                false,
                tracks,
                Map.of(),
                hyper,
                List.of());
        List<String> chosen = methods.isEmpty() ? applicable(draft, log) : methods;
        ExperimentConfig cfg = new ExperimentConfig(
                n,
                dataRoot,
                out,
                null,
                encoders,
                targetSpecs,
                List.of(kk),
                ss,
                chosen,
                sourceSpecs,
                false,
                tracks,
                Map.of(),
                hyper,
                List.of());
        if (save) {
            Files.createDirectories(out);
            org.mera.io.AtomicFiles.writeString(out.resolve("experiment.yaml"), yaml(cfg));
        }
        log.println("experiment " + n + ": " + chosen + " on " + targetSpecs + ", k=" + kk + ", seeds " + ss
                + (save ? " (config saved as " + out.resolve("experiment.yaml") + ")" : " (dry run: nothing saved)"));
        if (choosesLearningRate(hp)) {
            log.println("learning rates: each method picks its own on the k-shot dev split, from "
                    + rates("default") + " (full fine-tuning " + rates(Method.FULL.id()) + ", fusion "
                    + rates(Method.FUSION.id())
                    + ") unless --hp sets a method's own (METHOD.lr, METHOD.lrGrid), so no method is judged at "
                    + "a rate that suits another; --hp lr=X trains every cell at one rate");
        }
        return cfg;
    }

    /**
     * Without {@code --data}, built-in WordNet tasks read the suite {@code mera demo} generates (made now if missing),
     * when every built-in name given is a WordNet task; otherwise none (a GLUE name then asks for {@code --data}).
     */
    private static Path wordNetSuiteIfOnlyWordNet(
            List<String> targets, List<String> sources, Path home, PrintStream log) throws IOException {
        List<String> builtIn = java.util.stream.Stream.concat(targets.stream(), sources.stream())
                .filter(spec -> !TaskCatalogue.isDirectory(spec, null))
                .toList();
        boolean allWordNet = !builtIn.isEmpty() && builtIn.stream().allMatch(TrainingData::isWordNetTask);
        if (!allWordNet) {
            return null;
        }
        Path root = DemoCommand.wordNetSuite(home, log, "mera experiment");
        log.println(
                "built-in WordNet tasks " + builtIn + " read from " + root + " (--data DIR to read another folder)");
        return root;
    }

    /** The standard methods that every target's sources allow; the others are named with the reason they are left out. */
    private static List<String> applicable(ExperimentConfig draft, PrintStream log) {
        ResolvedTasks resolved = ResolvedTasks.of(draft);
        if (!resolved.problems().isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", resolved.problems()));
        }
        TaskCatalog catalog = TaskCatalog.of(draft, resolved);
        List<String> out = new ArrayList<>();
        for (Method m : STANDARD) {
            List<String> short_ = new ArrayList<>();
            for (ResolvedTasks.Target t : resolved.targets()) {
                if (Grid.sourcesFor(draft, catalog, resolved, t.name(), m).size() < m.minimumSources()) {
                    short_.add(t.name());
                }
            }
            if (m == Method.MERA_AUTO && short_.isEmpty() && autoTop(draft) >= 2) {
                // With two sources auto merges both with OT anchored on the better-ranked one; aligning A to B
                // instead of B to A gives the same average with its neurons permuted: mera-ot's network again. With
                // three or more the anchor changes the merge, so auto stays.
                List<String> twoSources = new ArrayList<>();
                for (ResolvedTasks.Target t : resolved.targets()) {
                    if (Grid.sourcesFor(draft, catalog, resolved, t.name(), m).size() == 2) {
                        twoSources.add(t.name());
                    }
                }
                if (twoSources.size() == resolved.targets().size()) {
                    log.println(
                            "leaving out " + m.id() + ": with two source adapters for " + twoSources + " it merges"
                                    + " both, which is mera-ot's merge with its bottleneck neurons in another order (the same"
                                    + " network): one result twice (a third source, or --hp mera-auto.autoTop=1, brings it back)");
                    continue;
                }
            }
            if (m == Method.MERA_SAME_TRACK && short_.isEmpty() && out.contains(Method.MERA_OT.id())) {
                // Same-track merges its track's sources with OT; when every source of every target is in the track,
                // that is mera-ot's merge of the same sources at the same settings: one result twice.
                boolean same = sameSettings(draft, Method.MERA_SAME_TRACK, Method.MERA_OT);
                for (ResolvedTasks.Target t : resolved.targets()) {
                    same &= new java.util.HashSet<>(Grid.sourcesFor(draft, catalog, resolved, t.name(), m))
                            .equals(new java.util.HashSet<>(
                                    Grid.sourcesFor(draft, catalog, resolved, t.name(), Method.MERA_OT)));
                }
                if (same) {
                    log.println("leaving out " + m.id() + ": every source is in its target's track, so it merges the"
                            + " same sources as mera-ot, with the same settings: one result twice (a source outside the"
                            + " track brings it back)");
                    continue;
                }
            }
            List<String> trackless =
                    short_.stream().filter(t -> catalog.track(t).isEmpty()).toList();
            if (short_.isEmpty()) {
                out.add(m.id());
            } else if (m == Method.MERA_SAME_TRACK && !trackless.isEmpty()) {
                log.println("leaving out " + m.id() + ": " + trackless + " ha" + (trackless.size() == 1 ? "s" : "ve")
                        + " no track; give a target one with 'track: NAME' in its task.yaml and sources of that track "
                        + "with --source DIR=NAME");
            } else {
                log.println("leaving out " + m.id() + ": it needs " + m.minimumSources() + " source adapter(s)"
                        + (m == Method.MERA_SAME_TRACK
                                ? " in the target's track"
                                : m == Method.SINGLE ? "" : " (bottleneck adapters or tasks)")
                        + " for " + short_);
            }
        }
        return out;
    }

    /**
     * The learning-rate grids of the GLUE grids (experiments/glue-*.yaml): each method chooses its rate on the k-shot
     * dev split, as LM-BFF does. One rate for all would favour whichever method it happens to suit (a newcomer's
     * review found merging "+12.5" over the single adapter chosen on dev at one rate, and "−5.0" with the grids).
     */
    static final Map<String, Map<String, Object>> FAIR_LR_GRIDS = fairLrGrids();

    private static Map<String, Map<String, Object>> fairLrGrids() {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        m.put("default", Map.of("lrGrid", List.of(1.0e-4, 3.0e-4, 1.0e-3)));
        m.put(Method.FULL.id(), Map.of("lrGrid", List.of(1.0e-5, 2.0e-5, 5.0e-5)));
        m.put(Method.FUSION.id(), Map.of("lrGrid", List.of(1.0e-5, 5.0e-5, 1.0e-4)));
        return java.util.Collections.unmodifiableMap(m);
    }

    /** A section's grid as "1e-4, 3e-4, 1e-3". */
    private static String rates(String section) {
        return ((List<?>) FAIR_LR_GRIDS.get(section).get("lrGrid"))
                .stream()
                        .map(v -> String.format(java.util.Locale.ROOT, "%.0e", (Double) v)
                                .replace("e-0", "e-"))
                        .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }

    /**
     * Whether the grids apply: not when a bare {@code lr} or {@code lrGrid} is given (one rate, or one grid, for every
     * method). A method's own {@code METHOD.lr}/{@code METHOD.lrGrid} replaces only that method's choice.
     */
    static boolean choosesLearningRate(Map<String, String> hp) {
        return !hp.containsKey("lr") && !hp.containsKey("lrGrid");
    }

    /**
     * The config's hyperparameters from {@code --hp KEY=VALUE} (every method) and {@code --hp METHOD.KEY=VALUE} (one
     * method's section), with {@link #FAIR_LR_GRIDS} unless a bare learning rate was given. A method's own rate under
     * the grids becomes its one-value grid (a grid in force would otherwise override it). Values are numbers, lists of
     * numbers ({@code [1e-4, 3e-4]}) or words.
     */
    static Map<String, Map<String, Object>> hyperparameters(Map<String, String> hp) {
        Map<String, Map<String, Object>> hyper = new LinkedHashMap<>();
        boolean grids = choosesLearningRate(hp);
        if (grids) {
            FAIR_LR_GRIDS.forEach((section, values) -> hyper.put(section, new LinkedHashMap<>(values)));
        }
        hp.forEach((key, v) -> {
            int dot = key.indexOf('.');
            String section = "default";
            String name = key;
            if (dot > 0) {
                section = key.substring(0, dot);
                name = key.substring(dot + 1);
                if (Method.fromId(section).isEmpty()) {
                    throw new IllegalArgumentException("--hp " + key + "=" + v + ": '" + section
                            + "' is not a method (METHOD.KEY=VALUE sets one method's value; methods: "
                            + Method.knownIds() + ")");
                }
            }
            Map<String, Object> values = hyper.computeIfAbsent(section, x -> new LinkedHashMap<>());
            Object parsed = parse(v);
            values.put(name, parsed);
            if (grids && dot > 0 && name.equals("lr") && !hp.containsKey(section + ".lrGrid")) {
                if (!(parsed instanceof Number)) {
                    // said once, as lr's problem, not again as the grid made from it
                    throw new IllegalArgumentException(
                            "--hp " + key + "=" + v + ": a learning rate must be a number, e.g. " + key + "=3e-4");
                }
                values.put("lrGrid", List.of(parsed)); // the user's one rate for this method, not the grid
            }
        });
        return hyper;
    }

    /** Whether two methods resolve to the same hyperparameters (learning-rate grid, OT settings, budgets). */
    private static boolean sameSettings(ExperimentConfig draft, Method a, Method b) {
        List<String> ignored = new ArrayList<>();
        return org.mera.experiment.Hyperparameters.resolve(
                        a, draft.hyperparameters(), org.mera.experiment.Hyperparameters.KNOWN, ignored)
                .asMap()
                .equals(org.mera.experiment.Hyperparameters.resolve(
                                b, draft.hyperparameters(), org.mera.experiment.Hyperparameters.KNOWN, ignored)
                        .asMap());
    }

    /** mera-auto's autoTop as the config sets it (its section, then default), else the runner's 3. */
    private static int autoTop(ExperimentConfig draft) {
        for (String section : List.of(Method.MERA_AUTO.id(), "default")) {
            Object v = draft.hyperparameters().getOrDefault(section, Map.of()).get("autoTop");
            if (v instanceof Number n) {
                return n.intValue();
            }
        }
        return 3;
    }

    private static String absoluteIfDirectory(String spec) {
        return TaskCatalogue.isDirectory(spec, null)
                ? Path.of(spec).toAbsolutePath().normalize().toString()
                : spec;
    }

    private static Object parse(String v) {
        String t = v.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            List<Object> list = new ArrayList<>();
            for (String item : t.substring(1, t.length() - 1).split(",")) {
                if (!item.isBlank()) {
                    list.add(parse(item.trim()));
                }
            }
            return list;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e2) {
                return v;
            }
        }
    }

    private static String yaml(ExperimentConfig cfg) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>(cfg.toMap());
        m.remove("cacheDir");
        if (m.get("dataRoot") == null) {
            m.remove("dataRoot");
        }
        return Json.YAML.writeValueAsString(m);
    }
}
