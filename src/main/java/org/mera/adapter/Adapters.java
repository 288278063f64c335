package org.mera.adapter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mera.adapter.bottleneck.Bottleneck;
import org.mera.adapter.bottleneck.HoulsbyOutput;
import org.mera.adapter.bottleneck.PfeifferOutput;
import org.mera.adapter.lora.LoraConfig;
import org.mera.adapter.lora.LoraProjection;
import org.mera.adapter.lora.LoraWeights;
import org.mera.io.Tensor;
import org.mera.model.BertEncoder;
import org.mera.model.BertLayer;
import org.mera.model.Linear;
import org.mera.model.Param;
import org.mera.model.Params;

/**
 * Inserts bottleneck adapters and LoRA into an encoder's insertion points, fresh (AdapterHub / PEFT
 * initialisation) or from saved weights with AdapterHub / PEFT key names, and reads them back out.
 * The encoder's own weights stay frozen; only the inserted parameters train.
 */
public final class Adapters {
    public static final String PFEIFFER = "seq_bn";
    public static final String HOULSBY = "double_seq_bn";

    private Adapters() {}

    /** The model prefix AdapterHub puts before encoder keys ("bert.", "roberta.", "distilbert."). */
    public static String modelPrefix(BertEncoder encoder) {
        return encoder.config().family().keyPrefix();
    }

    /** {@code bert.encoder.layer.{i}.{output|attention.output}.adapters.{name}.} or the family's own site. */
    public static String bottleneckPrefix(BertEncoder encoder, int layer, boolean attention, String name) {
        return modelPrefix(encoder) + encoder.config().family().bottleneckSite(layer, attention) + ".adapters." + name
                + ".";
    }

    /**
     * Adds a bottleneck adapter: Pfeiffer ({@code seq_bn}, after the feed-forward block) or Houlsby
     * ({@code double_seq_bn}, after attention and after the feed-forward block).
     *
     * @param weights AdapterHub-named weights to load, or null for AdapterHub's default "bert" initialisation
     *                (N(0, 0.02) weights, zero biases)
     */
    public static void addBottleneck(
            BertEncoder encoder,
            String name,
            String architecture,
            int reductionFactor,
            String nonLinearity,
            Map<String, Tensor> weights,
            long seed) {
        boolean houlsby = switch (architecture) {
            case PFEIFFER, "pfeiffer" -> false;
            case HOULSBY, "houlsby" -> true;
            default ->
                throw new IllegalArgumentException("unknown bottleneck architecture '" + architecture
                        + "' (expected seq_bn/pfeiffer or double_seq_bn/houlsby)");
        };
        int h = encoder.config().hiddenSize();
        if (h % reductionFactor != 0 && weights == null) {
            throw new IllegalArgumentException(
                    "hidden size " + h + " is not divisible by reduction_factor " + reductionFactor);
        }
        int b = h / reductionFactor;
        Map<String, Tensor> w = weights == null ? freshBottleneck(encoder, name, houlsby, h, b, seed) : weights;
        Params params = encoder.params();
        List<BertLayer> layers = encoder.layers();
        for (int i = 0; i < layers.size(); i++) {
            BertLayer layer = layers.get(i);
            Bottleneck out = load(params, w, bottleneckPrefix(encoder, i, false, name), h, b, nonLinearity);
            layer.setFeedForwardOutput(houlsby ? new HoulsbyOutput(out) : new PfeifferOutput(out));
            if (houlsby) {
                layer.setAttentionOutput(new HoulsbyOutput(
                        load(params, w, bottleneckPrefix(encoder, i, true, name), h, b, nonLinearity)));
            }
        }
    }

    private static Map<String, Tensor> freshBottleneck(
            BertEncoder encoder, String name, boolean houlsby, int h, int b, long seed) {
        Random rnd = new Random(seed);
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (int i = 0; i < encoder.layers().size(); i++) {
            for (boolean attention : houlsby ? new boolean[] {true, false} : new boolean[] {false}) {
                String p = bottleneckPrefix(encoder, i, attention, name);
                w.put(p + "adapter_down.0.weight", Tensor.normal(rnd, 0.02f, b, h));
                w.put(p + "adapter_down.0.bias", Tensor.zeros(b));
                w.put(p + "adapter_up.weight", Tensor.normal(rnd, 0.02f, h, b));
                w.put(p + "adapter_up.bias", Tensor.zeros(h));
            }
        }
        return w;
    }

