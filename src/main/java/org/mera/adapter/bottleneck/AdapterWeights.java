package org.mera.adapter.bottleneck;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mera.adapter.AdapterLocation;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.MergeProvenance;
import org.mera.io.Tensor;
import org.mera.model.ModelFamily;

/**
 * A bottleneck adapter: its name, config, the encoder it belongs to, and its weights in AdapterHub key
 * naming ({@code <prefix>encoder.layer.{i}.[attention.]output.adapters.{name}.adapter_down.0.weight}, ...,
 * with prefix e.g. {@code bert.} or {@code roberta.}). The weights are validated into {@link BottleneckUnit}s
 * on construction, so every instance is well formed. {@code merge} is null unless the adapter was merged.
 */
public final class AdapterWeights {
    // BERT / RoBERTa sites (encoder.layer.N.[attention.]output) or DistilBERT's
    // (transformer.layer.N.{attention,output}_adapters)
    private static final Pattern KEY = Pattern.compile(
            "^(.*?)(?:encoder|transformer)\\.layer\\.(\\d+)\\.(attention\\.output|output|attention_adapters|output_adapters)"
                    + "\\.adapters\\.([^.]+)\\."
                    + "(adapter_down\\.0\\.weight|adapter_down\\.0\\.bias|adapter_up\\.weight|adapter_up\\.bias)$");

    private final String name;
    private final BottleneckConfig config;
    private final EncoderInfo encoder;
    private final String version;
    private final String keyPrefix;
    private final List<BottleneckUnit> units;
    private final MergeProvenance merge;

    private AdapterWeights(
            String name,
            BottleneckConfig config,
            EncoderInfo encoder,
            String version,
            String keyPrefix,
            List<BottleneckUnit> units,
            MergeProvenance merge) {
        this.name = name;
        this.config = config;
        this.encoder = encoder;
        this.version = version;
        this.keyPrefix = keyPrefix;
        this.units = List.copyOf(units);
        this.merge = merge;
    }

