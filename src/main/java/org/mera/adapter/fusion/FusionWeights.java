package org.mera.adapter.fusion;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mera.adapter.AdapterLocation;
import org.mera.adapter.EncoderInfo;
import org.mera.io.Tensor;
import org.mera.model.ModelFamily;

/**
 * Saved AdapterFusion weights: the fusion's name (the fused adapters' names joined by commas, as AdapterHub's
 * {@code Fuse} names it), its config, the encoder, and tensors under AdapterHub keys
 * {@code <prefix>encoder.layer.{i}.[attention.]output.adapter_fusion_layer.{name}.{query,key}.{weight,bias}}
 * and {@code ...value.weight}. Keys are validated on construction.
 */
public final class FusionWeights {
    static final Pattern KEY = Pattern.compile(
            "^(.*?)(?:encoder|transformer)\\.layer\\.(\\d+)\\.(attention\\.output|output|attention_adapters|output_adapters)"
                    + "\\.adapter_fusion_layer\\.([^.]+)\\."
                    + "(query\\.weight|query\\.bias|key\\.weight|key\\.bias|value\\.weight)$");

    private final String name;
    private final FusionConfig config;
    private final EncoderInfo encoder;
    private final String version;
    private final String keyPrefix;
    private final Map<String, Tensor> tensors;

    public FusionWeights(
            String name,
            FusionConfig config,
            EncoderInfo encoder,
            String version,
            Map<String, Tensor> tensors,
            String where) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(
                    where + ": fusion name must be non-empty and contain no '.', got '" + name + "'");
        }
        String prefix = null;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Matcher m = KEY.matcher(e.getKey());
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        where + ": tensor '" + e.getKey() + "' is not an AdapterFusion weight "
                                + "(expected <prefix>encoder.layer.{i}.[attention.]output.adapter_fusion_layer.{name}."
                                + "{query,key}.{weight,bias} or value.weight)");
            }
            if (!m.group(4).equals(name)) {
                throw new IllegalArgumentException(where + ": tensor '" + e.getKey() + "' belongs to fusion '"
                        + m.group(4) + "' but the config names the fusion '" + name + "'");
            }
            if (prefix == null) {
                prefix = m.group(1);
            } else if (!prefix.equals(m.group(1))) {
                throw new IllegalArgumentException(where + ": tensor '" + e.getKey() + "' has key prefix '" + m.group(1)
                        + "' but earlier tensors use '" + prefix + "'");
            }
            int h = encoder.hiddenSize();
            int[] expected = e.getKey().endsWith(".weight") ? new int[] {h, h} : new int[] {h};
            if (!java.util.Arrays.equals(e.getValue().shape(), expected)) {
                throw new IllegalArgumentException(where + ": tensor '" + e.getKey() + "' has shape "
                        + e.getValue().shapeString() + ", expected " + java.util.Arrays.toString(expected)
                        + " (hidden_size " + h + ")");
            }
        }
        if (prefix == null) {
            throw new IllegalArgumentException(where + ": holds no AdapterFusion tensors");
        }
        this.name = name;
        this.config = config;
        this.encoder = encoder;
        this.version = version;
        this.keyPrefix = prefix;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /**
     * The key of one fusion tensor, e.g. {@code bert.encoder.layer.0.output.adapter_fusion_layer.a,b.query.weight}, at the
     * site of the family whose key prefix {@code prefix} is ({@link ModelFamily#bottleneckSite}).
     */
    public static String key(String prefix, int layer, AdapterLocation location, String fusionName, String part) {
        return prefix + ModelFamily.forKeyPrefix(prefix).bottleneckSite(layer, location == AdapterLocation.ATTENTION)
                + ".adapter_fusion_layer." + fusionName + "." + part;
    }

    public String name() {
        return name;
    }

    public FusionConfig config() {
        return config;
    }

    public EncoderInfo encoder() {
        return encoder;
    }

    /** AdapterHub's version string, or null. */
    public String version() {
        return version;
    }

    /** The model prefix of the keys, e.g. {@code bert.}. */
    public String keyPrefix() {
        return keyPrefix;
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The fused adapters' names, in fusion order. */
    public java.util.List<String> adapterNames() {
        return java.util.List.of(name.split(","));
    }

    /** The tensors re-keyed from this file's model prefix to {@code prefix}. */
    public Map<String, Tensor> tensorsWithPrefix(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(prefix + k.substring(keyPrefix.length()), v));
        return out;
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.numel();
        }
        return n;
    }
}
