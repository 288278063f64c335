package org.mera.experiment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.mera.adapter.AdapterLocation;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.adapter.EncoderInfo;
import org.mera.data.Batch;
import org.mera.data.Batcher;
import org.mera.data.Decontamination;
import org.mera.data.EncodedExample;
import org.mera.data.Example;
import org.mera.data.ExampleReader;
import org.mera.data.Task;
import org.mera.data.GlueTasks;
import org.mera.data.TextEncoder;
import org.mera.adapter.bottleneck.AdapterHubDirectory;
import org.mera.io.Tensor;
import org.mera.merge.BottleneckActivations;
import org.mera.merge.GroundMetric;
import org.mera.merge.MergeMethods;
import org.mera.merge.MergeOptions;
import org.mera.merge.OtMerge;
import org.mera.model.BertEncoder;
import org.mera.model.ClassificationHead;
import org.mera.model.ModelCatalog;
import org.mera.model.Param;
import org.mera.model.PretrainedModel;
import org.mera.train.AdapterFiles;
import org.mera.train.Metrics;
import org.mera.train.TaskModel;
import org.mera.train.TrainOptions;
import org.mera.train.TrainingRun;
import org.mera.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The real experiment runner: trains (and caches) source adapters on their pools, merges them (average,
 * optimal transport, same-track, auto-selected), and fine-tunes the result few-shot on the target task,
 * next to full fine-tuning, a fresh adapter, single source adapters and AdapterFusion.
 */
public final class MeraCellRunner implements CellRunner {
    /**
     * Bump when a code change changes results, so affected cells re-run. 3: source pools are decontaminated against
     * the grid's evaluation data and source adapters train until their pool-dev score stops improving; a target's
     * k-shot rows are left out of its test set.
     */
    public static final String VERSION = "mera-runner-3";

    private final ArtifactCache cache;
    private final Map<String, AdapterWeights> sourceAdapters = new ConcurrentHashMap<>();
    /** Per {@link #sourceInfoKey}: the source adapter's record, for the extra of the cells that use it. */
    private final Map<String, Map<String, Object>> sourceInfo = new ConcurrentHashMap<>();
    private final boolean progress;

    public MeraCellRunner(ArtifactCache cache, boolean progress) {
        this.cache = cache;
        this.progress = progress;
    }

    /** Makes {@code mera experiment} use this runner. */
    public static void register() {
        CellRunnerFactory.register((config, cache) -> new MeraCellRunner(cache, false));
    }

    @Override
    public String name() {
        return "mera";
    }

    @Override
    public String version() {
        return VERSION;
    }

    /** The engine the cells train on, loaded as they would load it, with its native library's version. */
    @Override
    public Map<String, Object> environment() {
        ai.djl.engine.Engine engine = ai.djl.engine.Engine.getInstance();
        return Map.of("engine", engine.getEngineName() + " " + engine.getVersion() + " (DJL " + ai.djl.engine.Engine.getDjlVersion()
                + ", " + engine.defaultDevice() + ")");
    }

    @Override
    public Map<String, Hyperparameters.Spec> hyperparameterSpecs() {
        return Map.of("autoTop", Hyperparameters.Spec.of("autoTop", Hyperparameters.Kind.POSITIVE_INT,
                        "mera-auto: how many of the best-ranked source adapters to merge"),
                "pooling", Hyperparameters.Spec.choice("pooling", "what the task heads read, source adapters' included: "
                        + "the first token (cls, AdapterHub's head; the default) or the mean over the real tokens",
                        ClassificationHead.Pooling.ids()),
                "autoSteps", Hyperparameters.Spec.of("autoSteps", Hyperparameters.Kind.POSITIVE_INT,
                        "mera-auto: head-only training steps used to rank each source adapter on the few-shot split"));
    }

