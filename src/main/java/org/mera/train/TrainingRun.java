package org.mera.train;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.DoublePredicate;
import org.mera.adapter.Adapters;
import org.mera.data.Batch;
import org.mera.data.Batcher;
import org.mera.data.EncodedExample;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.data.TextEncoder;
import org.mera.io.Tensor;
import org.mera.model.BertEncoder;
import org.mera.model.ClassificationHead;
import org.mera.model.PretrainedModel;

/**
 * One complete training run: a pretrained encoder, a method (adapter, LoRA, full fine-tuning), a task's
 * train/dev/test examples → a trained model scored on dev (model selection) and test. Optionally starts
 * the adapter from given weights (a pretrained source adapter, or a merged one), which is how MerA's
 * few-shot step begins.
 */
public final class TrainingRun {
    /** The adapter's name inside the model, used in AdapterHub keys. */
    public static final String ADAPTER = "mera";

    /**
     * What a run produced: scores, size and the trained weights: {@code adapterWeights} holds the adapter
     * (AdapterHub keys, adapter name {@link #ADAPTER}), the LoRA factors (PEFT keys) or, for full fine-tuning,
     * the whole encoder (HF BertModel keys); {@code headWeights} the head under {@code heads.<task name>.};
     * {@code testPredictions} the final model's predictions on the test split in its order (null without one);
     * {@code bestStep} the step whose state was kept (the best dev score; -1 without a dev split: the last state);
     * {@code stepBudget} the most steps the run could take (it took fewer when it stopped early);
     * {@code skippedSteps} the steps skipped for a non-finite gradient (see {@link Trainer#MAX_CONSECUTIVE_SKIPS});
     * {@code resumedAtStep} and {@code earlierSeconds}: where a run resumed from its checkpoint began and the training
     * seconds spent before (0 and 0 for a run not resumed; {@code seconds} includes them).
     */
    public record Outcome(
            Map<String, Double> devMetrics,
            Map<String, Double> testMetrics,
            long trainableParams,
            int steps,
            double seconds,
            Map<String, Tensor> adapterWeights,
            Map<String, Tensor> headWeights,
            Predictions testPredictions,
            int bestStep,
            int stepBudget,
            int skippedSteps,
            int resumedAtStep,
            double earlierSeconds) {
        public double testPrimary() {
            return testMetrics.getOrDefault(Metrics.PRIMARY, Double.NaN);
        }
    }

    /**
     * What to run on. {@code test} may be empty (no test scores). {@code initialAdapter} (null: fresh) uses the
     * keys of {@link Outcome#adapterWeights}; {@code initialHead} (null: fresh) the keys {@code heads.<task name>.*};
     * {@code checkpoint} (null: none) where the training saves its state and resumes from ({@link TrainingCheckpoint}).
     */
    public record Spec(
            PretrainedModel model,
            Task task,
            List<Example> train,
            List<Example> dev,
            List<Example> test,
            Method method,
            TrainOptions options,
            Map<String, Tensor> initialAdapter,
            Map<String, Tensor> initialHead,
            TrainingCheckpoint checkpoint) {
        public Spec(
                PretrainedModel model,
                Task task,
                List<Example> train,
                List<Example> dev,
                List<Example> test,
                Method method,
                TrainOptions options,
                Map<String, Tensor> initialAdapter,
                Map<String, Tensor> initialHead) {
            this(model, task, train, dev, test, method, options, initialAdapter, initialHead, null);
        }

        /** The same run, saving its state to {@code c} and resuming from it. */
        public Spec withCheckpoint(TrainingCheckpoint c) {
            return new Spec(model, task, train, dev, test, method, options, initialAdapter, initialHead, c);
        }

        public Spec(
                PretrainedModel model,
                Task task,
                List<Example> train,
                List<Example> dev,
                List<Example> test,
                Method method,
                TrainOptions options,
                Map<String, Tensor> initialAdapter) {
            this(model, task, train, dev, test, method, options, initialAdapter, null);
        }
    }

    private TrainingRun() {}

    public static Outcome run(Spec spec) throws IOException {
        return run(spec, model -> {});
    }

