package org.mera.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mera.data.TaskDirectory;
import org.mera.io.Json;

/**
 * Expands a config into cells: encoder × target × k × seed × method (× source, for {@code single}), in the
 * config's list order, which is the order they run in.
 *
 * <p>A cell's key hashes everything that determines its result: {@link #FORMAT_VERSION}, the runner's
 * version, encoder, task, k, seed, method, source(s), primary metric, the method's resolved
 * hyperparameters, and the content (SHA-256) of every data file the cell reads (its few-shot split and test
 * file; its sources' pools, and which pool rows decontamination removes, see {@link ContaminationReference}). Not in the key: the config name, output folder and the data root's path, so a
 * renamed experiment or moved data re-uses finished cells, while edited data or a changed learning rate
 * re-runs exactly the cells affected.
 */
public final class Grid {
    /** Bump when the meaning of a key or of a stored result changes. */
    public static final int FORMAT_VERSION = 1;

    private final List<Cell> cells;

    private Grid(List<Cell> cells) {
        this.cells = List.copyOf(cells);
    }

    public List<Cell> cells() {
        return cells;
    }

    public int size() {
        return cells.size();
    }

    /** The order cells run in; it decides nothing about a cell's result, only which finish first. */
    public enum Order {
        /** The default: every target at the first seed, then every target at the next one. */
        SEED,
        /** One target at every seed before the next target: its comparison is complete (with paired statistics) first. */
        TARGET
    }

    /** The same cells in {@code order}: {@link Order#TARGET} groups them by target in config order, stably. */
    public Grid ordered(Order order) {
        if (order == Order.SEED) {
            return this;
        }
        Map<String, Integer> firstSeen = new java.util.HashMap<>();
        for (Cell c : cells) {
            firstSeen.putIfAbsent(c.task(), firstSeen.size());
        }
        List<Cell> sorted = new ArrayList<>(cells);
        sorted.sort(java.util.Comparator.comparingInt(c -> firstSeen.get(c.task())));
        return new Grid(sorted);
    }

