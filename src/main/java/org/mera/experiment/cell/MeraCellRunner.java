package org.mera.experiment.cell;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mera.data.Decontamination;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.experiment.ArtifactCache;
import org.mera.experiment.Cell;
import org.mera.experiment.CellPredictions;
import org.mera.experiment.CellResult;
import org.mera.experiment.CellRunner;
import org.mera.experiment.CellRunnerFactory;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.Hyperparameters;
import org.mera.experiment.ProgressListener;
import org.mera.model.ClassificationHead;
import org.mera.model.ModelCatalog;
import org.mera.model.NativeHeap;
import org.mera.model.PretrainedModel;
import org.mera.train.Metrics;
import org.mera.train.TrainOptions;
import org.mera.train.TrainingRun;

/**
 * The real experiment runner: gets each cell's source adapters from the {@link SourceAdapterStore} (trained on their
 * pools and cached), lets the cell method's {@link CellStrategy} build the starting point (full fine-tuning, a fresh
 * adapter, a single source, AdapterFusion, a merge of the sources, an auto-selected merge), and fine-tunes it few-shot
 * on the target task, the same way for every method.
 */
public final class MeraCellRunner implements CellRunner {
    /**
     * Bump when a code change changes results, so affected cells re-run. 3: source pools are decontaminated against
     * the grid's evaluation data and source adapters train until their pool-dev score stops improving; a target's
     * k-shot rows are left out of its test set. 4: AdamW in torch's order of operations (the same update, rounded
     * differently: over a source adapter's 2,000 steps the difference grows to a different adapter, STS-B's pool-dev
     * Pearson 0.8620 against 0.8636), and a step with a non-finite gradient is skipped instead of failing the run.
     */
    public static final String VERSION = "mera-runner-4";

    private final SourceAdapterStore store;

