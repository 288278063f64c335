package org.mera.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import org.mera.data.Task;
import org.mera.model.ClassificationHead;
import org.mera.model.PretrainedModel;
import org.mera.train.AdapterFiles;
import org.mera.train.Method;
import org.mera.train.TrainOptions;
import picocli.CommandLine.Option;

/** The options {@code mera train} and {@code mera fewshot} share: method, starting adapter, hyperparameters. */
final class TrainingArgs {
    @Option(
            names = "--method",
            description = "pfeiffer (default), houlsby, lora or full; with --init: taken from the adapter's files")
    String method;

    @Option(
            names = "--init",
            paramLabel = "ADAPTER_DIR",
            description =
                    "start from this AdapterHub or PEFT LoRA directory (a pretrained or merged adapter) instead of a fresh adapter")
    Path init;

    @Option(
            names = "--init-head",
            description = "also start from the head saved in the --init directory (its labels must match the task)")
    boolean initHead;

    @Option(names = "--lr", description = "peak learning rate (default: 1e-3 adapters, 5e-4 LoRA, 2e-5 full)")
    Float learningRate;

    @Option(names = "--epochs", description = "training epochs (default: ${DEFAULT-VALUE})", defaultValue = "20")
    int epochs;

    @Option(
            names = "--max-steps",
            description = "stop after this many steps, overriding --epochs (default: 0, off)",
            defaultValue = "0")
    int maxSteps;

    @Option(names = "--batch-size", description = "training batch size (default: ${DEFAULT-VALUE})", defaultValue = "8")
    int batchSize;

    @Option(
            names = "--eval-every",
            description = "score dev every N steps and keep the best state (default: 0, once per epoch)",
            defaultValue = "0")
    int evalEvery;

    @Option(
            names = "--reduction-factor",
            description = "bottleneck adapters: hidden size / bottleneck size (default: 16)")
    Integer reductionFactor;

    @Option(names = "--lora-r", description = "LoRA rank (default: 8)")
    Integer loraR;

    @Option(names = "--lora-alpha", description = "LoRA alpha; the update is scaled by alpha / r (default: 16)")
    Float loraAlpha;

    @Option(
            names = "--pooling",
            paramLabel = "cls|mean",
            description = "what the task head reads: the first token's state "
                    + "(cls, AdapterHub's head; the default) or the mean over the real tokens (mean, how sentence-transformers such as "
                    + "minilm and e5 were trained); with --init-head: taken from the head's files")
    String pooling;

    @Option(names = "--no-progress", description = "do not draw the progress bar on stderr")
    boolean noProgress;

    /** The method to train, from --method and its shape options, or from the --init directory's files. */
    Method resolveMethod(AdapterFiles.Init start) {
        Method m = resolveAdapter(start);
        if (pooling == null) {
            return m;
        }
        ClassificationHead.Pooling p = ClassificationHead.Pooling.parse(pooling);
        if (start != null && start.head() != null && p != m.headPooling()) {
            throw new IllegalArgumentException("--pooling " + pooling + " contradicts the head in --init " + init
                    + ", which reads " + m.headPooling().id());
        }
        return m.withHeadPooling(p);
    }

    private Method resolveAdapter(AdapterFiles.Init start) {
        if (start != null) {
            Method fromFiles = start.method();
            if (method != null && Method.parse(method).kind() != fromFiles.kind()) {
                throw new IllegalArgumentException("--method " + method + " contradicts --init " + init
                        + ", which holds a " + fromFiles.kind().name().toLowerCase(java.util.Locale.ROOT) + " adapter");
            }
            if (reductionFactor != null || loraR != null || loraAlpha != null) {
                throw new IllegalArgumentException(
                        "--reduction-factor, --lora-r and --lora-alpha cannot be combined with --init " + init
                                + ": the adapter's shape comes from its files");
            }
            return fromFiles;
        }
        if (initHead) {
            throw new IllegalArgumentException("--init-head needs --init ADAPTER_DIR");
        }
        Method m = Method.parse(method == null ? "pfeiffer" : method);
        if (m.kind() == Method.Kind.FUSION) {
            throw new IllegalArgumentException(
                    "--method fusion is not trained by this command (pfeiffer, houlsby, lora, full)");
        }
        if (reductionFactor != null) {
            if (!m.isBottleneck()) {
                throw new IllegalArgumentException("--reduction-factor applies to pfeiffer/houlsby, not " + method);
            }
            if (reductionFactor <= 0) {
                throw new IllegalArgumentException("--reduction-factor must be positive, got " + reductionFactor);
            }
            m = m.withReductionFactor(reductionFactor);
        }
        if (loraR != null || loraAlpha != null) {
            if (m.kind() != Method.Kind.LORA) {
                throw new IllegalArgumentException("--lora-r and --lora-alpha apply to lora, not " + method);
            }
            int r = loraR == null ? m.loraRank() : loraR;
            if (r <= 0) {
                throw new IllegalArgumentException("--lora-r must be positive, got " + r);
            }
            m = m.withLora(r, loraAlpha == null ? m.loraAlpha() : loraAlpha);
        }
        return m;
    }