    @Override
    public List<String> validate(ExperimentConfig config) {
        List<String> problems = new ArrayList<>();
        for (String e : config.encoders()) {
            if (ModelCatalog.entry(e) == null && !Files.isDirectory(Path.of(e))) {
                problems.add("encoders: '" + e + "' is neither a catalog model " + ModelCatalog.entries().stream()
                        .map(ModelCatalog.Entry::name).toList() + " nor a model directory");
            }
        }
        problems.addAll(checkAdapterSources(config));
        Map<String, Map<String, Object>> h = config.hyperparameters();
        for (Map.Entry<String, Map<String, Object>> section : h.entrySet()) {
            Object ml = section.getValue().get("maxLength");
            if (ml != null && ((Number) ml).intValue() != TextEncoder.DEFAULT_MAX_LENGTH) {
                problems.add("hyperparameters." + section.getKey() + ".maxLength: this runner truncates at "
                        + TextEncoder.DEFAULT_MAX_LENGTH + " tokens");
            }
            Object reg = section.getValue().get("fusionRegularization");
            if (reg != null && ((Number) reg).doubleValue() != 0.01) {
                problems.add("hyperparameters." + section.getKey() + ".fusionRegularization: AdapterHub's dynamic fusion uses 0.01");
            }
            Object temp = section.getValue().get("fusionTemperature");
            if (temp != null && ((Number) temp).doubleValue() != 1.0) {
                problems.add("hyperparameters." + section.getKey() + ".fusionTemperature: only temperature 1 is supported");
            }
            Object patience = section.getValue().get("patience");
            if (patience != null && ((Number) patience).intValue() != 0) {
                problems.add("hyperparameters." + section.getKey() + ".patience: early stopping is not supported; the best dev "
                        + "checkpoint is kept instead");
            }
        }
        return problems;
    }

    /** One per source adapter trained on a task pool (adapter directories need no training): by encoder, source and its hyperparameters. */
    @Override
    public List<Preparation> preparations(List<Cell> cells) {
        Map<String, Preparation> byId = new LinkedHashMap<>();
        for (Cell cell : cells) {
            for (String s : cell.source() == null ? cell.sources() : List.of(cell.source())) {
                if (cell.sourceSpec(s) instanceof SourceSpec.Task) {
                    String id = sourceInfoKey(cell.encoder(), s, cell.hyperparameters());
                    byId.putIfAbsent(id, new Preparation(id, cell, s));
                }
            }
        }
        return List.copyOf(byId.values());
    }

    /** Trains the source adapter into the artifact cache, where every cell that uses it reads it. */
    @Override
    public void prepare(Preparation p) throws Exception {
        PretrainedModel model = PretrainedModel.load(ModelCatalog.fromEnvironment().resolve(p.cell().encoder()));
        sourceAdapter(model, p.cell(), p.source(), p.cell().hyperparameters());
    }

