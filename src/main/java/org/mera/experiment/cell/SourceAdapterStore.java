package org.mera.experiment.cell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.mera.adapter.AdapterHubFormat;
import org.mera.adapter.bottleneck.AdapterHubDirectory;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.data.GlueTasks;
import org.mera.data.Task;
import org.mera.data.TaskDirectory;
import org.mera.experiment.ArtifactCache;
import org.mera.experiment.Cell;
import org.mera.experiment.CellRunner;
import org.mera.experiment.ContaminationReference;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.Hyperparameters;
import org.mera.experiment.ResolvedTasks;
import org.mera.experiment.SourceSpec;
import org.mera.io.Json;
import org.mera.model.ModelCatalog;
import org.mera.model.PretrainedModel;
import org.mera.train.AdapterFiles;
import org.mera.train.Metrics;
import org.mera.train.TrainOptions;
import org.mera.train.TrainingCheckpoint;
import org.mera.train.TrainingRun;

/**
 * The source adapters of a grid's cells: a user's adapter directory as it is, or the Pfeiffer adapter trained on a
 * source task's pool cleaned of the grid's evaluation data, with the converged-training settings ({@code source*}
 * hyperparameters), kept in the artifact cache and, once read, in memory. Also records, per source, what the cells
 * that use it report about it.
 */
final class SourceAdapterStore {
    /** The metadata file a trained source adapter's cache entry holds beside its AdapterHub files. */
    static final String SOURCE_METRICS = "metrics.json";

    /** The hyperparameters a source adapter depends on (the few-shot ones do not touch it). */
    static final List<String> SOURCE_KEYS = List.of(
            "sourceLr",
            "sourceEpochs",
            "sourceSteps",
            "sourceBatchSize",
            "sourceEvalEvery",
            "sourcePatience",
            "reductionFactor");

    private final ArtifactCache cache;
    private final boolean progress;
    private final Map<String, AdapterWeights> loaded = new ConcurrentHashMap<>();
    /** Per {@link #recordKey}: the source adapter's record, for the extra of the cells that use it. */
    private final Map<String, Map<String, Object>> records = new ConcurrentHashMap<>();

    SourceAdapterStore(ArtifactCache cache, boolean progress) {
        this.cache = cache;
        this.progress = progress;
    }

    /** One per source adapter trained on a task pool (adapter directories need no training): by encoder, source and its hyperparameters. */
    List<CellRunner.Preparation> preparations(List<Cell> cells) {
        Map<String, CellRunner.Preparation> byId = new LinkedHashMap<>();
        for (Cell cell : cells) {
            for (String s : cell.sourcesUsed()) {
                if (cell.sourceSpec(s) instanceof SourceSpec.Task) {
                    String id = recordKey(cell.encoder(), s, cell.hyperparameters());
                    byId.putIfAbsent(id, new CellRunner.Preparation(id, cell, s));
                }
            }
        }
        return List.copyOf(byId.values());
    }

    /**
     * Whether {@code p}'s adapter is cached, or has a checkpoint a killed run left, found by computing its cache key
     * (which cleans the pool, seconds per source) without training anything.
     */
    CellRunner.PreparationState state(CellRunner.Preparation p) throws IOException {
        String key = cacheKey(p.cell(), p.source());
        if (cache.get(key).isPresent()) {
            return CellRunner.PreparationState.MADE;
        }
        return Files.exists(cache.resumeFile(key))
                ? CellRunner.PreparationState.RESUMES
                : CellRunner.PreparationState.NOT_BEGUN;
    }