    /**
     * @param customise called after the method's modules are in place and before training (e.g. to insert fusion layers)
     */
    public static Outcome run(Spec spec, Consumer<TaskModel> customise) throws IOException {
        return run(spec, customise, devPrimary -> true);
    }

    /**
     * @param scoreTestIf given the trained model's primary dev score (negative infinity without one), whether to
     *     score the test split; when it says no, the outcome has no test metrics or predictions.
     */
    public static Outcome run(Spec spec, Consumer<TaskModel> customise, DoublePredicate scoreTestIf)
            throws IOException {
        try (Trained t = train(spec, customise)) {
            return t.outcome(true, scoreTestIf.test(t.devPrimary()));
        }
    }

    /**
     * A trained model still open: scored on dev, not yet on test. A learning-rate grid keeps the best one open
     * while the next rate trains and scores only the chosen run's test split (MNLI's and QNLI's take minutes, longer
     * than the few-shot training). Scoring later gives the same predictions as scoring at once: the model's state
     * is the one training ended with. Close it to free its arrays.
     */
    public static final class Trained implements AutoCloseable {
        private final Spec spec;
        private final TextEncoder text;
        private final NDManager manager;
        private final BertEncoder encoder;
        private final TaskModel model;
        private final List<EncodedExample> test;
        private final Batcher evalBatcher;
        private final Trainer.Result result;
        private final Map<String, Double> devMetrics;

        private Trained(
                Spec spec,
                TextEncoder text,
                NDManager manager,
                BertEncoder encoder,
                TaskModel model,
                List<EncodedExample> test,
                Batcher evalBatcher,
                Trainer.Result result,
                Map<String, Double> devMetrics) {
            this.spec = spec;
            this.text = text;
            this.manager = manager;
            this.encoder = encoder;
            this.model = model;
            this.test = test;
            this.evalBatcher = evalBatcher;
            this.result = result;
            this.devMetrics = devMetrics;
        }

        /** The primary dev score; negative infinity without a dev split. */
        public double devPrimary() {
            return devMetrics.getOrDefault(Metrics.PRIMARY, Double.NEGATIVE_INFINITY);
        }

        /**
         * @param weights whether to copy the trained weights out ({@link Outcome#adapterWeights}, {@link
         *     Outcome#headWeights}); for full fine-tuning that is the whole encoder
         * @param scoreTest whether to score the test split (nothing to score when it is empty)
         */
        public Outcome outcome(boolean weights, boolean scoreTest) {
            boolean scored = scoreTest && !test.isEmpty();
            Predictions testPredictions = scored ? Evaluator.predict(model, evalBatcher.evalBatches(test)) : null;
            Map<String, Double> testMetrics = scored ? score(spec.task(), testPredictions, test) : Map.of();
            Map<String, Tensor> adapter = !weights
                    ? Map.of()
                    : switch (spec.method().kind()) {
                        case FULL -> encoderWeights(encoder);
                        case LORA -> encoder.params().snapshot("base_model.");
                        default -> encoder.params().snapshot(Adapters.modelPrefix(encoder));
                    };
            return new Outcome(
                    devMetrics,
                    testMetrics,
                    encoder.params().count(true),
                    result.steps(),
                    result.seconds(),
                    adapter,
                    weights
                            ? encoder.params()
                                    .snapshot(ClassificationHead.prefix(
                                            spec.task().name()))
                            : Map.of(),
                    testPredictions,
                    result.bestStep(),
                    result.budget(),
                    result.skippedSteps(),
                    result.resumedAtStep(),
                    result.earlierSeconds());
        }

        @Override
        public void close() {
            try {
                manager.close();
            } finally {
                text.close();
            }
        }
    }