    private static Bottleneck load(
            Params params, Map<String, Tensor> w, String prefix, int h, int b, String nonLinearity) {
        Tensor down = w.get(prefix + "adapter_down.0.weight");
        int bottleneck = down == null ? b : down.dim(0);
        Linear d = new Linear(
                params.take(w, prefix + "adapter_down.0.weight", bottleneck, h),
                params.take(w, prefix + "adapter_down.0.bias", bottleneck));
        Linear u = new Linear(
                params.take(w, prefix + "adapter_up.weight", h, bottleneck),
                params.take(w, prefix + "adapter_up.bias", h));
        for (Param p : List.of(d.weight(), d.bias(), u.weight(), u.bias())) {
            p.setTrainable(true);
        }
        return new Bottleneck(d, u, nonLinearity, 1f);
    }

    /** PEFT's key for a LoRA matrix: {@code base_model.model.bert.encoder.layer.{i}.attention.self.{target}.lora_A.weight}. */
    public static String loraKey(BertEncoder encoder, int layer, String target, String matrix) {
        return "base_model.model." + modelPrefix(encoder)
                + encoder.config().family().projectionModule(layer, target) + "." + matrix + ".weight";
    }

    /**
     * Adds LoRA on the attention's query and/or value projections with PEFT semantics: A ~ kaiming-uniform
     * (bound 1/√in), B = 0, scaling = alpha / r (or alpha / √r with rsLoRA).
     */
    public static void addLora(
            BertEncoder encoder,
            int r,
            float alpha,
            float dropout,
            List<String> targets,
            boolean rsLora,
            Map<String, Tensor> weights,
            long seed) {
        float scaling = rsLora ? (float) (alpha / Math.sqrt(r)) : alpha / r;
        addLora(encoder, dropout, targets, weights, seed, key -> r, key -> scaling);
    }

    /**
     * Adds a saved LoRA with its config's per-module ranks and alphas (PEFT's rank_pattern and alpha_pattern),
     * matched against each module's name in the PEFT model as {@link LoraConfig#rank(String)} describes.
     */
    public static void addLora(BertEncoder encoder, LoraConfig config, Map<String, Tensor> weights) {
        addLora(
                encoder,
                (float) config.loraDropout(),
                config.targetModules(),
                weights,
                0,
                key -> config.rank(LoraWeights.moduleName(key)),
                key -> (float) config.scaling(LoraWeights.moduleName(key)));
    }

    private static void addLora(
            BertEncoder encoder,
            float dropout,
            List<String> targets,
            Map<String, Tensor> weights,
            long seed,
            java.util.function.ToIntFunction<String> rankOf,
            java.util.function.Function<String, Float> scalingOf) {
        int h = encoder.config().hiddenSize();
        Random rnd = new Random(seed);
        Params params = encoder.params();
        for (int i = 0; i < encoder.layers().size(); i++) {
            BertLayer layer = encoder.layers().get(i);
            for (String target : targets) {
                String ka = loraKey(encoder, i, target, "lora_A");
                String kb = loraKey(encoder, i, target, "lora_B");
                String module = ka.substring(0, ka.length() - ".lora_A.weight".length());
                int r = rankOf.applyAsInt(module);
                float scaling = scalingOf.apply(module);
                Map<String, Tensor> w = weights;
                if (w == null) {
                    w = new LinkedHashMap<>();
                    Tensor a = Tensor.zeros(r, h);
                    float bound = (float) (1 / Math.sqrt(h));
                    for (int k = 0; k < a.numel(); k++) {
                        a.data()[k] = (rnd.nextFloat() * 2 - 1) * bound;
                    }
                    w.put(ka, a);
                    w.put(kb, Tensor.zeros(h, r));
                }
                Param pa = params.take(w, ka, r, h);
                Param pb = params.take(w, kb, h, r);
                pa.setTrainable(true);
                pb.setTrainable(true);
                // the family's own name (DistilBERT's q_lin) or mera's
                String slot = encoder.config().family().meraTarget(target);
                switch (slot == null ? target : slot) {
                    case "query" -> layer.setQuery(new LoraProjection(layer.query(), pa, pb, scaling, dropout));
                    case "value" -> layer.setValue(new LoraProjection(layer.value(), pa, pb, scaling, dropout));
                    default ->
                        throw new IllegalArgumentException(
                                "LoRA target '" + target + "' is not supported (query, value)");
                }
            }
        }
    }

    /** Makes every encoder weight trainable (full fine-tuning). */
    public static void unfreezeEncoder(BertEncoder encoder) {
        for (Param p : encoder.params().all()) {
            p.setTrainable(true);
        }
    }
}
