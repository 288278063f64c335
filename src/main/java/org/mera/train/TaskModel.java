package org.mera.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.mera.data.Batch;
import org.mera.model.BertEncoder;
import org.mera.model.ClassificationHead;
import org.mera.model.Param;

/**
 * An encoder with a task head: what the trainer trains and the evaluator scores. Adapters, LoRA and fusion
 * live inside the encoder's insertion points; {@code lossTerms} carries their regularisers (AdapterFusion's).
 */
public final class TaskModel {
    private final BertEncoder encoder;
    private final ClassificationHead head;
    private final List<Supplier<NDArray>> lossTerms = new ArrayList<>();
    private final Set<Batch> cacheable = Collections.newSetFromMap(new IdentityHashMap<>());
    private final IdentityHashMap<Batch, NDArray> frozenStates = new IdentityHashMap<>();

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

    /**
     * Lets evaluation keep the encoder's final states for these batches (the same objects, e.g. the dev
     * batches scored after every epoch) while nothing but the head is trainable: a frozen encoder in eval mode
     * gives the same states every time, so later evaluations run the head alone and score exactly as a full
     * pass would. This halves mera-auto's ranking, which trains only heads over frozen source adapters. Batches
     * not named here (a large test set) are never kept. No effect while any encoder parameter is trainable.
     */
    public void keepFrozenStates(List<Batch> batches) {
        cacheable.addAll(batches);
    }

    /** True when only the head's parameters are trainable, so the encoder's eval-mode outputs cannot change. */
    public boolean encoderFrozen() {
        String headPrefix = ClassificationHead.prefix(head.name());
        for (Param p : encoder.params().trainable()) {
            if (!p.name().startsWith(headPrefix)) {
                return false;
            }
        }
        return true;
    }

    /** Head outputs [B, C] (regression: [B, 1]). Call inside an NDScope. */
    public NDArray forward(Batch batch, boolean training) {
        NDManager m = encoder.manager();
        Shape shape = new Shape(batch.size(), batch.seqLen());
        NDArray mask = m.create(batch.attentionMask(), shape);
        if (!frozenStates.isEmpty() && !encoderFrozen()) {
            dropFrozenStates(); // something in the encoder became trainable: what was kept may go stale
        }
        if (!training && cacheable.contains(batch) && encoderFrozen()) {
            NDArray states = frozenStates.get(batch);
            if (states == null) {
                states = encoderStates(batch, mask, false);
                NDScope.unregister(states); // outlives this call's scope; freed with the model's manager
                frozenStates.put(batch, states);
            }
            return head.forward(states, mask, false);
        }
        return head.forward(encoderStates(batch, mask, training), mask, training);
    }

    /** The encoder's final states [B, T, H] for the batch; {@code mask} is its attention mask, already on the engine. */
    private NDArray encoderStates(Batch batch, NDArray mask, boolean training) {
        NDManager m = encoder.manager();
        return encoder.forward(
                m.create(batch.inputIds(), mask.getShape()),
                m.create(batch.typeIds(), mask.getShape()),
                mask,
                training);
    }

    private void dropFrozenStates() {
        frozenStates.values().forEach(NDArray::close);
        frozenStates.clear();
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