    /** Validates the config (throws {@link ValidationException} listing every problem), then expands it. */
    public static Grid expand(ExperimentConfig config, String runnerVersion, Map<String, Hyperparameters.Spec> specs) {
        List<String> problems = new ConfigValidator(specs).validate(config);
        if (!problems.isEmpty()) {
            throw new ValidationException(config.name(), problems);
        }
        ResolvedTasks resolved = ResolvedTasks.of(config);
        TaskCatalog catalog = TaskCatalog.of(config, resolved);
        Map<Method, Hyperparameters> hp = new LinkedHashMap<>();
        List<Method> methods = config.methods().stream()
                .map(m -> Method.fromId(m).orElseThrow())
                .toList();
        for (Method m : methods) {
            List<String> ignored = new ArrayList<>();
            hp.put(m, Hyperparameters.resolve(m, config.hyperparameters(), specs, ignored));
        }
        Fingerprints fingerprints = new Fingerprints(config.dataRoot(), config.outputDir());
        ContaminationReference decontamination = contaminationReference(config, resolved);
        Map<String, String> removedRows = new HashMap<>();
        List<Cell> cells = new ArrayList<>();
        for (String encoder : config.encoders()) {
            for (ResolvedTasks.Target target : resolved.targets()) {
                String task = target.name();
                TaskDirectory td = target.dir();
                Path test = td.testFile();
                for (int k : config.k()) {
                    for (int seed : config.seeds()) {
                        KShotFiles split = kshotFiles(config, td, k, seed);
                        for (Method m : methods) {
                            if (config.excluded(encoder, task, m.id())
                                    || config.excluded(encoder, target.spec(), m.id())) {
                                continue;
                            }
                            List<String> sources = sourcesFor(config, catalog, resolved, task, m);
                            List<String> singles =
                                    m == Method.SINGLE ? sources : java.util.Collections.singletonList(null);
                            for (String source : singles) {
                                List<String> used = source == null ? sources : List.of(source);
                                Map<String, Object> identity = new TreeMap<>();
                                identity.put("format", FORMAT_VERSION);
                                identity.put("runnerVersion", runnerVersion);
                                identity.put("encoder", encoder);
                                identity.put("task", task);
                                identity.put("k", k);
                                identity.put("seed", seed);
                                identity.put("method", m.id());
                                identity.put("source", source);
                                identity.put("sources", used);
                                identity.put("primaryMetric", catalog.primaryMetric(task));
                                identity.put("hyperparameters", hp.get(m).asMap());
                                if (!td.definition().origin().equals("built-in")) {
                                    // A user task's labels, columns and metrics decide its result as much as its files
                                    // do. Its track does not: it picks same-track's sources, which "sources" records,
                                    // so a track added after a first run keeps the finished cells.
                                    identity.put(
                                            "definition",
                                            td.definition().withoutTrack().toYamlText());
                                }
                                Map<String, String> data = new TreeMap<>();
                                for (Path p : List.of(split.train(), split.dev(), test)) {
                                    data.put(fingerprints.name(p, td), fingerprints.of(p));
                                }
                                Map<String, SourceSpec> specsUsed = new LinkedHashMap<>();
                                for (String s : used) {
                                    SourceSpec spec = resolved.sources().get(s);
                                    specsUsed.put(s, spec);
                                    if (spec instanceof SourceSpec.Task st) {
                                        for (Path p : List.of(
                                                st.dir().poolTrainFile(),
                                                st.dir().poolDevFile())) {
                                            data.put(fingerprints.name(p, st.dir()), fingerprints.of(p));
                                        }
                                        if (!st.dir().definition().origin().equals("built-in")) {
                                            // its task.yaml decides its adapter (SourceAdapterStore's key), its track
                                            // aside
                                            data.put(
                                                    "definition:" + s,
                                                    Json.hash(st.dir()
                                                            .definition()
                                                            .withoutTrack()
                                                            .toYamlText()));
                                        }
                                        // The rows decontamination removes from the pool: a target added to the grid
                                        // re-runs a cell only if it takes rows out of one of the cell's pools.
                                        data.put(
                                                "decontaminated:" + s,
                                                removedRows.computeIfAbsent(
                                                        s,
                                                        x -> decontamination
                                                                .clean(st.dir())
                                                                .fingerprint()));
                                    } else if (spec instanceof SourceSpec.Adapter a) {
                                        data.put("adapter:" + a.name(), fingerprints.ofDirectory(a.dir()));
                                    }
                                }
                                identity.put("data", data);
                                String key = Json.hash(identity).substring(0, 24);
                                cells.add(new Cell(
                                        key,
                                        encoder,
                                        task,
                                        k,
                                        seed,
                                        m,
                                        source,
                                        used,
                                        hp.get(m),
                                        catalog.primaryMetric(task),
                                        catalog.track(task).orElse(null),
                                        td.definition(),
                                        specsUsed,
                                        split.train(),
                                        split.dev(),
                                        test,
                                        decontamination));
                            }
                        }
                    }
                }
            }
        }
        // Seed-major order: an interrupted grid has every task at the first seeds rather than some tasks complete.
        cells.sort(java.util.Comparator.comparingInt(c -> config.seeds().indexOf(c.seed())));
        return new Grid(cells);
    }

    /**
     * What source pools are cleaned against: every target's test file, plain dev file and k-shot train and dev files
     * for every k and seed of the grid.
     */
    static ContaminationReference contaminationReference(ExperimentConfig config, ResolvedTasks resolved) {
        List<ContaminationReference.File> files = new ArrayList<>();
        for (ResolvedTasks.Target target : resolved.targets()) {
            TaskDirectory td = target.dir();
            List<Path> kshot = new ArrayList<>();
            for (int k : config.k()) {
                for (int seed : config.seeds()) {
                    KShotFiles split = kshotFiles(config, td, k, seed);
                    kshot.add(split.train());
                    kshot.add(split.dev());
                }
            }
            files.addAll(ContaminationReference.filesOf(target.name(), td, td.testFile(), kshot));
        }
        return new ContaminationReference(files);
    }

    /** A target's few-shot train and dev files for one k and seed. */
    record KShotFiles(Path train, Path dev) {}