    @Override
    public CellResult run(Cell cell, ProgressListener listener) throws Exception {
        PretrainedModel model = PretrainedModel.load(ModelCatalog.fromEnvironment().resolve(cell.encoder()));
        Task task = cell.definition().task();
        Hyperparameters h = cell.hyperparameters();
        List<Example> train = cell.definition().read(cell.trainFile());
        List<Example> dev = cell.definition().read(cell.devFile());
        // A k-shot row that also sits in the test file would be scored after training on it: leave it out.
        Decontamination.Cleaned ownTest = new Decontamination.Index().add(cell.task(), train).add(cell.task(), dev)
                .clean(cell.definition().read(cell.testFile()));
        List<Example> test = ownTest.kept();
        TrainOptions options = options(h, cell.seed());
        org.mera.train.Method method = pfeiffer(h);
        Map<String, Object> extra = new LinkedHashMap<>();
        Map<String, Tensor> init = null;
        Consumer<TaskModel> customise = m -> { };
        List<String> sources = cell.source() == null ? cell.sources() : List.of(cell.source());
        switch (cell.method()) {
            case FULL -> method = org.mera.train.Method.of(org.mera.train.Method.Kind.FULL).withHeadPooling(pooling(h));
            case ADAPTER -> { }
            case SINGLE -> {
                if (cell.sourceSpec(cell.source()) instanceof SourceSpec.Adapter a) {
                    // A user's adapter starts the run as it is: its kind (bottleneck or LoRA) and shape come from its files.
                    AdapterFiles.Init start = AdapterFiles.readInit(a.dir(), model, task, false);
                    method = start.method().withHeadPooling(pooling(h));
                    init = start.adapter();
                } else {
                    init = forModel(sourceAdapter(model, cell, cell.source(), h));
                }
            }
            case MERA_SUM, MERA_AVERAGE, MERA_OT, MERA_SAME_TRACK ->
                    init = forModel(merge(model, cell, sources, cell.method().mergeMethod(), h, train, extra));
            case MERA_AUTO -> {
                List<String> chosen = rankSources(model, cell, task, sources, train, dev, h, extra);
                init = forModel(merge(model, cell, chosen, cell.method().mergeMethod(), h, train, extra));
            }
            case FUSION -> {
                method = org.mera.train.Method.of(org.mera.train.Method.Kind.FUSION).withHeadPooling(pooling(h));
                List<AdapterWeights> adapters = new ArrayList<>();
                for (String s : sources) {
                    adapters.add(sourceAdapter(model, cell, s, h));
                }
                customise = org.mera.train.FusionTraining.customiser(adapters, org.mera.adapter.fusion.FusionConfig.dynamic(), null,
                        cell.seed());
            }
        }
        // LM-BFF's selection: every learning rate of the grid trains in full (same seed, same start) and the best k-shot
        // dev score picks one; the test set only scores the runs, it never chooses. Without a grid, lr alone.
        List<Double> grid = h.asMap().containsKey("lrGrid") ? h.getDoubleList("lrGrid") : List.of(h.getDouble("lr"));
        TrainingRun.Outcome out = null;
        double chosenLr = Double.NaN;
        Map<String, Double> devByLr = new LinkedHashMap<>();
        double gridSeconds = 0;
        for (int i = 0; i < grid.size(); i++) {
            double lr = grid.get(i);
            listener.progress(0.1 + 0.9 * i / grid.size(), "training " + cell.methodLabel() + (grid.size() > 1 ? " lr " + lr : ""));
            TrainingRun.Outcome o = TrainingRun.run(new TrainingRun.Spec(model, task, train, dev, test, method,
                    options.withLearningRate((float) lr), init), customise);
            double score = o.devMetrics().getOrDefault(Metrics.PRIMARY, Double.NEGATIVE_INFINITY);
            gridSeconds += o.seconds();
            devByLr.put(String.valueOf(lr), score);
            // Strictly better only: on a tie the smaller rate (the grid is ascending) is kept.
            if (out == null || score > out.devMetrics().getOrDefault(Metrics.PRIMARY, Double.NEGATIVE_INFINITY)) {
                // Keep only what is reported: a full fine-tuning outcome holds a copy of the whole encoder.
                out = new TrainingRun.Outcome(o.devMetrics(), o.testMetrics(), o.trainableParams(), o.steps(), o.seconds(), Map.of(),
                        Map.of(), o.testPredictions(), o.bestStep(), o.stepBudget());
                chosenLr = lr;
            }
        }
        if (grid.size() > 1) {
            extra.put("lrGrid", grid);
            extra.put("lrGridDev", devByLr);
            extra.put("lr", chosenLr);
            extra.put("lrOnGridEdge", chosenLr == grid.get(0) || chosenLr == grid.get(grid.size() - 1));
            extra.put("gridTrainSeconds", Math.round(gridSeconds * 10) / 10.0);
        }
        extra.put("bestStep", out.bestStep());
        Map<String, Double> metrics = new LinkedHashMap<>();
        out.testMetrics().forEach((k, v) -> {
            if (!k.equals(Metrics.PRIMARY)) {
                metrics.put(k, v);
            }
        });
        out.devMetrics().forEach((k, v) -> {
            if (!k.equals(Metrics.PRIMARY)) {
                metrics.put("dev_" + k, v);
            }
        });
        extra.put("trainableParams", out.trainableParams());
        extra.put("steps", out.steps());
        extra.put("trainSeconds", Math.round(out.seconds() * 10) / 10.0);
        extra.put("sources", sources);
        extra.put("testRows", test.size());
        extra.put("testRowsInKShot", ownTest.removed());
        if (ownTest.removed() > 0) {
            extra.put("testRowsInKShotIndexes", ownTest.removedIndexes());
        }
        Map<String, Object> used = new LinkedHashMap<>();
        for (String s : sources) {
            Map<String, Object> info = sourceInfo.get(sourceInfoKey(cell.encoder(), s, h));
            if (info != null) {
                used.put(s, info);
            }
        }
        if (!used.isEmpty()) {
            extra.put("sourceAdapters", used);
        }
        return new CellResult(metrics, extra, predictions(task, train, test, out.testPredictions()));
    }

