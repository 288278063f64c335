package org.mera.adapter.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.mera.adapter.EncoderInfo;
import org.mera.io.Tensor;
import org.mera.model.BertEncoder;
import org.mera.model.Param;
import org.mera.model.Params;

/**
 * An AdapterFusion installed in an encoder: its trainable parameters, the regulariser AdapterHub adds to the loss
 * ({@code 0.01 · Σ_blocks ‖I − V‖²}, over every fusion block that has V) and its weights under AdapterHub keys.
 */
public final class FusionHandle {
    /** AdapterHub's fixed regularisation weight. */
    public static final float REGULARISATION_WEIGHT = 0.01f;

    private final BertEncoder encoder;
    private final String name;
    private final List<String> adapterNames;
    private final FusionConfig config;
    private final List<Param> params;
    private final List<Param> values;

    FusionHandle(
            BertEncoder encoder,
            String name,
            List<String> adapterNames,
            FusionConfig config,
            List<Param> params,
            List<Param> values) {
        this.encoder = encoder;
        this.name = name;
        this.adapterNames = List.copyOf(adapterNames);
        this.config = config;
        this.params = List.copyOf(params);
        this.values = List.copyOf(values);
    }

    /** AdapterHub's fusion name, e.g. {@code mrpc,qqp,stsb}. */
    public String name() {
        return name;
    }

    public List<String> adapterNames() {
        return adapterNames;
    }

    public FusionConfig config() {
        return config;
    }

    /** The fusion's own parameters (all trainable); the source adapters are frozen and not among them. */
    public List<Param> parameters() {
        return params;
    }

    public long trainableParameterCount() {
        long n = 0;
        for (Param p : params) {
            n += p.array().size();
        }
        return n;
    }

    /**
     * {@code 0.01 · Σ ‖I − V‖²_F} as a scalar array on the encoder's manager (recorded for gradients inside a
     * GradientCollector). Throws when the config has no value matrix.
     */
    public NDArray regulariser() {
        if (values.isEmpty()) {
            throw new IllegalStateException("fusion '" + name + "' has no value matrices, so no regulariser");
        }
        int h = encoder.config().hiddenSize();
        NDArray eye = encoder.manager().eye(h);
        NDArray total = null;
        for (Param v : values) {
            NDArray term = eye.sub(v.array()).square().sum();
            total = total == null ? term : total.add(term);
        }
        return org.mera.model.EngineConstants.mul(total, REGULARISATION_WEIGHT);
    }

    /** The regulariser's current value. */
    public double regulariserValue() {
        try (NDScope scope = new NDScope()) {
            return regulariser().getFloat();
        }
    }

    /**
     * Adds the regulariser to a model's loss when the config asks for it (value and regularization).
     *
     * @param modelEncoder the encoder of the model being trained: it must be the one the fusion is installed in
     * @param addLossTerm  the model's way to add a term to its loss
     */
    public void attach(BertEncoder modelEncoder, Consumer<Supplier<NDArray>> addLossTerm) {
        if (modelEncoder != encoder) {
            throw new IllegalArgumentException(
                    "fusion '" + name + "' is installed in another encoder than the task model's");
        }
        if (config.regularised()) {
            addLossTerm.accept(this::regulariser);
        }
    }

    /** A copy of the fusion weights under AdapterHub keys ({@code ...adapter_fusion_layer.NAME.query.weight}, ...). */
    public Map<String, Tensor> weights() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Param p : params) {
            out.put(p.name(), Params.toTensor(p.array()));
        }
        return out;
    }

    /** The fusion as a saveable file type. */
    public FusionWeights toFusionWeights(EncoderInfo encoderInfo, String version) {
        return new FusionWeights(name, config, encoderInfo, version, weights(), "fusion '" + name + "'");
    }
}
