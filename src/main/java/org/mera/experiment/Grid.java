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

/**
 * Expands a config into cells: encoder × target × k × seed × method (× source, for {@code single}), in the
 * config's list order, which is the order they run in.
 *
 * <p>A cell's key hashes everything that determines its result: {@link #FORMAT_VERSION}, the runner's
 * version, encoder, task, k, seed, method, source(s), primary metric, the method's resolved
 * hyperparameters, and the content (SHA-256) of every data file the cell reads (its few-shot split and test
 * file; its sources' pools). Not in the key: the config name, output folder and the data root's path, so a
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

    /** Validates the config (throws {@link ValidationException} listing every problem), then expands it. */
    public static Grid expand(ExperimentConfig config, String runnerVersion, Map<String, Hyperparameters.Spec> specs) {
        List<String> problems = new ConfigValidator(specs).validate(config);
        if (!problems.isEmpty()) {
            throw new ValidationException(config.name(), problems);
        }
        TaskCatalog catalog = TaskCatalog.of(config);
        Map<Method, Hyperparameters> hp = new LinkedHashMap<>();
        List<Method> methods = config.methods().stream().map(m -> Method.fromId(m).orElseThrow()).toList();
        for (Method m : methods) {
            List<String> ignored = new ArrayList<>();
            hp.put(m, Hyperparameters.resolve(m, config.hyperparameters(), specs, ignored));
        }
        Fingerprints fingerprints = new Fingerprints(config.dataRoot());
        List<Cell> cells = new ArrayList<>();
        Path root = config.dataRoot();
        for (String encoder : config.encoders()) {
            for (String task : config.targets()) {
                Path test = DataLayout.test(root, task);
                for (int k : config.k()) {
                    for (int seed : config.seeds()) {
                        Path train = DataLayout.train(root, task, k, seed);
                        Path dev = DataLayout.dev(root, task, k, seed);
                        for (Method m : methods) {
                            if (config.excluded(encoder, task, m.id())) {
                                continue;
                            }
                            List<String> sources = sourcesFor(config, catalog, task, m);
                            List<String> singles = m == Method.SINGLE ? sources : java.util.Collections.singletonList(null);
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
                                Map<String, String> data = new TreeMap<>();
                                for (Path p : List.of(train, dev, test)) {
                                    data.put(fingerprints.name(p), fingerprints.of(p));
                                }
                                for (String s : used) {
                                    for (Path p : List.of(DataLayout.poolTrain(root, s), DataLayout.poolDev(root, s))) {
                                        data.put(fingerprints.name(p), fingerprints.of(p));
                                    }
                                }
                                identity.put("data", data);
                                String key = Json.hash(identity).substring(0, 24);
                                cells.add(new Cell(key, encoder, task, k, seed, m, source, used, hp.get(m),
                                        catalog.primaryMetric(task), catalog.track(task).orElse(null), root, train, dev, test));
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
     * The source tasks a method may use for a target: the config's sources (default: every known task whose
     * pool exists under the data root, so GLUE targets draw on GLUE sources and WordNet targets on WordNet ones),
     * without the target itself unless {@code allowTargetSource}; for same-track, only the target's track.
     */
    public static List<String> sourcesFor(ExperimentConfig config, TaskCatalog catalog, String target, Method method) {
        if (!method.usesSources()) {
            return List.of();
        }
        List<String> candidates = config.sources().isEmpty()
                ? catalog.knownTasks().stream()
                        .filter(t -> config.dataRoot() == null || java.nio.file.Files.isDirectory(config.dataRoot().resolve(t).resolve("pool")))
                        .toList()
                : config.sources();
        List<String> out = new ArrayList<>();
        for (String s : candidates) {
            if (s == null || (!config.allowTargetSource() && s.equals(target))) {
                continue;
            }
            if (method == Method.MERA_SAME_TRACK) {
                var targetTrack = catalog.track(target);
                if (targetTrack.isEmpty() || !targetTrack.equals(catalog.track(s))) {
                    continue;
                }
            }
            out.add(s);
        }
        return out;
    }

    /** Content hashes of data files, each file read once. */
    private static final class Fingerprints {
        private final Path root;
        private final Map<Path, String> byPath = new HashMap<>();

        Fingerprints(Path root) {
            this.root = root.toAbsolutePath().normalize();
        }

        String name(Path p) {
            Path abs = p.toAbsolutePath().normalize();
            return abs.startsWith(root) ? root.relativize(abs).toString().replace('\\', '/') : abs.toString();
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
    }
}
