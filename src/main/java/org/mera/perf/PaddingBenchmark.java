package org.mera.perf;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.mera.data.Batch;
import org.mera.data.Batcher;
import org.mera.data.EncodedExample;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.data.TextEncoder;
import org.mera.model.BertEncoder;
import org.mera.model.ClassificationHead;
import org.mera.model.PretrainedModel;
import org.mera.train.Method;
import org.mera.train.TaskModel;
import org.mera.train.TrainOptions;
import org.mera.train.Trainer;
import org.mera.train.TrainingRun;

/**
 * What padding each batch to its longest example gains on real few-shot data: one epoch of adapter-tuning steps
 * over a task's k-shot training split, batched exactly as a few-shot run batches it (length-bucketed, shuffled,
 * padded to the batch's longest row), against the same batches padded to a fixed length (the tokenizer's limit,
 * 128), as a pipeline without dynamic padding would run them. Same model, same rows, same order.
 */
public final class PaddingBenchmark {
    private PaddingBenchmark() {}

    /**
     * @param realTokens    tokens that are not padding, over the epoch
     * @param dynamicTokens positions computed with padding to each batch's longest row
     * @param fixedTokens   positions computed with padding to {@code fixedLength}
     */
    public record Result(
            String task,
            int rows,
            int batches,
            int fixedLength,
            long realTokens,
            long dynamicTokens,
            long fixedTokens,
            double dynamicSeconds,
            double fixedSeconds,
            double dynamicPeakRssMiB,
            double fixedPeakRssMiB) {
        /** Time of the fixed-length epoch over the dynamic one: above 1, dynamic padding is faster. */
        public double speedup() {
            return fixedSeconds / dynamicSeconds;
        }

        public List<BenchRow> rows(String model) {
            String what = String.format(
                    Locale.ROOT,
                    "%s adapter-tuning epoch, %s k-shot (%d rows, %d batches)",
                    model,
                    task,
                    rows,
                    batches);
            return List.of(
                    new BenchRow(
                            what + ", padded to each batch's longest (mean "
                                    + String.format(Locale.ROOT, "%.0f", (double) dynamicTokens / rows) + " tokens)",
                            dynamicSeconds,
                            realTokens / dynamicSeconds,
                            "real tokens/s",
                            Double.NaN,
                            dynamicPeakRssMiB),
                    new BenchRow(
                            what + ", padded to " + fixedLength,
                            fixedSeconds,
                            realTokens / fixedSeconds,
                            "real tokens/s",
                            Double.NaN,
                            fixedPeakRssMiB));
        }
    }

    /**
     * Times one epoch of adapter steps (Pfeiffer, batch {@code batchSize}) over {@code train} both ways; the median
     * of {@code runs} after {@code warmup} untimed epochs, each way in its own encoder so peak memory is its own.
     */
    public static Result run(PretrainedModel model, Task task, List<Example> train, int batchSize, int warmup, int runs)
            throws IOException {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("task " + task.name() + ": no k-shot training rows to time");
        }
        try (TextEncoder text = TextEncoder.load(model.tokenizerJson())) {
            List<EncodedExample> encoded = text.encodeAll(train, task);
            List<Batch> dynamic = new Batcher(batchSize, text.padId()).trainBatches(encoded, 13_000);
            List<Batch> fixed = new ArrayList<>();
            long real = 0;
            long dynamicTokens = 0;
            for (Batch b : dynamic) {
                fixed.add(padTo(b, text.maxLength(), text.padId()));
                dynamicTokens += (long) b.size() * b.seqLen();
                real += Arrays.stream(b.attentionMask()).sum();
            }
            long fixedTokens = (long) train.size() * text.maxLength();
            PeakMemory.resetPeak();
            double dynamicSeconds = epochSeconds(model, task, dynamic, warmup, runs);
            double dynamicRss = PeakMemory.snapshot().peakRssMiB();
            PeakMemory.resetPeak();
            double fixedSeconds = epochSeconds(model, task, fixed, warmup, runs);
            double fixedRss = PeakMemory.snapshot().peakRssMiB();
            return new Result(
                    task.name(),
                    train.size(),
                    dynamic.size(),
                    text.maxLength(),
                    real,
                    dynamicTokens,
                    fixedTokens,
                    dynamicSeconds,
                    fixedSeconds,
                    dynamicRss,
                    fixedRss);
        }
    }

    /** The same rows padded on the right to {@code length} (the pad id, type 0, mask 0), as a fixed-length pipeline. */
    static Batch padTo(Batch b, int length, long padId) {
        if (length < b.seqLen()) {
            throw new IllegalArgumentException("cannot pad a batch of length " + b.seqLen() + " to " + length);
        }
        int n = b.size();
        long[] ids = new long[n * length];
        long[] types = new long[n * length];
        long[] mask = new long[n * length];
        Arrays.fill(ids, padId);
        for (int r = 0; r < n; r++) {
            System.arraycopy(b.inputIds(), r * b.seqLen(), ids, r * length, b.seqLen());
            System.arraycopy(b.typeIds(), r * b.seqLen(), types, r * length, b.seqLen());
            System.arraycopy(b.attentionMask(), r * b.seqLen(), mask, r * length, b.seqLen());
        }
        return new Batch(n, length, ids, types, mask, b.labels(), b.targets(), b.exampleIndices());
    }

    private static double epochSeconds(PretrainedModel model, Task task, List<Batch> batches, int warmup, int runs) {
        try (NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = model.newEncoder(manager);
            TrainingRun.installMethod(encoder, Method.of(Method.Kind.PFEIFFER), null, 1);
            ClassificationHead head = ClassificationHead.create(
                    encoder.params(),
                    task.name(),
                    encoder.config().hiddenSize(),
                    task.labels(),
                    encoder.config().hiddenDropout(),
                    1);
            TaskModel taskModel = new TaskModel(encoder, head);
            TrainOptions o = TrainOptions.defaults()
                    .withMaxSteps(batches.size())
                    .withBatchSize(batches.get(0).size())
                    .withProgress(false)
                    .withLearningRate(1e-4f);
            return Medians.of(warmup, runs, () -> Trainer.train(taskModel, epoch -> batches, List.of(), p -> 0, o));
        }
    }
}