    AdapterFiles.Init readInit(PretrainedModel model, Task task) throws IOException {
        return init == null ? null : AdapterFiles.readInit(init, model, task, initHead);
    }

    /**
     * Refuses negative, zero where meaningless, and non-finite numeric options; commands call it before loading
     * anything, so a typo costs nothing.
     */
    void validateNumbers() {
        if (epochs < 0) {
            throw new IllegalArgumentException("--epochs must be ≥ 0, got " + epochs);
        }
        if (maxSteps < 0) {
            throw new IllegalArgumentException("--max-steps must be ≥ 0 (0 = off, train --epochs), got " + maxSteps);
        }
        if (epochs == 0 && maxSteps == 0) {
            throw new IllegalArgumentException("--epochs or --max-steps must be positive");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
        }
        if (evalEvery < 0) {
            throw new IllegalArgumentException("--eval-every must be ≥ 0 (0 = once per epoch), got " + evalEvery);
        }
        if (learningRate != null && !(learningRate > 0 && Float.isFinite(learningRate))) {
            throw new IllegalArgumentException("--lr must be a finite positive number, got " + learningRate);
        }
        if (reductionFactor != null && reductionFactor <= 0) {
            throw new IllegalArgumentException("--reduction-factor must be positive, got " + reductionFactor);
        }
        if (loraR != null && loraR <= 0) {
            throw new IllegalArgumentException("--lora-r must be positive, got " + loraR);
        }
        if (loraAlpha != null && !(loraAlpha > 0 && Float.isFinite(loraAlpha))) {
            throw new IllegalArgumentException("--lora-alpha must be a finite positive number, got " + loraAlpha);
        }
    }

    TrainOptions options(Method m, long seed) {
        validateNumbers();
        if (epochs <= 0 && maxSteps <= 0) {
            throw new IllegalArgumentException("--epochs or --max-steps must be positive");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
        }
        float lr = learningRate == null ? m.defaultLearningRate() : learningRate;
        if (!(lr > 0)) {
            throw new IllegalArgumentException("--lr must be positive, got " + lr);
        }
        return TrainOptions.defaults()
                .withLearningRate(lr)
                .withEpochs(epochs)
                .withMaxSteps(maxSteps)
                .withBatchSize(batchSize)
                .withEvalEvery(evalEvery)
                .withSeed(seed)
                .withProgress(!noProgress);
    }

    /** The hyperparameters as metrics.json records them. */
    static ObjectNode toJson(Method m, TrainOptions o, ObjectNode node) {
        node.put("method", m.kind().name().toLowerCase(java.util.Locale.ROOT));
        node.put("learning_rate", o.learningRate());
        node.put("epochs", o.epochs());
        node.put("max_steps", o.maxSteps());
        node.put("batch_size", o.batchSize());
        node.put("eval_batch_size", o.evalBatchSize());
        node.put("eval_every", o.evalEvery());
        node.put("warmup_ratio", o.warmupRatio());
        node.put("weight_decay", o.weightDecay());
        node.put("max_grad_norm", o.maxGradNorm());
        node.put("seed", o.seed());
        node.put("head_pooling", m.headPooling().id());
        if (m.isBottleneck()) {
            node.put("reduction_factor", m.reductionFactor());
            node.put("non_linearity", m.nonLinearity());
        } else if (m.kind() == Method.Kind.LORA) {
            node.put("lora_r", m.loraRank());
            node.put("lora_alpha", m.loraAlpha());
            node.put("lora_dropout", m.loraDropout());
            var t = node.putArray("lora_targets");
            m.loraTargets().forEach(t::add);
        }
        return node;
    }
}
