package org.mera.adapter.lora;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mera.adapter.MergeProvenance;
import org.mera.io.Tensor;

/**
 * A PEFT LoRA adapter: its config, the LoRA factor pairs of its target modules (keys
 * {@code base_model.model.bert.encoder.layer.{i}.attention.self.query.lora_A.weight} [r,H] and {@code lora_B.weight}
 * [H,r]), and any other tensors the file holds (e.g. a classifier in modules_to_save), kept apart because they
 * are not low-rank updates. {@code merge} is null unless the adapter was merged.
 */
public record LoraWeights(
        String name,
        LoraConfig config,
        List<LoraModule> modules,
        Map<String, Tensor> otherTensors,
        MergeProvenance merge) {
    /** What PEFT puts before a module's name in saved keys ({@code PeftModel.base_model.model}). */
    public static final String PEFT_PREFIX = "base_model.model.";

    public LoraWeights {
        modules = List.copyOf(modules);
        otherTensors = Collections.unmodifiableMap(new LinkedHashMap<>(otherTensors));
        if (modules.isEmpty()) {
            throw new IllegalArgumentException("LoRA adapter " + name + " has no lora_A/lora_B pairs");
        }
    }

    public static LoraWeights fromTensors(
            String name, LoraConfig config, Map<String, Tensor> tensors, MergeProvenance merge, String where) {
        Map<String, Tensor[]> pairs = new TreeMap<>(java.util.Comparator.comparing(LoraWeights::sortKey));
        Map<String, Tensor> other = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String k = e.getKey();
            int slot = k.endsWith(".lora_A.weight") ? 0 : k.endsWith(".lora_B.weight") ? 1 : -1;
            if (slot < 0) {
                other.put(k, e.getValue());
                continue;
            }
            String path = k.substring(0, k.length() - ".lora_A.weight".length());
            pairs.computeIfAbsent(path, p -> new Tensor[2])[slot] = e.getValue();
        }
        List<LoraModule> modules = new ArrayList<>();
        for (Map.Entry<String, Tensor[]> e : pairs.entrySet()) {
            String path = e.getKey();
            if (e.getValue()[0] == null) {
                throw new IllegalArgumentException(
                        where + ": missing tensor '" + path + ".lora_A.weight' (its lora_B is present)");
            }
            if (e.getValue()[1] == null) {
                throw new IllegalArgumentException(
                        where + ": missing tensor '" + path + ".lora_B.weight' (its lora_A is present)");
            }
            LoraModule m;
            try {
                m = new LoraModule(path, e.getValue()[0], e.getValue()[1]);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
            }
            int expected = config.rank(moduleName(path));
            if (m.rank() != expected) {
                throw new IllegalArgumentException(
                        where + ": tensor '" + m.keyA() + "' has shape " + m.a().shapeString()
                                + " (rank " + m.rank() + ") but the config says r=" + expected
                                + (expected == config.r() ? "" : " (rank_pattern)"));
            }
            modules.add(m);
        }
        if (modules.isEmpty()) {
            throw new IllegalArgumentException(where + ": holds no lora_A/lora_B tensors");
        }
        return new LoraWeights(name, config, modules, other, merge);
    }

    /** PEFT's name of the module a LoRA path belongs to: the path without {@code base_model.model.}. */
    public static String moduleName(String path) {
        return path.startsWith(PEFT_PREFIX) ? path.substring(PEFT_PREFIX.length()) : path;
    }

    /** The factor on B·A of {@code module}: its own lora_alpha and rank (alpha_pattern, rank_pattern). */
    public double scaling(LoraModule module) {
        return config.scaling(moduleName(module.path()));
    }

    /** Orders layer numbers numerically so layer 10 follows layer 9. */
    private static String sortKey(String path) {
        StringBuilder sb = new StringBuilder();
        for (String part : path.split("\\.")) {
            sb.append(
                            part.chars().allMatch(Character::isDigit) && !part.isEmpty()
                                    ? String.format("%08d", Long.parseLong(part))
                                    : part)
                    .append('.');
        }
        return sb.toString();
    }

    public LoraModule module(String path) {
        for (LoraModule m : modules) {
            if (m.path().equals(path)) {
                return m;
            }
        }
        throw new IllegalArgumentException("LoRA adapter " + name + " has no module " + path);
    }

    /** The LoRA factors under their PEFT keys, then the other tensors. */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (LoraModule m : modules) {
            out.put(m.keyA(), m.a());
            out.put(m.keyB(), m.b());
        }
        out.putAll(otherTensors);
        return out;
    }
}