    /**
     * The adapter of {@code source} for {@code cell}. A task source is the Pfeiffer adapter trained on its pool, cleaned of
     * every row the grid evaluates on ({@link ContaminationReference}), until its score on the (cleaned) pool dev split
     * stops improving: evaluated every {@code sourceEvalEvery} steps, stopped after {@code sourcePatience} evaluations
     * without a better score, at most {@code sourceSteps} steps (or {@code sourceEpochs} epochs when it is 0); the best
     * state is kept. Cached on disk by everything that determines it (encoder, task, pool contents, the rows removed,
     * hyperparameters, runner version), so every experiment, and a resumed one, reuses it. Its {@code metrics.json}
     * records the pool-dev score, steps, best step, wall time and the decontamination counts.
     */
    AdapterWeights get(PretrainedModel model, Cell cell, String source) throws IOException {
        Hyperparameters h = cell.hyperparameters();
        SourceSpec spec = cell.sourceSpec(source);
        if (spec instanceof SourceSpec.Adapter a) {
            return userAdapter(model, a);
        }
        TaskDirectory sourceTask = ((SourceSpec.Task) spec).dir();
        Path poolTrain = sourceTask.poolTrainFile();
        Path poolDev = sourceTask.poolDevFile();
        ContaminationReference.CleanedPool pool = cell.decontamination().clean(sourceTask);
        String key = cacheKey(cell.encoder(), source, sourceTask, pool, h);
        AdapterWeights cached = loaded.get(key);
        if (cached != null) {
            return cached;
        }
        Path dir = cache.getOrCreate(key, out -> {
            if (pool.train().kept().isEmpty() || pool.dev().kept().isEmpty()) {
                throw new IllegalArgumentException("source " + source + ": every row of "
                        + (pool.train().kept().isEmpty() ? poolTrain : poolDev)
                        + " also occurs in the grid's evaluation data (" + pool.counts() + "); nothing is left to "
                        + (pool.train().kept().isEmpty() ? "train" : "select") + " its adapter on");
            }
            Task task = sourceTask.task();
            TrainOptions o = new TrainOptions(
                    (float) h.getDouble("sourceLr"),
                    h.getInt("sourceEpochs"),
                    h.getInt("sourceSteps"),
                    h.getInt("sourceBatchSize"),
                    128,
                    0.06f,
                    0f,
                    1.0f,
                    h.getInt("sourceEvalEvery"),
                    sourceSeed(source),
                    progress,
                    h.getInt("sourcePatience"));
            System.err.printf(
                    "training source adapter %s on %s (%s: %d rows, %d removed as evaluation data)%n",
                    source,
                    cell.encoder(),
                    poolTrain,
                    pool.train().kept().size(),
                    pool.train().removed());
            long start = System.nanoTime();
            // Checkpointed at each pool-dev evaluation: a killed process (a session's end) resumes the adapter
            // instead of training it again, and ends with the weights an uninterrupted run would have.
            TrainingRun.Outcome r = TrainingRun.run(new TrainingRun.Spec(
                            model,
                            task,
                            pool.train().kept(),
                            pool.dev().kept(),
                            List.of(),
                            CellSettings.pfeiffer(h),
                            o,
                            null)
                    .withCheckpoint(new TrainingCheckpoint(cache.resumeFile(key), key)));
            double wall = (System.nanoTime() - start) / 1e9 + r.earlierSeconds();
            AdapterWeights w = AdapterFiles.bottleneckWeights(
                            r.adapterWeights(), model, CellSettings.pfeiffer(h), model.name(), "mera")
                    .renamed(adapterName(source));
            AdapterHubDirectory.write(out, w);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("task", source);
            info.put("encoder", cell.encoder());
            info.put("poolDevMetric", task.metric());
            info.put("poolDevScore", r.devMetrics().get(Metrics.PRIMARY));
            info.put("poolDevMetrics", r.devMetrics());
            info.put("steps", r.steps());
            info.put("bestStep", r.bestStep());
            info.put("stepBudget", r.stepBudget());
            info.put("evalEvery", h.getInt("sourceEvalEvery"));
            info.put("patience", h.getInt("sourcePatience"));
            info.put("stoppedEarly", r.steps() < r.stepBudget());
            info.put("skippedSteps", r.skippedSteps());
            info.put("seconds", Math.round(wall * 10) / 10.0);
            if (r.resumedAtStep() > 0) {
                info.put("resumedAtStep", r.resumedAtStep());
            }
            info.put("decontamination", pool.counts());
            Json.PLAIN
                    .writerWithDefaultPrettyPrinter()
                    .writeValue(out.resolve(SOURCE_METRICS).toFile(), info);
        });
        AdapterWeights w = AdapterHubDirectory.read(dir);
        loaded.put(key, w);
        records.put(recordKey(cell.encoder(), source, h), summary(dir, pool, sourceTask.task()));
        return w;
    }