    /** The test predictions with their gold labels and the k-shot training label counts, as the report needs them. */
    static CellPredictions predictions(Task task, List<Example> train, List<Example> test, org.mera.train.Predictions p) {
        if (p == null || p.size() != test.size()) {
            throw new IllegalStateException("task " + task.name() + ": " + (p == null ? "no" : p.size()) + " test predictions for "
                    + test.size() + " test examples");
        }
        if (task.isRegression()) {
            float[] gold = new float[test.size()];
            for (int i = 0; i < gold.length; i++) {
                gold[i] = Float.parseFloat(test.get(i).label());
            }
            return CellPredictions.regression(p.values(), gold);
        }
        int[] gold = new int[test.size()];
        for (int i = 0; i < gold.length; i++) {
            gold[i] = task.labelIndex(test.get(i).label());
        }
        int[] counts = new int[task.numLabels()];
        for (Example x : train) {
            counts[task.labelIndex(x.label())]++;
        }
        return CellPredictions.classification(task.numLabels(), p.classes(), gold, counts);
    }

    /**
     * The head's pooling: set only by configs that ask for it, so that the keys of every cell and source adapter
     * from before the option existed stay as they were.
     */
    static ClassificationHead.Pooling pooling(Hyperparameters h) {
        return h.asMap().containsKey("pooling") ? ClassificationHead.Pooling.parse(h.getString("pooling"))
                : ClassificationHead.Pooling.FIRST_TOKEN;
    }

    /** The Pfeiffer adapter every adapter-based method trains, with the configured reduction factor and head. */
    static org.mera.train.Method pfeiffer(Hyperparameters h) {
        return org.mera.train.Method.of(org.mera.train.Method.Kind.PFEIFFER).withReductionFactor(h.getInt("reductionFactor"))
                .withHeadPooling(pooling(h));
    }

    static TrainOptions options(Hyperparameters h, long seed) {
        return new TrainOptions((float) h.getDouble("lr"), h.getInt("epochs"), h.getInt("steps"), h.getInt("batchSize"), 64,
                (float) h.getDouble("warmupRatio"), (float) h.getDouble("weightDecay"), 1.0f, h.getInt("evalEvery"), seed, false);
    }

    /** Source-adapter weights renamed to the adapter name the training run uses. */
    private static Map<String, Tensor> forModel(AdapterWeights adapter) {
        return adapter.renamed(TrainingRun.ADAPTER).tensors();
    }

