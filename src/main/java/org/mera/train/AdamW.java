package org.mera.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.IdentityHashMap;
import java.util.List;
import org.mera.model.Param;

/**
 * AdamW (Loshchilov & Hutter) with bias correction and decoupled weight decay, as torch.optim.AdamW.
 * Biases and LayerNorm weights get no decay (the usual BERT recipe). State arrays live in the optimizer's
 * own manager, never inside a step's NDScope.
 */
public final class AdamW implements AutoCloseable {
    private final NDManager stateManager;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final IdentityHashMap<Param, NDArray[]> state = new IdentityHashMap<>();
    private int step;

    public AdamW(NDManager parent, float beta1, float beta2, float eps, float weightDecay) {
        this.stateManager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    public AdamW(NDManager parent, float weightDecay) {
        this(parent, 0.9f, 0.999f, 1e-8f, weightDecay);
    }

    static boolean decays(Param p) {
        String n = p.name();
        return !(n.endsWith(".bias") || n.contains("LayerNorm") || n.contains("layer_norm"));
    }

    /**
     * One update of every parameter in {@code params} from {@code grads} (same order), in torch.optim.AdamW's
     * order of operations. Each parameter's temporaries are freed before the next parameter's are made, so a full
     * fine-tuning step holds at most two parameter-sized temporaries, not five per parameter until the step ends.
     */
    public void step(List<Param> params, List<NDArray> grads, float lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = (float) (lr / bc1);
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            NDArray g = grads.get(i);
            NDArray[] mv = state.computeIfAbsent(p, k -> {
                NDArray m = stateManager.zeros(k.array().getShape());
                NDArray v = stateManager.zeros(k.array().getShape());
                // State outlives the step's NDScope that creates it.
                NDScope.unregister(m, v);
                return new NDArray[] {m, v};
            });
            NDArray w = p.array();
            if (weightDecay > 0 && decays(p)) {
                w.muli(1 - lr * weightDecay);
            }
            try (NDArray t = g.mul(1 - beta1)) {
                mv[0].muli(beta1).addi(t);
            }
            try (NDArray t = g.square()) {
                mv[1].muli(beta2).addi(t.muli(1 - beta2));
            }
            // denom = sqrt(v) / sqrt(1 - beta2^t) + eps; w -= lr / (1 - beta1^t) · m / denom
            try (NDArray denom = mv[1].sqrt();
                    NDArray update = mv[0].div(denom.divi(bc2Sqrt).addi(eps))) {
                w.subi(update.muli(stepSize));
            }
        }
    }

    public int steps() {
        return step;
    }

    /** Per parameter its moments {m, v} as copies, null for one not yet updated (for a training checkpoint). */
    List<float[][]> moments(List<Param> params) {
        List<float[][]> out = new java.util.ArrayList<>(params.size());
        for (Param p : params) {
            NDArray[] mv = state.get(p);
            out.add(mv == null ? null : new float[][] {mv[0].toFloatArray(), mv[1].toFloatArray()});
        }
        return out;
    }

    /** Puts back the state {@link #moments} and {@link #steps} gave, into an optimizer that has taken no step. */
    void restore(List<Param> params, List<float[][]> moments, int steps) {
        if (step != 0 || !state.isEmpty()) {
            throw new IllegalStateException("restore into an optimizer that has already stepped");
        }
        for (int i = 0; i < params.size(); i++) {
            float[][] saved = moments.get(i);
            if (saved == null) {
                continue;
            }
            Param p = params.get(i);
            ai.djl.ndarray.types.Shape shape = p.array().getShape();
            NDArray m = stateManager.create(saved[0], shape);
            NDArray v = stateManager.create(saved[1], shape);
            NDScope.unregister(m, v);
            state.put(p, new NDArray[] {m, v});
        }
        step = steps;
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
