package org.mera.experiment.cell;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mera.adapter.AdapterLocation;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.data.Batch;
import org.mera.data.Batcher;
import org.mera.data.EncodedExample;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.data.TextEncoder;
import org.mera.experiment.Cell;
import org.mera.experiment.Hyperparameters;
import org.mera.experiment.Method;
import org.mera.io.Tensor;
import org.mera.merge.BottleneckActivations;
import org.mera.merge.GroundMetric;
import org.mera.merge.MergeMethods;
import org.mera.merge.MergeOptions;
import org.mera.merge.OtMerge;
import org.mera.model.BertEncoder;
import org.mera.model.PretrainedModel;

/**
 * {@code mera-sum}, {@code mera-average}, {@code mera-ot}, {@code mera-same-track}: the cell's sources merged with the
 * method's registered merge ({@link Method#mergeMethod()}), then fine-tuned few-shot as one Pfeiffer adapter.
 */
final class MergeStrategy implements CellStrategy {
    @Override
    public Start start(Inputs in, Map<String, Object> extra) throws Exception {
        return Start.from(CellSettings.pfeiffer(in.h()), merge(in, in.sources(), extra));
    }

    /**
     * The adapters of {@code sources} merged with the cell method's merge; one source is used as it is. Optimal transport
     * takes its solver, ground metric and alignment from the hyperparameters and reports the mean alignment distances.
     */
    static AdapterWeights merge(Inputs in, List<String> sources, Map<String, Object> extra) throws Exception {
        String methodName = in.cell().method().mergeMethod();
        Hyperparameters h = in.h();
        List<AdapterWeights> adapters = new ArrayList<>();
        for (String s : sources) {
            adapters.add(in.source(s));
        }
        if (adapters.size() == 1) {
            extra.put("merge", "single source: no merge");
            return adapters.get(0);
        }
        MergeOptions o = MergeOptions.defaults()
                .withOutputName("merged")
                .withSeed(in.cell().seed());
        if (!(MergeMethods.get(methodName) instanceof OtMerge ot)) {
            extra.put("merge", methodName);
            return MergeMethods.get(methodName).merge(adapters, o);
        }
        if ("sinkhorn".equals(h.getString("otSolver"))) {
            o = o.withSinkhorn(h.getDouble("sinkhornReg"));
        }
        o = o.withMetric(
                "cosine".equals(h.getString("groundMetric")) ? GroundMetric.COSINE : GroundMetric.SQUARED_EUCLIDEAN);
        if ("acts".equals(h.getString("alignment"))) {
            o = o.withActivations(activations(in.model(), in.cell(), in.train(), h.getInt("alignmentExamples")));
        }
        OtMerge.Result r = ot.mergeWithReport(adapters, o);
        extra.put("merge", "ot");
        extra.put("alignmentDistanceBefore", r.report().meanBefore());
        extra.put("alignmentDistanceAfter", r.report().meanAfter());
        return r.merged();
    }

    /**
     * Activation-based ground metric: the inputs a Pfeiffer adapter sees at layer i in the frozen encoder are
     * that layer's output, so the plain encoder's hidden states over the target's few-shot texts (every real
     * token) feed each source adapter's bottleneck.
     */
    private static BottleneckActivations activations(
            PretrainedModel model, Cell cell, List<Example> texts, int maxExamples) throws IOException {
        Task task = cell.definition().task();
        List<Example> sample = texts.subList(0, Math.min(maxExamples, texts.size()));
        Map<Integer, Tensor> perLayer = new LinkedHashMap<>();
        try (TextEncoder text = TextEncoder.load(model.tokenizerJson());
                NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = model.newEncoder(manager);
            List<EncodedExample> enc = text.encodeAll(sample, task);
            int layers = encoder.config().numLayers();
            int hidden = encoder.config().hiddenSize();
            List<List<float[]>> byLayer = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                byLayer.add(new ArrayList<>());
            }
            for (Batch b : new Batcher(32, text.padId()).evalBatches(enc)) {
                try (NDScope scope = new NDScope()) {
                    Shape s = new Shape(b.size(), b.seqLen());
                    List<NDArray> states = encoder.hiddenStates(
                            manager.create(b.inputIds(), s),
                            manager.create(b.typeIds(), s),
                            manager.create(b.attentionMask(), s),
                            false);
                    for (int l = 0; l < layers; l++) {
                        float[] all = states.get(l + 1).toFloatArray();
                        for (int t = 0; t < b.size() * b.seqLen(); t++) {
                            if (b.attentionMask()[t] == 1) {
                                float[] row = new float[hidden];
                                System.arraycopy(all, t * hidden, row, 0, hidden);
                                byLayer.get(l).add(row);
                            }
                        }
                    }
                }
            }
            for (int l = 0; l < layers; l++) {
                List<float[]> r = byLayer.get(l);
                float[] flat = new float[r.size() * hidden];
                for (int i = 0; i < r.size(); i++) {
                    System.arraycopy(r.get(i), 0, flat, i * hidden, hidden);
                }
                perLayer.put(l, new Tensor(flat, r.size(), hidden));
            }
        }
        return BottleneckActivations.fromInputs((layer, location) -> {
            if (location != AdapterLocation.OUTPUT) {
                throw new IllegalArgumentException(
                        "activation-based alignment supports Pfeiffer (output) adapters only");
            }
            return perLayer.get(layer);
        });
    }
}
