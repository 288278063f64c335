package org.mera.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.ToDoubleFunction;
import org.mera.data.Batch;
import org.mera.model.Param;

/**
 * Trains a {@link TaskModel}'s trainable parameters with AdamW, a linear warmup/decay schedule and global
 * gradient-norm clipping; evaluates on a dev split, stops early after {@link TrainOptions#patience()} evaluations
 * without a better score (if set), and restores the best state at the end. Each step runs
 * in its own NDScope so no intermediate array outlives it.
 */
public final class Trainer {
    /**
     * What a run did: the best dev score and when, the steps taken, the loss per step, the step budget (fewer
     * steps than the budget: stopped early) and how many steps were skipped for a non-finite gradient; for a run
     * resumed from a checkpoint, the step it resumed at and the training seconds spent before it (both 0 otherwise;
     * {@code seconds} counts them).
     */
    public record Result(
            double bestDevScore,
            int bestStep,
            int steps,
            List<Float> losses,
            double seconds,
            int budget,
            int skippedSteps,
            int resumedAtStep,
            double earlierSeconds) {}

    /**
     * A step whose gradient is not finite is skipped (no update, as PyTorch's GradScaler does), but only this many
     * in a row, and at most {@link #MAX_SKIPPED_FRACTION} of the budget in all: more than that is divergence.
     */
    static final int MAX_CONSECUTIVE_SKIPS = 3;

    static final double MAX_SKIPPED_FRACTION = 0.01;

    private Trainer() {}

