package org.mera.merge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mera.adapter.AdapterKind;
import org.mera.adapter.lora.LoraWeights;

/**
 * The merge-method registry (mergekit's {@code merge_methods/registry.py}): one flat list of pure functions over typed
 * adapter weights, looked up by name. {@code mera merge}, merge recipes ({@link MergeRecipe}) and the experiment grid's
 * {@code mera-*} methods all read this list; adding a method is one file (its {@link MergeMethod}) plus one line in
 * {@link #REGISTERED}.
 */
public final class MergeMethods {
    /**
     * One registered method.
     *
     * @param name         the name in {@code --method}, recipes and results
     * @param kind         the adapter kind it merges: {@link AdapterKind#BOTTLENECK} ({@link #bottleneck}) or
     *                     {@link AdapterKind#LORA} ({@link #lora})
     * @param parameters   the recipe parameters (and CLI options) it reads, besides weights and normalize
     * @param needsDensity whether a {@code density} must be given (no sensible default)
     * @param summary      one line for --help and the docs
     */
    public record Registered(
            String name,
            AdapterKind kind,
            List<String> parameters,
            boolean needsDensity,
            String summary,
            MergeMethod bottleneck,
            LoraMergeMethod lora) {
        public Registered {
            parameters = List.copyOf(parameters);
        }
    }

    /** A way to merge N ≥ 2 LoRA adapters; pure like {@link MergeMethod}. */
    @FunctionalInterface
    public interface LoraMergeMethod {
        LoraWeights merge(List<LoraWeights> sources, MergeOptions options);
    }

    private static final List<String> OT_PARAMETERS = List.of("anchor", "sinkhorn_reg", "metric", "max_iterations");

    /** The registry: one line per method. */
    private static final List<Registered> REGISTERED = List.of(
            bottleneck(
                    "ot",
                    new OtMerge(),
                    OT_PARAMETERS,
                    false,
                    "align neurons by optimal transport to an anchor, then average"),
            bottleneck(
                    "average",
                    LinearMerge.average(),
                    List.of(),
                    false,
                    "weighted average (weights normalised to sum 1)"),
            bottleneck(
                    "sum",
                    LinearMerge.sum(),
                    List.of(),
                    false,
                    "weighted sum (the paper's sum; weights not normalised)"),
            bottleneck(
                    "task-arithmetic",
                    new TaskVectorMerge(TaskVectorMerge.Kind.TASK_ARITHMETIC),
                    List.of(),
                    false,
                    "sum of weighted task vectors"),
            bottleneck(
                    "magnitude-prune",
                    new TaskVectorMerge(TaskVectorMerge.Kind.MAGNITUDE_PRUNE),
                    List.of("density"),
                    true,
                    "keep each task vector's largest entries, then sum"),
            bottleneck(
                    "ties",
                    new TaskVectorMerge(TaskVectorMerge.Kind.TIES),
                    List.of("density", "majority_sign_method"),
                    true,
                    "TIES: prune, elect signs, average the agreeing entries"),
            bottleneck(
                    "dare",
                    new TaskVectorMerge(TaskVectorMerge.Kind.DARE_LINEAR),
                    List.of("density", "seed"),
                    true,
                    "DARE: random drop and rescale, then sum (= dare-linear)"),
            bottleneck(
                    "dare-linear",
                    new TaskVectorMerge(TaskVectorMerge.Kind.DARE_LINEAR),
                    List.of("density", "seed"),
                    true,
                    "DARE: random drop and rescale, then sum"),
            bottleneck(
                    "dare-ties",
                    new TaskVectorMerge(TaskVectorMerge.Kind.DARE_TIES),
                    List.of("density", "seed", "majority_sign_method"),
                    true,
                    "DARE drop, then TIES sign election"),
            lora(
                    "svd",
                    (s, o) -> LoraMerge.merge("svd", s, o),
                    List.of("rank"),
                    "ΔW = Σ w·s·B·A, truncated SVD to a rank"),
            lora(
                    "linear",
                    (s, o) -> LoraMerge.merge("linear", s, o),
                    List.of(),
                    "A and B averaged (equal ranks; not ΔW-exact)"),
            lora(
                    "cat",
                    (s, o) -> LoraMerge.merge("cat", s, o),
                    List.of(),
                    "A and B concatenated: rank Σ r, exactly ΔW"));

    private static final Map<String, Registered> BY_NAME;

    static {
        Map<String, Registered> m = new LinkedHashMap<>();
        for (Registered r : REGISTERED) {
            if (m.put(r.name(), r) != null) {
                throw new IllegalStateException("merge method '" + r.name() + "' registered twice");
            }
        }
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private MergeMethods() {}

    private static Registered bottleneck(
            String name, MergeMethod m, List<String> parameters, boolean needsDensity, String summary) {
        return new Registered(name, AdapterKind.BOTTLENECK, parameters, needsDensity, summary, m, null);
    }

    private static Registered lora(String name, LoraMergeMethod m, List<String> parameters, String summary) {
        return new Registered(name, AdapterKind.LORA, parameters, false, summary, null, m);
    }

    private static String normalise(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Every registered method, in registry order. */
    public static List<Registered> all() {
        return REGISTERED;
    }

    /** The registered method called {@code name} (any case, '_' for '-'), if any. */
    public static Optional<Registered> find(String name) {
        return Optional.ofNullable(BY_NAME.get(normalise(name)));
    }

    /** The method called {@code name} for adapters of {@code kind}; an error listing that kind's methods otherwise. */
    public static Registered get(String name, AdapterKind kind) {
        Registered r = BY_NAME.get(normalise(name));
        if (r == null || r.kind() != kind) {
            throw new IllegalArgumentException("unknown merge method '" + name + "' for "
                    + (kind == AdapterKind.LORA ? "LoRA adapters" : "bottleneck adapters") + " (known: "
                    + String.join(", ", names(kind)) + ")");
        }
        return r;
    }

    /** The bottleneck-adapter method called {@code name}. */
    public static MergeMethod get(String name) {
        return get(name, AdapterKind.BOTTLENECK).bottleneck();
    }

    /** The LoRA method called {@code name}. */
    public static LoraMergeMethod lora(String name) {
        return get(name, AdapterKind.LORA).lora();
    }

    /** The bottleneck-adapter methods' names. */
    public static Set<String> names() {
        return names(AdapterKind.BOTTLENECK);
    }

    public static Set<String> names(AdapterKind kind) {
        Set<String> out = new LinkedHashSet<>();
        REGISTERED.stream().filter(r -> r.kind() == kind).forEach(r -> out.add(r.name()));
        return Collections.unmodifiableSet(out);
    }

    /** Methods whose result depends on {@code density}. */
    public static boolean usesDensity(String name) {
        return find(name).map(Registered::needsDensity).orElse(false);
    }

    /** Every recipe parameter some method reads, plus the ones all methods read; the recipe schema. */
    static List<String> allParameters() {
        List<String> out = new ArrayList<>();
        for (Registered r : REGISTERED) {
            for (String p : r.parameters()) {
                if (!out.contains(p)) {
                    out.add(p);
                }
            }
        }
        out.add("normalize");
        return out;
    }

    /** The methods of {@code kind}, one "name: summary" line each, for --help and error messages. */
    public static List<String> describe(AdapterKind kind) {
        return REGISTERED.stream()
                .filter(r -> r.kind() == kind)
                .map(r -> r.name() + ": " + r.summary())
                .toList();
    }
}