    /** Builds an adapter from its units; keys are derived from {@code keyPrefix} and {@code name}. */
    public static AdapterWeights of(
            String name,
            BottleneckConfig config,
            EncoderInfo encoder,
            String version,
            String keyPrefix,
            List<BottleneckUnit> units,
            MergeProvenance merge) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("adapter name must be non-empty and contain no '.', got '" + name + "'");
        }
        if (units.isEmpty()) {
            throw new IllegalArgumentException("adapter " + name + " has no bottleneck units");
        }
        List<BottleneckUnit> sorted = new ArrayList<>(units);
        sorted.sort(Comparator.comparingInt(BottleneckUnit::layer).thenComparing(BottleneckUnit::location));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).layer() == sorted.get(i - 1).layer()
                    && sorted.get(i).location() == sorted.get(i - 1).location()) {
                throw new IllegalArgumentException(
                        "adapter " + name + ": two units at " + sorted.get(i).label());
            }
        }
        for (BottleneckUnit u : sorted) {
            if (u.hiddenSize() != encoder.hiddenSize()) {
                throw new IllegalArgumentException("adapter " + name + ": " + u.label() + " has hidden size "
                        + u.hiddenSize() + " but hidden_size is " + encoder.hiddenSize());
            }
            if ((u.location() == AdapterLocation.ATTENTION && !config.mhAdapter())
                    || (u.location() == AdapterLocation.OUTPUT && !config.outputAdapter())) {
                throw new IllegalArgumentException("adapter " + name + ": has weights at " + u.label()
                        + " but the config (mh_adapter=" + config.mhAdapter() + ", output_adapter="
                        + config.outputAdapter() + ") puts no adapter there");
            }
        }
        return new AdapterWeights(name, config, encoder, version, keyPrefix, sorted, merge);
    }

    /**
     * Parses AdapterHub-named tensors. {@code where} names the file for errors. Every tensor must belong to
     * adapter {@code name}; a unit missing one of its four tensors is an error naming the key.
     */
    public static AdapterWeights fromTensors(
            String name,
            BottleneckConfig config,
            EncoderInfo encoder,
            String version,
            Map<String, Tensor> tensors,
            MergeProvenance merge,
            String where) {
        String prefix = null;
        Map<String, Map<String, Tensor>> byUnit = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Matcher m = KEY.matcher(e.getKey());
            if (!m.matches()) {
                throw new IllegalArgumentException(where + ": tensor '" + e.getKey()
                        + "' is not a bottleneck adapter weight (expected <prefix>encoder.layer.{i}.[attention.]output"
                        + ".adapters.{name}.adapter_down.0.{weight,bias} or adapter_up.{weight,bias})");
            }
            if (!m.group(4).equals(name)) {
                throw new IllegalArgumentException(where + ": tensor '" + e.getKey() + "' belongs to adapter '"
                        + m.group(4) + "' but the config names the adapter '" + name + "'");
            }
            if (prefix == null) {
                prefix = m.group(1);
            } else if (!prefix.equals(m.group(1))) {
                throw new IllegalArgumentException(where + ": tensor '" + e.getKey() + "' has key prefix '" + m.group(1)
                        + "' but earlier tensors use '" + prefix + "'");
            }
            String site = m.group(3).equals("attention_adapters")
                    ? "attention.output"
                    : m.group(3).equals("output_adapters") ? "output" : m.group(3);
            String unit = String.format("%05d|%s", Integer.parseInt(m.group(2)), site);
            byUnit.computeIfAbsent(unit, k -> new LinkedHashMap<>()).put(m.group(5), e.getValue());
        }
        if (prefix == null) {
            throw new IllegalArgumentException(where + ": holds no adapter tensors");
        }
        List<BottleneckUnit> units = new ArrayList<>();
        for (Map.Entry<String, Map<String, Tensor>> e : byUnit.entrySet()) {
            int layer = Integer.parseInt(e.getKey().substring(0, 5));
            AdapterLocation loc = AdapterLocation.ofKeySegment(e.getKey().substring(6));
            Map<String, Tensor> parts = e.getValue();
            for (String part :
                    List.of("adapter_down.0.weight", "adapter_down.0.bias", "adapter_up.weight", "adapter_up.bias")) {
                if (!parts.containsKey(part)) {
                    throw new IllegalArgumentException(
                            where + ": missing tensor '" + key(prefix, layer, loc, name, part) + "'");
                }
            }
            try {
                units.add(new BottleneckUnit(
                        layer,
                        loc,
                        parts.get("adapter_down.0.weight"),
                        parts.get("adapter_down.0.bias"),
                        parts.get("adapter_up.weight"),
                        parts.get("adapter_up.bias")));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(where + ": adapter " + name + ", " + ex.getMessage(), ex);
            }
        }
        try {
            return of(name, config, encoder, version, prefix, units, merge);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The AdapterHub key of one tensor, e.g. {@code bert.encoder.layer.0.output.adapters.mrpc.adapter_up.weight}; the
     * module path is the family's whose key prefix {@code prefix} is ({@link ModelFamily#bottleneckSite}).
     */
    public static String key(String prefix, int layer, AdapterLocation location, String adapterName, String part) {
        return prefix + ModelFamily.forKeyPrefix(prefix).bottleneckSite(layer, location == AdapterLocation.ATTENTION)
                + ".adapters." + adapterName + "." + part;
    }

    public String name() {
        return name;
    }

    public BottleneckConfig config() {
        return config;
    }

    public EncoderInfo encoder() {
        return encoder;
    }

    /** The adapters-library version recorded in adapter_config.json (may be null). */
    public String version() {
        return version;
    }

    /** The model prefix of the keys, e.g. {@code bert.}. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** Units in (layer, location) order. */
    public List<BottleneckUnit> units() {
        return units;
    }

    public MergeProvenance merge() {
        return merge;
    }

    public BottleneckUnit unit(int layer, AdapterLocation location) {
        for (BottleneckUnit u : units) {
            if (u.layer() == layer && u.location() == location) {
                return u;
            }
        }
        throw new IllegalArgumentException(
                "adapter " + name + " has no unit at layer " + layer + " " + location.keySegment());
    }

    /** The number of transformer layers the adapter spans (highest layer index + 1). */
    public int numLayers() {
        return units.get(units.size() - 1).layer() + 1;
    }

    /** The bottleneck width, which must be the same in every unit. */
    public int bottleneckSize() {
        int b = units.get(0).bottleneckSize();
        for (BottleneckUnit u : units) {
            if (u.bottleneckSize() != b) {
                throw new IllegalStateException("adapter " + name + " has bottleneck " + b + " at "
                        + units.get(0).label() + " but " + u.bottleneckSize() + " at " + u.label());
            }
        }
        return b;
    }

    public long parameterCount() {
        long n = 0;
        for (BottleneckUnit u : units) {
            n += u.downWeight().numel()
                    + u.downBias().numel()
                    + u.upWeight().numel()
                    + u.upBias().numel();
        }
        return n;
    }

    /** All weights under their AdapterHub keys, in (layer, location, down, up) order. */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (BottleneckUnit u : units) {
            out.put(key(keyPrefix, u.layer(), u.location(), name, "adapter_down.0.weight"), u.downWeight());
            out.put(key(keyPrefix, u.layer(), u.location(), name, "adapter_down.0.bias"), u.downBias());
            out.put(key(keyPrefix, u.layer(), u.location(), name, "adapter_up.weight"), u.upWeight());
            out.put(key(keyPrefix, u.layer(), u.location(), name, "adapter_up.bias"), u.upBias());
        }
        return Collections.unmodifiableMap(out);
    }

    /** The same adapter under another name (keys follow the name). */
    public AdapterWeights renamed(String newName) {
        return of(newName, config, encoder, version, keyPrefix, units, merge);
    }

    @Override
    public String toString() {
        return "AdapterWeights[" + name + ", " + config.kind() + ", " + encoder.modelName() + ", " + units.size()
                + " units, b=" + units.get(0).bottleneckSize() + "]";
    }
}