    /**
     * The task's own k-shot/K-SEED split, or, for a task with only a plain train file, K per class for train and a
     * disjoint K per class for dev sampled from it with the seed (LM-BFF's way) and saved under the experiment's
     * {@code splits/} folder, so the run can be repeated and audited.
     */
    static KShotFiles kshotFiles(ExperimentConfig config, TaskDirectory td, int k, int seed) {
        if (td.kshotSeeds(k).contains(seed) || td.trainFile().isEmpty()) {
            return new KShotFiles(td.kshotTrainFile(k, seed), td.kshotDevFile(k, seed));
        }
        Path root = sampledSplitsRoot(config, td);
        TaskDirectory sampled = td.withKShotRoot(root);
        if (!sampled.kshotSeeds(k).contains(seed)) {
            try {
                org.mera.data.ExampleWriter.writeKShot(
                        root,
                        k,
                        seed,
                        org.mera.data.KShotSampler.sampleTrainAndDev(
                                td.read(td.trainFile().get()), td.task(), k, seed));
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot save the sampled split of " + td.task().name() + " under " + root, e);
            }
        }
        return new KShotFiles(sampled.kshotTrainFile(k, seed), sampled.kshotDevFile(k, seed));
    }

    /** Where an experiment keeps the k-shot splits it sampled for a task. */
    static Path sampledSplitsRoot(ExperimentConfig config, TaskDirectory td) {
        return config.outputDir().resolve("splits").resolve(td.task().name()).resolve("k-shot");
    }

    /**
     * The sources a method may use for a target: the config's sources (default: every built-in task with a pool
     * under the data root), without the target itself unless {@code allowTargetSource}; for same-track, only the
     * target's track; LoRA adapter directories only for {@code single} (the merges and fusion combine bottleneck
     * adapters).
     */
    public static List<String> sourcesFor(
            ExperimentConfig config, TaskCatalog catalog, ResolvedTasks resolved, String target, Method method) {
        if (!method.usesSources()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (SourceSpec s : resolved.sources().values()) {
            String name = s.name();
            if (!config.allowTargetSource() && name.equals(target)) {
                continue;
            }
            if (method != Method.SINGLE && s instanceof SourceSpec.Adapter a && a.isLora()) {
                continue;
            }
            if (method == Method.MERA_SAME_TRACK) {
                var targetTrack = catalog.track(target);
                if (targetTrack.isEmpty() || !targetTrack.equals(catalog.track(name))) {
                    continue;
                }
            }
            out.add(name);
        }
        return out;
    }

    /** Content hashes of data files, each file read once. */
    private static final class Fingerprints {
        private final Path root;
        private final Path outputDir;
        private final Map<Path, String> byPath = new HashMap<>();

        Fingerprints(Path root, Path outputDir) {
            this.root = root == null ? null : root.toAbsolutePath().normalize();
            this.outputDir =
                    outputDir == null ? null : outputDir.toAbsolutePath().normalize();
        }

        /**
         * A file's name in the key: relative to the data root (as keys always were), else to the task directory's
         * parent, else to the output folder (sampled splits), so moving data or an experiment keeps its keys.
         */
        String name(Path p, TaskDirectory td) {
            Path abs = p.toAbsolutePath().normalize();
            if (root != null && abs.startsWith(root)) {
                return slashes(root.relativize(abs));
            }
            Path taskDir = td.taskDir().toAbsolutePath().normalize();
            if (abs.startsWith(taskDir) && taskDir.getParent() != null) {
                return slashes(taskDir.getParent().relativize(abs));
            }
            if (outputDir != null && abs.startsWith(outputDir)) {
                return slashes(outputDir.relativize(abs));
            }
            return slashes(abs);
        }

        private static String slashes(Path p) {
            return p.toString().replace('\\', '/');
        }

        String of(Path p) {
            return byPath.computeIfAbsent(p, f -> {
                try {
                    return Json.sha256Hex(Files.readAllBytes(f));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read data file " + f + " to fingerprint it", e);
                }
            });
        }

        /** An adapter directory's content: every regular file's name and hash, in name order. */
        String ofDirectory(Path dir) {
            Map<String, String> files = new TreeMap<>();
            try (var s = Files.walk(dir)) {
                for (Path f : s.filter(Files::isRegularFile).toList()) {
                    files.put(slashes(dir.relativize(f)), of(f));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read adapter directory " + dir + " to fingerprint it", e);
            }
            return Json.hash(files);
        }
    }
}