    /**
     * The Pfeiffer adapter trained on a source task's pool, cleaned of every row the grid evaluates on
     * ({@link ContaminationReference}), until its score on the (cleaned) pool dev split stops improving: evaluated
     * every {@code sourceEvalEvery} steps, stopped after {@code sourcePatience} evaluations without a better score,
     * at most {@code sourceSteps} steps (or {@code sourceEpochs} epochs when it is 0); the best state is kept. Cached
     * on disk by everything that determines it (encoder, task, pool contents, the rows removed, hyperparameters,
     * runner version), so every experiment, and a resumed one, reuses it. Its {@code metrics.json} records the pool-dev
     * score, steps, best step, wall time and the decontamination counts.
     */
    AdapterWeights sourceAdapter(PretrainedModel model, Cell cell, String source, Hyperparameters h) throws IOException {
        SourceSpec spec = cell.sourceSpec(source);
        if (spec instanceof SourceSpec.Adapter a) {
            return userAdapter(model, a);
        }
        org.mera.data.TaskDirectory sourceTask = ((SourceSpec.Task) spec).dir();
        Path poolTrain = sourceTask.poolTrainFile();
        Path poolDev = sourceTask.poolDevFile();
        ContaminationReference.CleanedPool pool = cell.decontamination().clean(sourceTask);
        String key = sourceAdapterKey(cell.encoder(), source, sourceTask, pool, h);
        AdapterWeights cached = sourceAdapters.get(key);
        if (cached != null) {
            return cached;
        }
        Path dir = cache.getOrCreate(key, out -> {
            if (pool.train().kept().isEmpty() || pool.dev().kept().isEmpty()) {
                throw new IllegalArgumentException("source " + source + ": every row of " + (pool.train().kept().isEmpty() ? poolTrain
                        : poolDev) + " also occurs in the grid's evaluation data (" + pool.counts() + "); nothing is left to "
                        + (pool.train().kept().isEmpty() ? "train" : "select") + " its adapter on");
            }
            Task task = sourceTask.task();
            TrainOptions o = new TrainOptions((float) h.getDouble("sourceLr"), h.getInt("sourceEpochs"), h.getInt("sourceSteps"),
                    h.getInt("sourceBatchSize"), 128, 0.06f, 0f, 1.0f, h.getInt("sourceEvalEvery"), sourceSeed(source), progress,
                    h.getInt("sourcePatience"));
            System.err.printf("training source adapter %s on %s (%s: %d rows, %d removed as evaluation data)%n", source,
                    cell.encoder(), poolTrain, pool.train().kept().size(), pool.train().removed());
            long start = System.nanoTime();
            TrainingRun.Outcome r = TrainingRun.run(new TrainingRun.Spec(model, task, pool.train().kept(), pool.dev().kept(),
                    List.of(), pfeiffer(h), o, null));
            double wall = (System.nanoTime() - start) / 1e9;
            AdapterWeights w = toAdapterWeights(model, r.adapterWeights(), h.getInt("reductionFactor")).renamed(adapterName(source));
            AdapterHubDirectory.write(out, w);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("task", source);
            info.put("encoder", cell.encoder());
            info.put("poolDevMetric", poolDevMetricName(task));
            info.put("poolDevScore", r.devMetrics().get(Metrics.PRIMARY));
            info.put("poolDevMetrics", r.devMetrics());
            info.put("steps", r.steps());
            info.put("bestStep", r.bestStep());
            info.put("stepBudget", r.stepBudget());
            info.put("evalEvery", h.getInt("sourceEvalEvery"));
            info.put("patience", h.getInt("sourcePatience"));
            info.put("stoppedEarly", r.steps() < r.stepBudget());
            info.put("seconds", Math.round(wall * 10) / 10.0);
            info.put("decontamination", pool.counts());
            Json.PLAIN.writerWithDefaultPrettyPrinter().writeValue(out.resolve(SOURCE_METRICS).toFile(), info);
        });
        AdapterWeights w = AdapterHubDirectory.read(dir);
        sourceAdapters.put(key, w);
        sourceInfo.put(sourceInfoKey(cell.encoder(), source, h), sourceSummary(dir, pool));
        return w;
    }