    /** The records of the trained source adapters among {@code sources} that this store has read for the cell's grid. */
    Map<String, Object> used(Cell cell, List<String> sources) {
        Map<String, Object> used = new LinkedHashMap<>();
        for (String s : sources) {
            Map<String, Object> info = records.get(recordKey(cell.encoder(), s, cell.hyperparameters()));
            if (info != null) {
                used.put(s, info);
            }
        }
        return used;
    }

    /**
     * Which source adapter a cell used, without reading the pools again: within one grid the adapter of a source is
     * decided by the encoder and the source hyperparameters (a method's own section may set them differently).
     */
    private static String recordKey(String encoder, String source, Hyperparameters h) {
        Map<String, Object> id = new TreeMap<>();
        for (String k : SOURCE_KEYS) {
            id.put(k, h.asMap().get(k));
        }
        id.put("pooling", h.asMap().get("pooling"));
        return encoder + "\u0000" + source + "\u0000" + id;
    }

    /** The cache key of task source {@code source}'s adapter for {@code cell}, its pool cleaned for the purpose. */
    static String cacheKey(Cell cell, String source) throws IOException {
        TaskDirectory sourceTask = ((SourceSpec.Task) cell.sourceSpec(source)).dir();
        return cacheKey(
                cell.encoder(), source, sourceTask, cell.decontamination().clean(sourceTask), cell.hyperparameters());
    }

    static String cacheKey(
            String encoder,
            String source,
            TaskDirectory sourceTask,
            ContaminationReference.CleanedPool pool,
            Hyperparameters h)
            throws IOException {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("runner", MeraCellRunner.VERSION);
        identity.put("encoder", encoder);
        identity.put("task", source);
        identity.put("poolTrain", Json.sha256Hex(Files.readAllBytes(sourceTask.poolTrainFile())));
        identity.put("poolDev", Json.sha256Hex(Files.readAllBytes(sourceTask.poolDevFile())));
        // Two grids whose evaluation data remove the same rows share the adapter; any other difference retrains it.
        identity.put("decontaminated", pool.fingerprint());
        if (!sourceTask.definition().origin().equals("built-in")) {
            // A user source's task.yaml (labels and their order, columns, metric) decides what its adapter learns as
            // much as its files do; its track does not. Built-in tasks have none (their keys stay as they were).
            identity.put("definition", sourceTask.definition().withoutTrack().toYamlText());
        }
        for (String k : SOURCE_KEYS) {
            identity.put(k, h.asMap().get(k));
        }
        if (h.asMap().containsKey("pooling")) {
            identity.put("pooling", h.getString("pooling"));
        }
        return ArtifactCache.key("source-adapter", identity);
    }

