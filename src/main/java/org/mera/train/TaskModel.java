package org.mera.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.mera.data.Batch;
import org.mera.model.BertEncoder;
import org.mera.model.ClassificationHead;
import org.mera.model.Param;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * An encoder with a task head: what the trainer trains and the evaluator scores. Adapters, LoRA and fusion
 * live inside the encoder's insertion points; {@code lossTerms} carries their regularisers (AdapterFusion's).
 */
public final class TaskModel {
    private final BertEncoder encoder;
    private final ClassificationHead head;
    private final List<Supplier<NDArray>> lossTerms = new ArrayList<>();

    public TaskModel(BertEncoder encoder, ClassificationHead head) {
        this.encoder = encoder;
        this.head = head;
    }

    public BertEncoder encoder() {
        return encoder;
    }

    public ClassificationHead head() {
        return head;
    }

    public void addLossTerm(Supplier<NDArray> term) {
        lossTerms.add(term);
    }

    public List<Supplier<NDArray>> lossTerms() {
        return lossTerms;
    }

    public List<Param> trainable() {
        return encoder.params().trainable();
    }

    /** Head outputs [B, C] (regression: [B, 1]). Call inside an NDScope. */
    public NDArray forward(Batch batch, boolean training) {
        NDManager m = encoder.manager();
        Shape shape = new Shape(batch.size(), batch.seqLen());
        NDArray ids = m.create(batch.inputIds(), shape);
        NDArray types = m.create(batch.typeIds(), shape);
        NDArray mask = m.create(batch.attentionMask(), shape);
        return head.forward(encoder.forward(ids, types, mask, training), mask, training);
    }

    /** Cross-entropy for classification, mean squared error for regression. */
    public NDArray loss(NDArray outputs, Batch batch) {
        NDManager m = encoder.manager();
        if (head.isRegression()) {
            NDArray target = m.create(batch.targets());
            return outputs.reshape(-1).sub(target).square().mean();
        }
        int classes = head.labels().size();
        NDArray oneHot = m.create(batch.labels()).oneHot(classes);
        return outputs.logSoftmax(-1).mul(oneHot).sum(new int[] {1}).mean().neg();
    }
}