    /**
     * Which source adapter a cell used, without reading the pools again: within one grid the adapter of a source is
     * decided by the encoder and the source hyperparameters (a method's own section may set them differently).
     */
    private static String sourceInfoKey(String encoder, String source, Hyperparameters h) {
        Map<String, Object> id = new java.util.TreeMap<>();
        for (String k : SOURCE_KEYS) {
            id.put(k, h.asMap().get(k));
        }
        id.put("pooling", h.asMap().get("pooling"));
        return encoder + "\u0000" + source + "\u0000" + id;
    }

    /** The metadata file a trained source adapter's cache entry holds beside its AdapterHub files. */
    static final String SOURCE_METRICS = "metrics.json";

    static String sourceAdapterKey(String encoder, String source, org.mera.data.TaskDirectory sourceTask,
                                   ContaminationReference.CleanedPool pool, Hyperparameters h) throws IOException {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("runner", VERSION);
        identity.put("encoder", encoder);
        identity.put("task", source);
        identity.put("poolTrain", Json.sha256Hex(Files.readAllBytes(sourceTask.poolTrainFile())));
        identity.put("poolDev", Json.sha256Hex(Files.readAllBytes(sourceTask.poolDevFile())));
        // Two grids whose evaluation data remove the same rows share the adapter; any other difference retrains it.
        identity.put("decontaminated", pool.fingerprint());
        for (String k : SOURCE_KEYS) {
            identity.put(k, h.asMap().get(k));
        }
        if (h.asMap().containsKey("pooling")) {
            identity.put("pooling", h.getString("pooling"));
        }
        return ArtifactCache.key("source-adapter", identity);
    }

    /** The hyperparameters a source adapter depends on (the few-shot ones do not touch it). */
    static final List<String> SOURCE_KEYS = List.of("sourceLr", "sourceEpochs", "sourceSteps", "sourceBatchSize", "sourceEvalEvery",
            "sourcePatience", "reductionFactor");

    private static String poolDevMetricName(Task task) {
        return task.metric();
    }

