package org.mera.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mera.io.HfModelDirectory;
import org.mera.io.Tensor;

/**
 * An encoder of any {@link ModelFamily} (BERT, RoBERTa, XLM-R, DistilBERT) built from small blocks: embeddings, post-LayerNorm layers with
 * insertion points for adapters, the pooler and masked-LM head when the checkpoint has them.
 * Parameter names follow HF's BertModel ({@code encoder.layer.3.attention.self.query.weight}) whatever the family:
 * {@link ModelFamily#toEncoderNames} maps a checkpoint onto them.
 */
public final class BertEncoder implements AutoCloseable {
    private final EncoderConfig config;
    private final Params params;
    private final Embeddings embeddings;
    private final List<BertLayer> layers;
    private final MaskedLmHead mlmHead;

    public BertEncoder(EncoderConfig config, Map<String, Tensor> weights, NDManager manager) {
        this(config, stripPrefixes(weights), null, manager);
    }

    /** An encoder whose frozen weights are {@code shared}'s arrays (see {@link SharedWeights}). */
    BertEncoder(EncoderConfig config, SharedWeights shared, NDManager manager) {
        this(config, Map.of(), shared, manager);
    }

    private BertEncoder(EncoderConfig config, Map<String, Tensor> w, SharedWeights shared, NDManager manager) {
        this.config = config;
        this.params = new Params(manager, shared);
        this.embeddings = new Embeddings(config, params, w);
        List<BertLayer> ls = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            ls.add(new BertLayer(config, params, w, "encoder.layer." + i + "."));
        }
        this.layers = Collections.unmodifiableList(ls);
        if (params.has(w, "pooler.dense.weight")) {
            // No head reads the pooler; its weights are kept so that a fully fine-tuned encoder is saved whole.
            Linear.load(params, w, "pooler.dense", config.hiddenSize(), config.hiddenSize());
        }
        this.mlmHead = MaskedLmHead.present(params, w)
                ? new MaskedLmHead(config, params, w, embeddings.wordEmbeddings())
                : null;
        for (Param p : params.all()) {
            p.setTrainable(false);
        }
    }

    /** Loads an HF model directory ({@code config.json} + weights in any layout {@link HfModelDirectory} reads). */
    public static BertEncoder load(Path modelDir, NDManager manager) throws IOException {
        EncoderConfig config = EncoderConfig.read(modelDir.resolve("config.json"));
        Map<String, Tensor> weights = config.family()
                .toEncoderNames(HfModelDirectory.readWeights(modelDir), HfModelDirectory.weightsFile(modelDir));
        try {
            return new BertEncoder(config, weights, manager);
        } catch (IllegalArgumentException e) {
            throw new IOException(HfModelDirectory.weightsFile(modelDir) + ": " + e.getMessage(), e);
        }
    }

    /** Accepts both bare BertModel names and names under a task model's {@code bert.}/{@code roberta.} prefix. */
    static Map<String, Tensor> stripPrefixes(Map<String, Tensor> weights) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            // RoBERTa's LM head is lm_head.*; only BERT's cls.predictions head is supported.
            out.put(HfModelDirectory.withoutModelPrefix(e.getKey()), e.getValue());
        }
        return out;
    }

    public EncoderConfig config() {
        return config;
    }

    public Params params() {
        return params;
    }

    public NDManager manager() {
        return params.manager();
    }

    public List<BertLayer> layers() {
        return layers;
    }

    /** The embedding block (package-private: tests replay a forward pass layer by layer). */
    Embeddings embeddings() {
        return embeddings;
    }

    public MaskedLmHead mlmHead() {
        return mlmHead;
    }

    /**
     * The last hidden state [B, T, H].
     *
     * @param ids     int64 token ids [B, T]
     * @param typeIds int64 token type ids [B, T]
     * @param mask    int64 attention mask [B, T], 1 for tokens and 0 for padding
     */
    public NDArray forward(NDArray ids, NDArray typeIds, NDArray mask, boolean training) {
        return run(ids, typeIds, mask, training, null);
    }

    /**
     * The hidden states after the embeddings and after each layer ({@code numLayers + 1} arrays [B, T, H]).
     * The output of layer i is what a Pfeiffer adapter at layer i sees as input in a plain encoder.
     */
    public List<NDArray> hiddenStates(NDArray ids, NDArray typeIds, NDArray mask, boolean training) {
        List<NDArray> states = new ArrayList<>(layers.size() + 1);
        run(ids, typeIds, mask, training, states);
        return states;
    }

    /** The last hidden state; every state along the way is added to {@code states} unless it is null. */
    private NDArray run(NDArray ids, NDArray typeIds, NDArray mask, boolean training, List<NDArray> states) {
        NDArray x = embeddings.forward(ids, typeIds, mask, training);
        // Additive mask: 0 where attended, a huge negative number where padded (as HF does).
        NDArray maskBias = EngineConstants.mul(
                        mask.toType(DataType.FLOAT32, false).neg().add(1f), -3.0e38f)
                .expandDims(1)
                .expandDims(1);
        if (states != null) {
            states.add(x);
        }
        for (BertLayer layer : layers) {
            NDArray in = x;
            x = scopedLayer(layer, in, maskBias, training);
            if (states == null) {
                in.close();
            }
            if (states != null) {
                states.add(x);
            }
        }
        return x;
    }

    /**
     * One layer, its intermediates' engine handles released as soon as its output exists. Otherwise they live
     * until the caller's scope closes, every layer's at once: at evaluation batch 128 of 128 tokens that is
     * over a GB per bert-base layer, the peak that once took a grid process past 20 GB. While training this is
     * just as safe: autograd holds its own references to what the backward needs (libtorch tensors are
     * reference-counted), so closing a handle frees only what nothing needs any more, e.g. the attention
     * scores before the softmax, the dropout masks' inputs and every view made along the way. That holds for
     * memory libtorch owns; a tensor over Java memory is freed by the garbage collector whatever autograd holds,
     * which is why no such tensor may enter the graph (EngineConstants).
     */
    private static NDArray scopedLayer(BertLayer layer, NDArray x, NDArray maskBias, boolean training) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = layer.forward(x, maskBias, training);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    @Override
    public void close() {
        params.close();
    }
}
