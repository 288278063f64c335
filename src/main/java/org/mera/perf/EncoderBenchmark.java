package org.mera.perf;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.adapter.fusion.FusionConfig;
import org.mera.data.Batch;
import org.mera.merge.RandomAdapters;
import org.mera.model.BertEncoder;
import org.mera.model.ClassificationHead;
import org.mera.model.EncoderConfig;
import org.mera.model.PretrainedModel;
import org.mera.train.Method;
import org.mera.train.TaskModel;
import org.mera.train.TrainOptions;
import org.mera.train.Trainer;
import org.mera.train.TrainingRun;

/**
 * Encoder throughput on a fixed batch (default 32 × 128 tokens, no padding): inference forward passes,
 * adapter-tuning steps, LoRA steps, full fine-tuning steps and AdapterFusion steps (forward, backward, clipping,
 * AdamW), as medians; rows in that order ({@link org.mera.perf.PeerBenchmark#ROWS} follows it).
 * Achieved GFLOP/s counts the model's multiply-adds: forward F, adapter step ≈ 2F (activation gradients
 * through the frozen encoder), full step ≈ 3F (weight gradients too).
 */
public final class EncoderBenchmark {
    private EncoderBenchmark() {}

    public static List<BenchRow> run(
            String label, PretrainedModel model, int batchSize, int seqLen, int warmup, int runs) {
        EncoderConfig c = model.config();
        Batch batch = randomBatch(c, batchSize, seqLen, 7);
        double flops = c.forwardFlops((long) batchSize * seqLen, seqLen);
        long tokens = (long) batchSize * seqLen;
        List<BenchRow> rows = new ArrayList<>();
        PeakMemory.resetPeak();
        try (NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = model.newEncoder(manager);
            Shape s = new Shape(batchSize, seqLen);
            double fwd = Medians.of(warmup, runs, () -> {
                try (NDScope scope = new NDScope()) {
                    encoder.forward(
                                    manager.create(batch.inputIds(), s),
                                    manager.create(batch.typeIds(), s),
                                    manager.create(batch.attentionMask(), s),
                                    false)
                            .sum()
                            .getFloat();
                }
            });
            rows.add(row(label + " forward " + batchSize + "x" + seqLen, fwd, tokens, flops));
        }
        for (Method.Kind kind : List.of(Method.Kind.PFEIFFER, Method.Kind.LORA, Method.Kind.FULL)) {
            PeakMemory.resetPeak();
            try (NDManager manager = NDManager.newBaseManager()) {
                BertEncoder encoder = model.newEncoder(manager);
                TrainingRun.installMethod(encoder, Method.of(kind), null, 1);
                double step = trainingStep(encoder, batch, m -> {}, warmup, runs);
                String name = switch (kind) {
                    case FULL -> "full fine-tuning step";
                    case LORA -> "LoRA step (r 8, query and value)";
                    default -> "adapter-tuning step";
                };
                rows.add(row(
                        label + " " + name + " " + batchSize + "x" + seqLen,
                        step,
                        tokens,
                        flops * (kind == Method.Kind.FULL ? 3 : 2)));
            }
        }
        rows.add(fusionStep(label, model, batch, warmup, runs));
        return rows;
    }

    /** Sources in the fusion row: the seven other GLUE tasks, as in the experiment grids. */
    public static final int FUSION_SOURCES = 7;

    /**
     * An AdapterFusion training step over {@link #FUSION_SOURCES} frozen random Pfeiffer adapters (the dynamic
     * config: query, key and value trained). GFLOP/s is not given: the fusion's own work depends on the rewrite
     * in {@link org.mera.adapter.fusion.FusionLayer}, so only the time is compared.
     */
    static BenchRow fusionStep(String label, PretrainedModel model, Batch batch, int warmup, int runs) {
        EncoderConfig c = model.config();
        PeakMemory.resetPeak();
        try (NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = model.newEncoder(manager);
            EncoderInfo info = new EncoderInfo(label, "bert", "BertAdapterModel", c.hiddenSize());
            List<AdapterWeights> sources = new ArrayList<>();
            for (int i = 0; i < FUSION_SOURCES; i++) {
                sources.add(RandomAdapters.create(
                        "source" + i,
                        BottleneckConfig.pfeiffer(),
                        info,
                        c.numLayers(),
                        c.hiddenSize() / 16,
                        0.02,
                        100 + i));
            }
            TrainingRun.installMethod(encoder, Method.of(Method.Kind.FUSION), null, 1);
            double step = trainingStep(
                    encoder,
                    batch,
                    org.mera.train.FusionTraining.customiser(sources, FusionConfig.dynamic(), null, 1),
                    warmup,
                    runs);
            return new BenchRow(
                    label + " AdapterFusion step (" + FUSION_SOURCES + " sources) " + batch.size() + "x"
                            + batch.seqLen(),
                    step,
                    batch.size() * batch.seqLen() / step,
                    "tokens/s",
                    Double.NaN,
                    PeakMemory.snapshot().peakRssMiB());
        }
    }

    /** Median seconds of one training step (forward, backward, clipping, AdamW) of a 2-class head on {@code encoder}. */
    private static double trainingStep(
            BertEncoder encoder, Batch batch, java.util.function.Consumer<TaskModel> customise, int warmup, int runs) {
        EncoderConfig c = encoder.config();
        ClassificationHead head = ClassificationHead.create(
                encoder.params(), "bench", c.hiddenSize(), List.of("0", "1"), c.hiddenDropout(), 1);
        TaskModel taskModel = new TaskModel(encoder, head);
        customise.accept(taskModel);
        TrainOptions o =
                TrainOptions.defaults().withMaxSteps(1).withProgress(false).withLearningRate(1e-5f);
        return Medians.of(warmup, runs, () -> Trainer.train(taskModel, e -> List.of(batch), List.of(), p -> 0, o));
    }

    private static BenchRow row(String name, double seconds, long tokens, double flops) {
        return new BenchRow(
                name,
                seconds,
                tokens / seconds,
                "tokens/s",
                flops / seconds / 1e9,
                PeakMemory.snapshot().peakRssMiB());
    }

    static Batch randomBatch(EncoderConfig c, int b, int t, long seed) {
        Random rnd = new Random(seed);
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1000L + rnd.nextInt(Math.max(1, c.vocabSize() - 1000));
            mask[i] = 1;
        }
        int[] labels = new int[b];
        float[] targets = new float[b];
        int[] idx = new int[b];
        for (int i = 0; i < b; i++) {
            labels[i] = i % 2;
            targets[i] = i % 2;
            idx[i] = i;
        }
        return new Batch(b, t, ids, new long[b * t], mask, labels, targets, idx);
    }

    static {
        Engine.getInstance();
    }
}