    /**
     * What a cell records about one source adapter it used: the training record from the cache entry, with the
     * decontamination counts of this grid (the entry's own were counted by the grid that trained it; the rows removed
     * are the same, since they are part of its key, but another grid may attribute them to other targets).
     */
    private static Map<String, Object> summary(Path dir, ContaminationReference.CleanedPool pool, Task task)
            throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> info =
                Json.PLAIN.readValue(dir.resolve(SOURCE_METRICS).toFile(), LinkedHashMap.class);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : List.of(
                "poolDevMetric",
                "poolDevScore",
                "steps",
                "bestStep",
                "stepBudget",
                "evalEvery",
                "patience",
                "stoppedEarly",
                "seconds")) {
            out.put(k, info.get(k));
        }
        // Adapters cached before skipping existed trained without a skipped step (a non-finite gradient stopped them).
        out.put("skippedSteps", info.getOrDefault("skippedSteps", 0));
        out.put("poolDevTrivial", trivialScore(task, pool.dev().kept()));
        out.put("decontamination", pool.counts());
        // Which weights the cell merged: a source trained again (its cache lost, or on another machine) may differ in
        // its last bits, and the report tells the versions apart by this.
        out.put("weightsSha256", Json.sha256Hex(Files.readAllBytes(dir.resolve(AdapterHubFormat.WEIGHTS))));
        return out;
    }

    /**
     * What a predictor that learns nothing scores on the (cleaned) pool dev split in the pool-dev metric: the majority
     * class's accuracy, always class 1's F1, 0 for MCC and the correlations. A source adapter at or near it learned
     * nothing its merges could pass on, which the report flags.
     */
    static double trivialScore(Task task, List<org.mera.data.Example> dev) {
        if (dev.isEmpty() || task.labels().isEmpty()) {
            return 0;
        }
        Map<String, Integer> counts = new TreeMap<>();
        dev.forEach(e -> counts.merge(e.label(), 1, Integer::sum));
        return switch (task.metric()) {
            case "accuracy" ->
                counts.values().stream().mapToInt(Integer::intValue).max().orElse(0) / (double) dev.size();
            case "f1" -> {
                double p = counts.getOrDefault(task.labels().get(1), 0) / (double) dev.size(); // F1 is of class 1
                yield 2 * p / (1 + p);
            }
            default -> 0;
        };
    }

    /**
     * A user's bottleneck adapter directory, checked against the encoder (type, hidden size, layers) and named by its
     * directory: three seeds of one AdapterHub adapter, all called "sst-2" inside, stay three sources.
     */
    private AdapterWeights userAdapter(PretrainedModel model, SourceSpec.Adapter a) throws IOException {
        if (a.isLora()) {
            throw new IllegalArgumentException(
                    a.dir() + ": a LoRA adapter takes part in single cells only; merges and fusion "
                            + "combine bottleneck adapters");
        }
        String key = "user-adapter:" + a.dir();
        AdapterWeights cached = loaded.get(key);
        if (cached != null) {
            return cached;
        }
        AdapterFiles.readInit(
                a.dir(), model, GlueTasks.RTE, false); // the encoder-compatibility checks, with their messages
        AdapterWeights w = AdapterHubDirectory.read(a.dir()).renamed(adapterName(a.name()));
        loaded.put(key, w);
        return w;
    }

    /** Every adapter directory among the sources must fit every encoder of the grid: checked before anything trains. */
    static List<String> checkAdapterSources(ExperimentConfig config) {
        List<String> problems = new ArrayList<>();
        ResolvedTasks resolved = ResolvedTasks.of(config);
        List<SourceSpec.Adapter> adapters = resolved.sources().values().stream()
                .filter(s -> s instanceof SourceSpec.Adapter)
                .map(s -> (SourceSpec.Adapter) s)
                .toList();
        if (adapters.isEmpty()) {
            return problems;
        }
        for (String e : config.encoders()) {
            PretrainedModel model;
            try {
                model = PretrainedModel.load(ModelCatalog.fromEnvironment().resolve(e));
            } catch (Exception ex) {
                problems.add("encoders: cannot load '" + e + "' to check the adapter sources against it: "
                        + ex.getMessage());
                continue;
            }
            for (SourceSpec.Adapter a : adapters) {
                try {
                    AdapterFiles.readInit(a.dir(), model, GlueTasks.RTE, false);
                } catch (Exception ex) {
                    problems.add("sources: " + a.dir() + " does not fit encoder " + e + ": " + ex.getMessage());
                }
            }
        }
        return problems;
    }

    /**
     * Each source adapter starts from its own random initialisation, as independently published adapters do;
     * with one shared seed their neurons would already correspond and alignment would have nothing to do.
     */
    static long sourceSeed(String task) {
        return 1000L + Math.floorMod(task.hashCode(), 100_000);
    }

    /** AdapterHub names allow no dots; task names like "SST-2" are fine, others are cleaned. */
    static String adapterName(String task) {
        return task.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