    /**
     * @param trainBatches the training batches of epoch e (shuffled by the caller's seed)
     * @param devBatches   batches for model selection; empty to keep the final state
     * @param devScore     higher is better
     */
    public static Result train(
            TaskModel model,
            IntFunction<List<Batch>> trainBatches,
            List<Batch> devBatches,
            ToDoubleFunction<Predictions> devScore,
            TrainOptions o) {
        try {
            return train(model, trainBatches, devBatches, devScore, o, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // unreachable: without a checkpoint nothing is read or written
        }
    }

    /**
     * As {@link #train(TaskModel, IntFunction, List, ToDoubleFunction, TrainOptions)}, saving the run's state to
     * {@code checkpoint} after each dev evaluation and, when its file exists, resuming from it: the resumed run takes
     * the same steps as one never stopped (same batches, dropout masks, optimizer state) and ends in the same state.
     * The file is left for the caller to delete once it has kept what the run produced.
     *
     * @param checkpoint null: no checkpoint
     */
    public static Result train(
            TaskModel model,
            IntFunction<List<Batch>> trainBatches,
            List<Batch> devBatches,
            ToDoubleFunction<Predictions> devScore,
            TrainOptions o,
            TrainingCheckpoint checkpoint)
            throws IOException {
        List<Param> params = model.trainable();
        if (params.isEmpty()) {
            throw new IllegalStateException("nothing to train: the model has no trainable parameters");
        }
        List<Batch> firstEpoch = trainBatches.apply(0);
        int stepsPerEpoch = firstEpoch.size();
        int total = o.maxSteps() > 0 ? o.maxSteps() : o.epochs() * stepsPerEpoch;
        int evalEvery = o.evalEvery() > 0 ? o.evalEvery() : stepsPerEpoch;
        LinearSchedule schedule = new LinearSchedule(o.learningRate(), Math.round(o.warmupRatio() * total), total);
        NDManager manager = model.encoder().manager();
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) o.seed());
        org.mera.model.Dropout.seed(o.seed());
        long start = System.nanoTime();
        List<Float> losses = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        int bestStep = -1;
        float[][] bestState = null;
        int step = 0;
        int evalsWithoutGain = 0;
        int skipped = 0;
        int skippedInARow = 0;
        int startEpoch = 0;
        int startBatch = 0;
        double earlierSeconds = 0;
        TrainingCheckpoint.State saved = null;
        int maxSkipped = Math.max(MAX_CONSECUTIVE_SKIPS, (int) (MAX_SKIPPED_FRACTION * total));
        try (AdamW optimizer = new AdamW(manager, o.weightDecay());
                ProgressBar bar = new ProgressBar("training", total, o.progress())) {
            saved = checkpoint == null ? null : loadOrSetAside(checkpoint, o, params);
            if (saved != null) {
                restore(params, saved.params().toArray(float[][]::new));
                optimizer.restore(params, saved.moments(), saved.optimizerSteps());
                org.mera.model.Dropout.restore(saved.dropout());
                losses.addAll(saved.losses());
                best = saved.best();
                bestStep = saved.bestStep();
                bestState = saved.bestState() == null ? null : saved.bestState().toArray(float[][]::new);
                step = saved.step();
                evalsWithoutGain = saved.evalsWithoutGain();
                skipped = saved.skipped();
                skippedInARow = saved.skippedInARow();
                startEpoch = saved.epoch();
                startBatch = saved.batchInEpoch();
                earlierSeconds = saved.seconds();
                System.err.printf(
                        "resuming training at step %d of %d from %s (best dev score %.4f at step %d)%n",
                        step, total, checkpoint.file(), best, bestStep);
                bar.step(step, "resumed");
            }
            training:
            for (int epoch = startEpoch; step < total; epoch++) {
                List<Batch> batches = epoch == 0 ? firstEpoch : trainBatches.apply(epoch);
                for (int b = epoch == startEpoch ? startBatch : 0; b < batches.size(); b++) {
                    Batch batch = batches.get(b);
                    if (step >= total) {
                        break;
                    }
                    StepOutcome out = step(model, params, batch, optimizer, schedule.rate(step), o.maxGradNorm(), step);
                    float loss = out.loss();
                    losses.add(loss);
                    if (out.nonFinite() != null) {
                        skipped++;
                        skippedInARow++;
                        if (skippedInARow > MAX_CONSECUTIVE_SKIPS || skipped > maxSkipped) {
                            throw new TrainingDivergedException("training diverged: " + out.nonFinite() + " (" + skipped
                                    + " steps skipped, " + skippedInARow + " in a row); lower the learning rate");
                        }
                        // Said, not swallowed: the count goes into the result and the run's metadata.
                        System.err.println("warning: step " + step + " skipped: " + out.nonFinite());
                    } else {
                        skippedInARow = 0;
                    }
                    step++;
                    bar.step(1, String.format("loss %.4f", loss));
                    if (!devBatches.isEmpty() && (step % evalEvery == 0 || step == total)) {
                        double score = devScore.applyAsDouble(Evaluator.predict(model, devBatches));
                        if (score > best) {
                            best = score;
                            bestStep = step;
                            bestState = snapshot(params);
                            evalsWithoutGain = 0;
                        } else {
                            evalsWithoutGain++;
                        }
                        if (o.patience() > 0 && evalsWithoutGain >= o.patience()) {
                            break training; // converged: dev has not improved for `patience` evaluations
                        }
                        if (checkpoint != null && step < total) {
                            checkpoint.save(
                                    new TrainingCheckpoint.State(
                                            step,
                                            epoch,
                                            b + 1,
                                            losses,
                                            best,
                                            bestStep,
                                            evalsWithoutGain,
                                            skipped,
                                            skippedInARow,
                                            earlierSeconds + (System.nanoTime() - start) / 1e9,
                                            org.mera.model.Dropout.state(),
                                            optimizer.steps(),
                                            List.of(snapshot(params)),
                                            optimizer.moments(params),
                                            bestState == null ? null : List.of(bestState)),
                                    o,
                                    params);
                        }
                    }
                }
            }
        }
        if (bestState != null) {
            restore(params, bestState);
        }
        return new Result(
                best,
                bestStep,
                step,
                losses,
                earlierSeconds + (System.nanoTime() - start) / 1e9,
                total,
                skipped,
                saved == null ? 0 : saved.step(),
                earlierSeconds);
    }

    /**
     * The checkpoint's state; a file that cannot be read (cut short by a machine stop) or belongs to another run (a
     * code change under the same cache key) is said, deleted and the run starts from the beginning: refusing it would
     * block that adapter until someone found and deleted a hidden file.
     */
    private static TrainingCheckpoint.State loadOrSetAside(
            TrainingCheckpoint checkpoint, TrainOptions o, List<Param> params) throws IOException {
        try {
            return checkpoint.load(o, params);
        } catch (org.mera.io.MalformedFileException e) {
            System.err.println("warning: " + e.getMessage() + "; deleting it and training from the beginning");
            java.nio.file.Files.deleteIfExists(checkpoint.file());
            return null;
        }
    }

    /** One step's loss, and why its update was skipped (null when it was applied). */
    private record StepOutcome(float loss, String nonFinite) {}

    private static StepOutcome step(
            TaskModel model, List<Param> params, Batch batch, AdamW optimizer, float lr, float maxNorm, int step) {
        try (NDScope scope = new NDScope()) {
            float lossValue;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray outputs = model.forward(batch, true);
                NDArray loss = model.loss(outputs, batch);
                for (var term : model.lossTerms()) {
                    loss = loss.add(term.get());
                }
                lossValue = loss.getFloat();
                if (!Float.isFinite(lossValue)) {
                    throw new TrainingDivergedException("training diverged: loss is " + lossValue + " at step " + step
                            + " (learning rate " + lr + "); lower the learning rate");
                }
                collector.backward(loss);
            }
            List<NDArray> grads = new ArrayList<>(params.size());
            NDArray sumSq = null;
            for (Param p : params) {
                NDArray g = p.array().getGradient();
                grads.add(g);
                NDArray s;
                try (NDArray sq = g.square()) { // freed now: a full fine-tuning step's would add up to the model's size
                    s = sq.sum();
                }
                sumSq = sumSq == null ? s : sumSq.addi(s);
            }
            float norm = (float) Math.sqrt(sumSq.getFloat());
            if (!Float.isFinite(norm)) {
                // Name the parameters whose gradients are not finite: a finite loss with a non-finite gradient at
                // the first steps points at one module, not at the learning rate.
                List<String> bad = new ArrayList<>();
                for (int i = 0; i < params.size(); i++) {
                    float s = grads.get(i).square().sum().getFloat();
                    if (!Float.isFinite(s)) {
                        bad.add(params.get(i).name());
                    }
                }
                for (Param p : params) {
                    JniUtils.zeroGrad((PtNDArray) p.array()); // gradients are not zeroed for us
                }
                return new StepOutcome(
                        lossValue,
                        "gradient norm is " + norm + " at step " + step + " (learning rate " + lr + ", loss "
                                + lossValue + ", batch " + batch.size() + " x " + batch.seqLen()
                                + "; non-finite gradients in "
                                + (bad.size() > 8 ? bad.subList(0, 8) + " and " + (bad.size() - 8) + " more" : bad)
                                + ")");
            }
            if (maxNorm > 0 && norm > maxNorm) {
                float scale = maxNorm / (norm + 1e-6f);
                for (NDArray g : grads) {
                    g.muli(scale);
                }
            }
            optimizer.step(params, grads, lr);
            for (Param p : params) {
                JniUtils.zeroGrad((PtNDArray) p.array());
            }
            return new StepOutcome(lossValue, null);
        }
    }

    private static float[][] snapshot(List<Param> params) {
        float[][] s = new float[params.size()][];
        for (int i = 0; i < s.length; i++) {
            s[i] = params.get(i).array().toFloatArray();
        }
        return s;
    }

    private static void restore(List<Param> params, float[][] state) {
        for (int i = 0; i < state.length; i++) {
            params.get(i).array().set(state[i]);
        }
    }
}
