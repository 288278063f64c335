package org.mera.adapter.bottleneck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mera.io.ConfigJson;
import org.mera.io.Json;

/**
 * An AdapterHub bottleneck adapter config (the {@code "config"} object of adapter_config.json).
 * {@link #pfeiffer()} is {@code seq_bn}, {@link #houlsby()} is {@code double_seq_bn}. Fields this type does
 * not model (phm_*, inv_adapter, ...) are kept in {@code extra} and written back unchanged.
 */
public record BottleneckConfig(
        boolean mhAdapter,
        boolean outputAdapter,
        double reductionFactor,
        String nonLinearity,
        boolean originalLnBefore,
        boolean originalLnAfter,
        boolean residualBeforeLn,
        boolean adapterResidualBeforeLn,
        boolean lnBefore,
        boolean lnAfter,
        String initWeights,
        boolean isParallel,
        double scaling,
        boolean useGating,
        List<Integer> leaveOut,
        Map<String, JsonNode> extra) {

    private static final Set<String> KNOWN = Set.of(
            "mh_adapter",
            "output_adapter",
            "reduction_factor",
            "non_linearity",
            "original_ln_before",
            "original_ln_after",
            "residual_before_ln",
            "adapter_residual_before_ln",
            "ln_before",
            "ln_after",
            "init_weights",
            "is_parallel",
            "scaling",
            "use_gating",
            "leave_out");

    public BottleneckConfig {
        if (!(reductionFactor > 0)) {
            throw new IllegalArgumentException("reduction_factor must be positive, got " + reductionFactor);
        }
        if (!nonLinearity.equals("relu")
                && !nonLinearity.equals("swish")
                && !nonLinearity.equals("gelu")
                && !nonLinearity.equals("tanh")
                && !nonLinearity.equals("silu")) {
            throw new IllegalArgumentException(
                    "non_linearity must be relu, swish, silu, gelu or tanh, got '" + nonLinearity + "'");
        }
        leaveOut = List.copyOf(leaveOut);
        extra = Map.copyOf(extra);
    }

    /** Pfeiffer ({@code seq_bn}): one adapter after the feed-forward block, relu, reduction 16. */
    public static BottleneckConfig pfeiffer() {
        return new BottleneckConfig(
                false, true, 16, "relu", true, true, true, false, false, false, "bert", false, 1.0, false, List.of(),
                Map.of());
    }

    /** Houlsby ({@code double_seq_bn}): adapters after attention and after the feed-forward block, swish. */
    public static BottleneckConfig houlsby() {
        return new BottleneckConfig(
                true, true, 16, "swish", false, true, true, false, false, false, "bert", false, 1.0, false, List.of(),
                Map.of());
    }

    /** {@code seq_bn}, {@code double_seq_bn}, or {@code custom} for other layouts. */
    public String kind() {
        if (outputAdapter && !mhAdapter && originalLnBefore) {
            return "seq_bn";
        }
        if (outputAdapter && mhAdapter && !originalLnBefore) {
            return "double_seq_bn";
        }
        return "custom";
    }

    /**
     * Refuses a config whose computation mera does not model, naming the key and value: mera computes AdapterHub's
     * {@code seq_bn} ({@code LN(h + up(act(down(LN(h + x)))) + x)}: original_ln_before, residual_before_ln and
     * original_ln_after all true, output adapter only) and {@code double_seq_bn} ({@code LN(h + up(act(down(h))) + x)}
     * after attention and feed-forward: original_ln_before false, original_ln_after true; residual_before_ln then
     * makes no difference), with scaling 1, no gating, no extra layer norms, sequential, plain linear projections,
     * on every layer. Keys that only matter for training (dropout, init_weights, stochastic_depth) or for other
     * architectures (cross_adapter) pass, as do phm_* settings while phm_layer is false.
     */
    public void checkSupported() {
        if (!outputAdapter) {
            throw unsupported("output_adapter", false, "an adapter after the feed-forward block is required");
        }
        if (!originalLnAfter) {
            throw unsupported("original_ln_after", false, "the layer's own LayerNorm after the adapter is required");
        }
        if (mhAdapter && originalLnBefore) {
            throw unsupported("original_ln_before", true, "with mh_adapter true (double_seq_bn) it must be false");
        }
        if (!mhAdapter && !originalLnBefore) {
            throw unsupported("original_ln_before", false, "with mh_adapter false (seq_bn) it must be true");
        }
        if (originalLnBefore && !residualBeforeLn) {
            throw unsupported("residual_before_ln", false, "with original_ln_before true it must be true");
        }
        if (lnBefore) {
            throw unsupported("ln_before", true, "adapter-internal layer norms are not supported");
        }
        if (lnAfter) {
            throw unsupported("ln_after", true, "adapter-internal layer norms are not supported");
        }
        if (isParallel) {
            throw unsupported("is_parallel", true, "parallel adapters are not supported");
        }
        if (scaling != 1.0) {
            throw unsupported("scaling", scaling, "only scaling 1.0 is supported");
        }
        if (useGating) {
            throw unsupported("use_gating", true, "gated adapters are not supported");
        }
        if (!leaveOut.isEmpty()) {
            throw unsupported("leave_out", leaveOut, "adapters must be on every layer");
        }
        JsonNode phm = extra.get("phm_layer");
        if (phm != null && !phm.isNull() && !(phm.isBoolean() && !phm.booleanValue())) {
            throw unsupported("phm_layer", phm, "PHM (Compacter) projections are not supported");
        }
    }

    private static IllegalArgumentException unsupported(String key, Object value, String why) {
        return new IllegalArgumentException(
                "field '" + key + "' is " + value + ": not supported by mera (" + why + ")");
    }

    /** The bottleneck width for a given hidden size (AdapterHub: hidden // reduction_factor). */
    public int bottleneckSize(int hiddenSize) {
        return (int) Math.floor(hiddenSize / reductionFactor);
    }

    public static BottleneckConfig fromJson(JsonNode node, String where) {
        ConfigJson c = new ConfigJson(node, where);
        if (c.has("reduction_factor") && !c.node().get("reduction_factor").isNumber()) {
            throw new IllegalArgumentException(where + ": field 'reduction_factor' must be a number (per-layer "
                    + "reduction factors are not supported), got " + c.node().get("reduction_factor"));
        }
        if (c.has("scaling") && !c.node().get("scaling").isNumber()) {
            throw new IllegalArgumentException(where + ": field 'scaling' must be a number (learned or channel "
                    + "scaling is not supported), got " + c.node().get("scaling"));
        }
        BottleneckConfig p = pfeiffer();
        try {
            return new BottleneckConfig(
                    c.bool("mh_adapter", false),
                    c.bool("output_adapter", true),
                    c.number("reduction_factor", 16),
                    c.text("non_linearity", "relu").toLowerCase(java.util.Locale.ROOT),
                    c.bool("original_ln_before", false),
                    c.bool("original_ln_after", true),
                    c.bool("residual_before_ln", true),
                    c.bool("adapter_residual_before_ln", false),
                    c.bool("ln_before", false),
                    c.bool("ln_after", false),
                    c.text("init_weights", p.initWeights()),
                    c.bool("is_parallel", false),
                    c.number("scaling", 1.0),
                    c.bool("use_gating", false),
                    c.integers("leave_out"),
                    c.unknownFields(KNOWN));
        } catch (IllegalArgumentException e) {
            // The record's own checks (a value out of range) do not know the file: name it, as every other fault does.
            throw e.getMessage() != null && e.getMessage().startsWith(where)
                    ? e
                    : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.SORTED_PRETTY.createObjectNode();
        extra.forEach((k, v) -> o.set(k, v.deepCopy()));
        o.put("mh_adapter", mhAdapter);
        o.put("output_adapter", outputAdapter);
        if (reductionFactor == Math.rint(reductionFactor)) {
            o.put("reduction_factor", (int) reductionFactor);
        } else {
            o.put("reduction_factor", reductionFactor);
        }
        o.put("non_linearity", nonLinearity);
        o.put("original_ln_before", originalLnBefore);
        o.put("original_ln_after", originalLnAfter);
        o.put("residual_before_ln", residualBeforeLn);
        o.put("adapter_residual_before_ln", adapterResidualBeforeLn);
        o.put("ln_before", lnBefore);
        o.put("ln_after", lnAfter);
        o.put("init_weights", initWeights);
        o.put("is_parallel", isParallel);
        o.put("scaling", scaling);
        o.put("use_gating", useGating);
        var lo = o.putArray("leave_out");
        leaveOut.forEach(lo::add);
        return o;
    }
}