    /** Trains as {@link #run} does and leaves the model open, scored on dev only. */
    public static Trained train(Spec spec, Consumer<TaskModel> customise) throws IOException {
        Task task = spec.task();
        TrainOptions o = spec.options();
        TextEncoder text = TextEncoder.load(spec.model().tokenizerJson());
        NDManager manager = null;
        try {
            List<EncodedExample> train = text.encodeAllMemoized(spec.train(), task);
            List<EncodedExample> dev = text.encodeAllMemoized(spec.dev(), task);
            List<EncodedExample> test = text.encodeAllMemoized(spec.test(), task);
            if (train.isEmpty()) {
                throw new IllegalArgumentException("task " + task.name() + ": no training examples");
            }
            manager = NDManager.newBaseManager();
            BertEncoder encoder = spec.model().newEncoder(manager);
            installMethod(encoder, spec.method(), spec.initialAdapter(), o.seed());
            ClassificationHead.Pooling pooling = spec.method().headPooling();
            ClassificationHead head = spec.initialHead() == null
                    ? ClassificationHead.create(
                            encoder.params(),
                            task.name(),
                            encoder.config().hiddenSize(),
                            task.labels(),
                            encoder.config().hiddenDropout(),
                            o.seed() + 1,
                            pooling)
                    : ClassificationHead.load(
                            encoder.params(),
                            task.name(),
                            spec.initialHead(),
                            encoder.config().hiddenSize(),
                            task.labels(),
                            encoder.config().hiddenDropout(),
                            pooling);
            TaskModel model = new TaskModel(encoder, head);
            customise.accept(model);
            Batcher trainBatcher = new Batcher(o.batchSize(), text.padId());
            Batcher evalBatcher = new Batcher(o.evalBatchSize(), text.padId());
            List<Batch> devBatches = evalBatcher.evalBatches(dev);
            model.keepFrozenStates(devBatches); // only takes effect when just the head trains (mera-auto's ranking)
            Trainer.Result r = Trainer.train(
                    model,
                    epoch -> trainBatcher.trainBatches(train, o.seed() * 1000 + epoch),
                    devBatches,
                    p -> primary(task, p, dev),
                    o,
                    spec.checkpoint());
            Map<String, Double> devMetrics =
                    dev.isEmpty() ? Map.of() : score(task, Evaluator.predict(model, devBatches), dev);
            return new Trained(spec, text, manager, encoder, model, test, evalBatcher, r, devMetrics);
        } catch (IOException | RuntimeException | Error e) {
            for (AutoCloseable c : manager == null ? List.<AutoCloseable>of(text) : List.of(manager, text)) {
                try {
                    c.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    /** The encoder's own weights under HF BertModel names (embeddings, layers, pooler, masked-LM head), no head or adapter. */
    static Map<String, Tensor> encoderWeights(BertEncoder encoder) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (String prefix : List.of("embeddings.", "encoder.", "pooler.", "cls.")) {
            out.putAll(encoder.params().snapshot(prefix));
        }
        return out;
    }

    /** Puts the method's trainable modules into the encoder. */
    public static void installMethod(BertEncoder encoder, Method method, Map<String, Tensor> initial, long seed) {
        switch (method.kind()) {
            case PFEIFFER, HOULSBY ->
                Adapters.addBottleneck(
                        encoder,
                        ADAPTER,
                        method.adapterArchitecture(),
                        method.reductionFactor(),
                        method.nonLinearity(),
                        initial,
                        seed);
            case LORA ->
                Adapters.addLora(
                        encoder,
                        method.loraRank(),
                        method.loraAlpha(),
                        method.loraDropout(),
                        method.loraTargets(),
                        false,
                        initial,
                        seed);
            case FULL -> Adapters.unfreezeEncoder(encoder);
            case FUSION -> {} // the caller inserts fusion layers over its frozen adapters
        }
    }

    static double primary(Task task, Predictions p, List<EncodedExample> gold) {
        return score(task, p, gold).get(Metrics.PRIMARY);
    }

    public static Map<String, Double> score(Task task, Predictions p, List<EncodedExample> gold) {
        if (task.isRegression()) {
            double[] pred = new double[p.size()];
            double[] g = new double[p.size()];
            for (int i = 0; i < pred.length; i++) {
                pred[i] = p.values()[i];
                g[i] = gold.get(i).target();
            }
            return Metrics.glue(task, pred, g);
        }
        int[] g = new int[p.size()];
        for (int i = 0; i < g.length; i++) {
            g[i] = gold.get(i).labelIndex();
        }
        return Metrics.glue(task, p.classes(), g);
    }
}