    public MeraCellRunner(ArtifactCache cache, boolean progress) {
        this.store = new SourceAdapterStore(cache, progress);
        // A grid runs for days: keep the fast path's allocator from holding every shape's pages (NativeHeap).
        NativeHeap.purgeEvery(Long.getLong("mera.heapPurgeSeconds", NativeHeap.DEFAULT_PURGE_SECONDS));
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
        Map<String, Object> env = new LinkedHashMap<>();
        env.put(
                "engine",
                engine.getEngineName() + " " + engine.getVersion() + " (DJL " + ai.djl.engine.Engine.getDjlVersion()
                        + ", " + engine.defaultDevice() + ")");
        // The thread count splits reductions, so it decides the last bits (docs/hardening.md): with the seed, what
        // reproduces a cell bit for bit. The launcher's fast path (MKL shim, allocator) is recorded for the same
        // reason.
        if (engine.getEngineName().equals("PyTorch")) {
            env.put("torchThreads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        }
        String fastPath = System.getenv("MERA_FAST_PATH");
        env.put("fastPath", fastPath == null || fastPath.isBlank() ? "off" : fastPath);
        return env;
    }

    @Override
    public Map<String, Hyperparameters.Spec> hyperparameterSpecs() {
        return Map.of(
                "autoTop",
                Hyperparameters.Spec.of(
                        "autoTop",
                        Hyperparameters.Kind.POSITIVE_INT,
                        "mera-auto: how many of the best-ranked source adapters to merge"),
                "pooling",
                Hyperparameters.Spec.choice(
                        "pooling",
                        "what the task heads read, source adapters' included: "
                                + "the first token (cls, AdapterHub's head; the default) or the mean over the real tokens",
                        ClassificationHead.Pooling.ids()),
                "autoSteps",
                Hyperparameters.Spec.of(
                        "autoSteps",
                        Hyperparameters.Kind.POSITIVE_INT,
                        "mera-auto: head-only training steps used to rank each source adapter on the few-shot split"));
    }

    @Override
    public List<String> validate(ExperimentConfig config) {
        List<String> problems = new ArrayList<>();
        for (String e : config.encoders()) {
            if (ModelCatalog.entry(e) == null && !Files.isDirectory(Path.of(e))) {
                problems.add("encoders: '" + e + "' is neither a catalog model "
                        + ModelCatalog.entries().stream()
                                .map(ModelCatalog.Entry::name)
                                .toList() + " nor a model directory");
            }
        }
        problems.addAll(SourceAdapterStore.checkAdapterSources(config));
        return problems;
    }

    /** One per source adapter trained on a task pool (adapter directories need no training): by encoder, source and its hyperparameters. */
    @Override
    public List<Preparation> preparations(List<Cell> cells) {
        return store.preparations(cells);
    }

    /** Trains the source adapter into the artifact cache, where every cell that uses it reads it. */
    @Override
    public void prepare(Preparation p) throws Exception {
        PretrainedModel model = PretrainedModel.load(
                ModelCatalog.fromEnvironment().resolve(p.cell().encoder()));
        store.get(model, p.cell(), p.source());
    }

    /** Whether the source adapter is in the artifact cache, or a killed run left a checkpoint to resume it from. */
    @Override
    public PreparationState state(Preparation p) throws Exception {
        return store.state(p);
    }

    /**
     * Runs the cell, then hands the native heap's free pages back to the system: the fast path's allocator keeps
     * them for the cell's own training steps, but a grid runs for days and would otherwise hold every cell's peak
     * (results do not change: only where memory comes from).
     */
    @Override
    public CellResult run(Cell cell, ProgressListener listener) throws Exception {
        CellResult result;
        try {
            result = runCell(cell, listener);
        } catch (Exception | Error e) {
            try {
                NativeHeap.release();
            } catch (RuntimeException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
        NativeHeap.release();
        return result;
    }

    /** Every method: AdapterFusion as its adapters, fusion layers and head together (AdapterFiles.saveFusion). */
    @Override
    public boolean canSave(Cell cell) {
        return true;
    }

    @Override
    public CellResult save(Cell cell, double lr, Path dir, ProgressListener progress) throws Exception {
        if (Files.exists(dir)) {
            throw new java.nio.file.FileAlreadyExistsException(
                    dir.toString(), null, "the model is written to a new folder; move this one away or choose another");
        }
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, ".tmp-" + dir.getFileName() + "-");
        try {
            CellResult r;
            try {
                r = runCell(cell, progress, List.of(lr), tmp);
            } finally {
                NativeHeap.release();
            }
            Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return r;
        } catch (Exception | Error e) {
            org.mera.io.AtomicFiles.deleteTree(tmp);
            throw e;
        }
    }

    private CellResult runCell(Cell cell, ProgressListener listener) throws Exception {
        return runCell(cell, listener, null, null);
    }

    /**
     * @param onlyLr  null: the cell's learning-rate grid (or its one rate); else these rates only
     * @param saveTo  null: keep no weights; else the folder the chosen run's model is written to, for mera predict
     */
    private CellResult runCell(Cell cell, ProgressListener listener, List<Double> onlyLr, Path saveTo)
            throws Exception {
        PretrainedModel model =
                PretrainedModel.load(ModelCatalog.fromEnvironment().resolve(cell.encoder()));
        Task task = cell.definition().task();
        Hyperparameters h = cell.hyperparameters();
        List<Example> train = cell.definition().read(cell.trainFile());
        List<Example> dev = cell.definition().read(cell.devFile());
        // A k-shot row that also sits in the test file would be scored after training on it: leave it out.
        Decontamination.Cleaned ownTest = new Decontamination.Index()
                .add(cell.task(), train)
                .add(cell.task(), dev)
                .clean(cell.definition().read(cell.testFile()));
        List<Example> test = ownTest.kept();
        TrainOptions options = CellSettings.fewShot(h, cell.seed());
        Map<String, Object> extra = new LinkedHashMap<>();
        List<String> sources = cell.sourcesUsed();
        CellStrategy.Start start = CellStrategy.of(cell.method())
                .start(new CellStrategy.Inputs(model, cell, h, train, dev, sources, store), extra);
        // LM-BFF's selection: every learning rate of the grid trains in full (same seed, same start) and the best
        // k-shot
        // dev score picks one; the test set only scores the runs, it never chooses. Without a grid, lr alone.
        List<Double> grid = onlyLr != null
                ? onlyLr
                : h.asMap().containsKey("lrGrid") ? h.getDoubleList("lrGrid") : List.of(h.getDouble("lr"));
        TrainingRun.Trained best = null;
        TrainingRun.Outcome out;
        double chosenLr = Double.NaN;
        Map<String, Double> devByLr = new LinkedHashMap<>();
        double gridSeconds = 0;
        try {
            for (int i = 0; i < grid.size(); i++) {
                double lr = grid.get(i);
                listener.progress(
                        0.1 + 0.85 * i / grid.size(),
                        "training " + cell.methodLabel() + (grid.size() > 1 ? " lr " + lr : ""));
                TrainingRun.Trained t = TrainingRun.train(
                        new TrainingRun.Spec(
                                model,
                                task,
                                train,
                                dev,
                                test,
                                start.method(),
                                options.withLearningRate((float) lr),
                                start.initialAdapter()),
                        start.customise());
                boolean kept = false;
                try {
                    double score = t.devPrimary();
                    gridSeconds += t.outcome(false, false).seconds();
                    devByLr.put(String.valueOf(lr), score);
                    // Strictly better only: on a tie the smaller rate (the grid is ascending) is kept. The best run
                    // stays open so that only the chosen one scores the test split (the same predictions as scoring
                    // at once).
                    if (best == null || score > best.devPrimary()) {
                        if (best != null) {
                            best.close();
                        }
                        best = t;
                        kept = true;
                        chosenLr = lr;
                    }
                } finally {
                    if (!kept) {
                        t.close();
                    }
                }
            }
            listener.progress(0.95, "scoring the test split");
            // Only what is reported: no weights (a full fine-tuning outcome would copy the whole encoder), unless the
            // model is to be saved.
            out = best.outcome(saveTo != null, true);
            if (saveTo != null) {
                String name = task.name().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_-]", "_");
                if (start.customise() instanceof org.mera.train.FusionTraining.Customiser fusion) {
                    // one rate was trained, so the fusion last installed is the run being saved (still open here)
                    org.mera.train.AdapterFiles.saveFusion(
                            saveTo,
                            name,
                            out,
                            model,
                            cell.encoder(),
                            task,
                            start.method(),
                            fusion.adapters(),
                            fusion.handle()
                                    .toFusionWeights(
                                            org.mera.train.AdapterFiles.encoderInfo(model, cell.encoder()), null));
                } else {
                    org.mera.train.AdapterFiles.save(saveTo, name, out, model, cell.encoder(), task, start.method());
                }
                // what mera predict reads the input files with
                org.mera.io.AtomicFiles.writeString(
                        saveTo.resolve(org.mera.data.TaskDefinition.FILE),
                        cell.definition().toYamlText());
            }
        } finally {
            if (best != null) {
                best.close();
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
        if (out.skippedSteps() > 0) {
            extra.put("skippedSteps", out.skippedSteps()); // absent: none (a step with a non-finite gradient)
        }
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
        Map<String, Object> used = store.used(cell, sources);
        if (!used.isEmpty()) {
            extra.put("sourceAdapters", used);
        }
        return new CellResult(metrics, extra, predictions(task, train, test, out.testPredictions()));
    }

    /** The test predictions with their gold labels and the k-shot training label counts, as the report needs them. */
    static CellPredictions predictions(
            Task task, List<Example> train, List<Example> test, org.mera.train.Predictions p) {
        if (p == null || p.size() != test.size()) {
            throw new IllegalStateException("task " + task.name() + ": " + (p == null ? "no" : p.size())
                    + " test predictions for " + test.size() + " test examples");
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
}