    /**
     * What a cell records about one source adapter it used: the training record from the cache entry, with the
     * decontamination counts of this grid (the entry's own were counted by the grid that trained it; the rows removed
     * are the same, since they are part of its key, but another grid may attribute them to other targets).
     */
    private static Map<String, Object> sourceSummary(Path dir, ContaminationReference.CleanedPool pool) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> info = Json.PLAIN.readValue(dir.resolve(SOURCE_METRICS).toFile(), LinkedHashMap.class);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : List.of("poolDevMetric", "poolDevScore", "steps", "bestStep", "stepBudget", "evalEvery", "patience",
                "stoppedEarly", "seconds")) {
            out.put(k, info.get(k));
        }
        out.put("decontamination", pool.counts());
        return out;
    }

    /**
     * A user's bottleneck adapter directory, checked against the encoder (type, hidden size, layers) and named by its
     * directory: three seeds of one AdapterHub adapter, all called "sst-2" inside, stay three sources.
     */
    private AdapterWeights userAdapter(PretrainedModel model, SourceSpec.Adapter a) throws IOException {
        if (a.isLora()) {
            throw new IllegalArgumentException(a.dir() + ": a LoRA adapter takes part in single cells only; merges and fusion "
                    + "combine bottleneck adapters");
        }
        String key = "user-adapter:" + a.dir();
        AdapterWeights cached = sourceAdapters.get(key);
        if (cached != null) {
            return cached;
        }
        AdapterFiles.readInit(a.dir(), model, GlueTasks.RTE, false); // the encoder-compatibility checks, with their messages
        AdapterWeights w = AdapterHubDirectory.read(a.dir()).renamed(adapterName(a.name()));
        sourceAdapters.put(key, w);
        return w;
    }

    /** Every adapter directory among the sources must fit every encoder of the grid: checked before anything trains. */
    private static List<String> checkAdapterSources(ExperimentConfig config) {
        List<String> problems = new ArrayList<>();
        ResolvedTasks resolved = ResolvedTasks.of(config);
        List<SourceSpec.Adapter> adapters = resolved.sources().values().stream().filter(s -> s instanceof SourceSpec.Adapter)
                .map(s -> (SourceSpec.Adapter) s).toList();
        if (adapters.isEmpty()) {
            return problems;
        }
        for (String e : config.encoders()) {
            PretrainedModel model;
            try {
                model = PretrainedModel.load(ModelCatalog.fromEnvironment().resolve(e));
            } catch (Exception ex) {
                problems.add("encoders: cannot load '" + e + "' to check the adapter sources against it: " + ex.getMessage());
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

    static AdapterWeights toAdapterWeights(PretrainedModel model, Map<String, Tensor> tensors, int reductionFactor) {
        BottleneckConfig p = BottleneckConfig.pfeiffer();
        BottleneckConfig config = new BottleneckConfig(p.mhAdapter(), p.outputAdapter(), reductionFactor, p.nonLinearity(),
                p.originalLnBefore(), p.originalLnAfter(), p.residualBeforeLn(), p.adapterResidualBeforeLn(), p.lnBefore(),
                p.lnAfter(), p.initWeights(), p.isParallel(), p.scaling(), p.useGating(), p.leaveOut(), p.extra());
        EncoderInfo info = new EncoderInfo(model.name(), model.config().modelType(),
                model.config().family().adapterModelClass(model.config().modelType()), model.config().hiddenSize());
        return AdapterWeights.fromTensors(TrainingRun.ADAPTER, config, info, "mera", tensors, null, "trained adapter");
    }

    private AdapterWeights merge(PretrainedModel model, Cell cell, List<String> sources, String methodName, Hyperparameters h,
                                 List<Example> targetTrain, Map<String, Object> extra) throws Exception {
        List<AdapterWeights> adapters = new ArrayList<>();
        for (String s : sources) {
            adapters.add(sourceAdapter(model, cell, s, h));
        }
        if (adapters.size() == 1) {
            extra.put("merge", "single source: no merge");
            return adapters.get(0);
        }
        MergeOptions o = MergeOptions.defaults().withOutputName("merged").withSeed(cell.seed());
        if (!(MergeMethods.get(methodName) instanceof OtMerge ot)) {
            extra.put("merge", methodName);
            return MergeMethods.get(methodName).merge(adapters, o);
        }
        if ("sinkhorn".equals(h.getString("otSolver"))) {
            o = o.withSinkhorn(h.getDouble("sinkhornReg"));
        }
        o = o.withMetric("cosine".equals(h.getString("groundMetric")) ? GroundMetric.COSINE : GroundMetric.SQUARED_EUCLIDEAN);
        if ("acts".equals(h.getString("alignment"))) {
            o = o.withActivations(activations(model, cell, targetTrain, h.getInt("alignmentExamples")));
        }
        OtMerge.Result r = ot.mergeWithReport(adapters, o);
        extra.put("merge", "ot");
        extra.put("alignmentDistanceBefore", r.report().meanBefore());
        extra.put("alignmentDistanceAfter", r.report().meanAfter());
        return r.merged();
    }

    /**
     * Activation-based ground metric: the inputs a Pfeiffer adapter sees at layer i in the frozen encoder are
     * that layer's output, so the plain encoder's hidden states over the target's few-shot texts (every real
     * token) feed each source adapter's bottleneck.
     */
    private static BottleneckActivations activations(PretrainedModel model, Cell cell, List<Example> texts, int maxExamples)
            throws IOException {
        Task task = cell.definition().task();
        List<Example> sample = texts.subList(0, Math.min(maxExamples, texts.size()));
        Map<Integer, Tensor> perLayer = new LinkedHashMap<>();
        try (TextEncoder text = TextEncoder.load(model.tokenizerJson()); NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = model.newEncoder(manager);
            List<EncodedExample> enc = text.encodeAll(sample, task);
            int layers = encoder.config().numLayers();
            int hidden = encoder.config().hiddenSize();
            List<List<float[]>> byLayer = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                byLayer.add(new ArrayList<>());
            }
            for (Batch b : new Batcher(32, text.padId()).evalBatches(enc)) {
                try (NDScope scope = new NDScope()) {
                    Shape s = new Shape(b.size(), b.seqLen());
                    List<NDArray> states = encoder.hiddenStates(manager.create(b.inputIds(), s), manager.create(b.typeIds(), s),
                            manager.create(b.attentionMask(), s), false);
                    for (int l = 0; l < layers; l++) {
                        float[] all = states.get(l + 1).toFloatArray();
                        for (int t = 0; t < b.size() * b.seqLen(); t++) {
                            if (b.attentionMask()[t] == 1) {
                                float[] row = new float[hidden];
                                System.arraycopy(all, t * hidden, row, 0, hidden);
                                byLayer.get(l).add(row);
                            }
                        }
                    }
                }
            }
            for (int l = 0; l < layers; l++) {
                List<float[]> r = byLayer.get(l);
                float[] flat = new float[r.size() * hidden];
                for (int i = 0; i < r.size(); i++) {
                    System.arraycopy(r.get(i), 0, flat, i * hidden, hidden);
                }
                perLayer.put(l, new Tensor(flat, r.size(), hidden));
            }
        }
        return BottleneckActivations.fromInputs((layer, location) -> {
            if (location != AdapterLocation.OUTPUT) {
                throw new IllegalArgumentException("activation-based alignment supports Pfeiffer (output) adapters only");
            }
            return perLayer.get(layer);
        });
    }

    /**
     * mera-auto: ranks candidate source adapters for the target from its few-shot splits alone (never the test
     * set): each adapter, frozen, gets a head trained briefly on the k-shot train split and is scored on the
     * k-shot dev split; the best {@code autoTop} are merged.
     */
    private List<String> rankSources(PretrainedModel model, Cell cell, Task task, List<String> candidates, List<Example> train,
                                     List<Example> dev, Hyperparameters h, Map<String, Object> extra) throws Exception {
        int top = h.asMap().containsKey("autoTop") ? h.getInt("autoTop") : 3;
        int steps = h.asMap().containsKey("autoSteps") ? h.getInt("autoSteps") : 40;
        record Ranked(String source, double score) {
        }
        List<Ranked> ranked = new ArrayList<>();
        for (String s : candidates) {
            AdapterWeights a = sourceAdapter(model, cell, s, h);
            TrainOptions o = options(h, cell.seed()).withMaxSteps(steps).withLearningRate(1e-3f);
            TrainingRun.Outcome r = TrainingRun.run(new TrainingRun.Spec(model, task, train, dev, List.of(), pfeiffer(h), o,
                    forModel(a)), m -> freezeAdapters(m));
            ranked.add(new Ranked(s, r.devMetrics().getOrDefault(Metrics.PRIMARY, Double.NEGATIVE_INFINITY)));
        }
        ranked.sort(Comparator.comparingDouble(Ranked::score).reversed().thenComparing(Ranked::source));
        List<String> chosen = ranked.stream().limit(Math.max(1, top)).map(Ranked::source).toList();
        Map<String, Double> scores = new LinkedHashMap<>();
        ranked.forEach(r -> scores.put(r.source(), r.score()));
        extra.put("autoRanking", scores);
        extra.put("autoChosen", chosen);
        return chosen;
    }

    private static void freezeAdapters(TaskModel m) {
        for (Param p : m.encoder().params().all()) {
            if (p.name().contains(".adapters.")) {
                p.setTrainable(false);
            }
        }
    }
}
