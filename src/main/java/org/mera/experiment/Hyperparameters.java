package org.mera.experiment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mera.data.TextEncoder;

/**
 * The resolved hyperparameters of one method: built-in defaults, then the config's {@code default}
 * section, then the config's section for the method. Values are normalised (integers stay Integer,
 * reals become Double) so that the cell key does not depend on how YAML spelled a number.
 */
public final class Hyperparameters {
    /**
     * How a hyperparameter is checked; {@code choices} only for {@link Kind#CHOICE}. {@code only} (null: any value) is the
     * one value the experiment runner supports, {@code unsupported} says why another is rejected: a setting that is part
     * of the cell key but not yet a real choice is refused here, up front, rather than ignored.
     */
    public record Spec(String name, Kind kind, List<String> choices, String meaning, Object only, String unsupported) {
        public Spec {
            choices = List.copyOf(choices);
        }

        public static Spec of(String name, Kind kind, String meaning) {
            return new Spec(name, kind, List.of(), meaning, null, null);
        }

        public static Spec choice(String name, String meaning, String... choices) {
            return new Spec(name, Kind.CHOICE, List.of(choices), meaning, null, null);
        }

        /** A setting with one supported value ({@code only}, as normalised: Integer or Double); {@code unsupported} says why. */
        public static Spec fixed(String name, Kind kind, String meaning, Object only, String unsupported) {
            return new Spec(name, kind, List.of(), meaning, only, unsupported);
        }
    }

    public enum Kind {
        POSITIVE_REAL,
        NON_NEGATIVE_REAL,
        FRACTION,
        POSITIVE_INT,
        NON_NEGATIVE_INT,
        CHOICE,
        TEXT,
        /** A non-empty list of distinct positive numbers, kept in ascending order. */
        POSITIVE_REAL_LIST
    }

    /**
     * Source adapters' default step budget: 2000 steps of 32 pool rows (7 passes over a 9,000-row pool, 29 over RTE's
     * 2,240), about 50 minutes for minilm on 2 CPU cores at its 1.4 s per step; with evaluation every 100 steps and a
     * patience of 5, a source stops 500 steps after its best pool-dev score, usually well before the budget.
     */
    public static final int SOURCE_STEP_BUDGET = 2000;

    /** Every key a config may set; a runner can add its own through {@link CellRunner#hyperparameterSpecs()}. */
    public static final Map<String, Spec> KNOWN;
    /** Built-in values per method ("default" applies to all methods); a config overrides any of them. */
    public static final Map<String, Map<String, Object>> BUILT_IN;

    static {
        Map<String, Spec> known = new LinkedHashMap<>();
        for (Spec s : List.of(
                Spec.of("lr", Kind.POSITIVE_REAL, "peak learning rate of the few-shot training"),
                Spec.of(
                        "lrGrid",
                        Kind.POSITIVE_REAL_LIST,
                        "learning rates each tried in full; the best k-shot dev score "
                                + "chooses one (LM-BFF's selection); unset = lr alone"),
                Spec.of("epochs", Kind.POSITIVE_INT, "passes over the few-shot training set (when steps = 0)"),
                Spec.of("steps", Kind.NON_NEGATIVE_INT, "optimizer steps; 0 = use epochs"),
                Spec.of("batchSize", Kind.POSITIVE_INT, "examples per optimizer step"),
                Spec.of("warmupRatio", Kind.FRACTION, "fraction of steps with linear warm-up"),
                Spec.of("weightDecay", Kind.NON_NEGATIVE_REAL, "AdamW weight decay"),
                Spec.fixed(
                        "maxLength",
                        Kind.POSITIVE_INT,
                        "maximum tokens per example",
                        TextEncoder.DEFAULT_MAX_LENGTH,
                        "this runner truncates at " + TextEncoder.DEFAULT_MAX_LENGTH + " tokens"),
                Spec.of("reductionFactor", Kind.POSITIVE_INT, "adapter bottleneck = hidden / reductionFactor"),
                Spec.fixed(
                        "patience",
                        Kind.NON_NEGATIVE_INT,
                        "early-stopping patience in evaluations on dev; 0 = off",
                        0,
                        "early stopping is not supported; the best dev checkpoint is kept instead"),
                Spec.of("evalEvery", Kind.NON_NEGATIVE_INT, "evaluate on dev every N steps; 0 = once per epoch"),
                Spec.of("sourceLr", Kind.POSITIVE_REAL, "learning rate when training a source adapter on its pool"),
                Spec.of(
                        "sourceEpochs",
                        Kind.POSITIVE_INT,
                        "step budget of a source adapter in passes over its pool (when sourceSteps = 0)"),
                Spec.of(
                        "sourceSteps",
                        Kind.NON_NEGATIVE_INT,
                        "step budget of a source adapter (an upper bound: it stops "
                                + "earlier once its pool-dev score stops improving); 0 = use sourceEpochs"),
                Spec.of("sourceBatchSize", Kind.POSITIVE_INT, "batch size for source adapters"),
                Spec.of(
                        "sourceEvalEvery",
                        Kind.NON_NEGATIVE_INT,
                        "score a source adapter on its pool dev split every N steps; " + "0 = once per epoch"),
                Spec.of(
                        "sourcePatience",
                        Kind.NON_NEGATIVE_INT,
                        "stop a source adapter after this many pool-dev evaluations "
                                + "without a better score; 0 = train the whole budget"),
                Spec.fixed(
                        "fusionRegularization",
                        Kind.NON_NEGATIVE_REAL,
                        "weight of sum ||I - V||^2 in AdapterFusion",
                        0.01,
                        "AdapterHub's dynamic fusion uses 0.01"),
                Spec.fixed(
                        "fusionTemperature",
                        Kind.POSITIVE_REAL,
                        "softmax temperature of AdapterFusion",
                        1.0,
                        "only temperature 1 is supported"),
                Spec.choice("otSolver", "exact transport or entropic approximation", "emd", "sinkhorn"),
                Spec.of("sinkhornReg", Kind.POSITIVE_REAL, "entropic regulariser of Sinkhorn"),
                Spec.choice("groundMetric", "distance between bottleneck neurons", "euclidean", "cosine"),
                Spec.choice("alignment", "align on weights or on activations", "wts", "acts"),
                Spec.of("alignmentExamples", Kind.POSITIVE_INT, "examples used for activation-based alignment"))) {
            known.put(s.name(), s);
        }
        KNOWN = Collections.unmodifiableMap(known);

        Map<String, Map<String, Object>> builtIn = new LinkedHashMap<>();
        builtIn.put(
                "default",
                ordered(
                        "lr",
                        1e-4,
                        "epochs",
                        20,
                        "steps",
                        0,
                        "batchSize",
                        8,
                        "warmupRatio",
                        0.06,
                        "weightDecay",
                        0.0,
                        "maxLength",
                        128,
                        "reductionFactor",
                        16,
                        "patience",
                        0,
                        "evalEvery",
                        0,
                        "sourceLr",
                        1e-3,
                        "sourceEpochs",
                        3,
                        "sourceSteps",
                        SOURCE_STEP_BUDGET,
                        "sourceBatchSize",
                        32,
                        "sourceEvalEvery",
                        100,
                        "sourcePatience",
                        5));
        builtIn.put(Method.FULL.id(), ordered("lr", 2e-5));
        builtIn.put(Method.FUSION.id(), ordered("lr", 5e-5, "fusionRegularization", 0.01, "fusionTemperature", 1.0));
        Map<String, Object> merge = ordered(
                "otSolver",
                "emd",
                "sinkhornReg",
                0.01,
                "groundMetric",
                "euclidean",
                "alignment",
                "wts",
                "alignmentExamples",
                64);
        builtIn.put(Method.MERA_OT.id(), merge);
        builtIn.put(Method.MERA_SAME_TRACK.id(), merge);
        builtIn.put(Method.MERA_AUTO.id(), merge);
        BUILT_IN = Collections.unmodifiableMap(builtIn);
    }

    private final Map<String, Object> values;

    private Hyperparameters(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /**
     * Resolves the hyperparameters of {@code method}. Problems (unknown keys, wrong types, out-of-range
     * values) are added to {@code problems}, each naming its config path; nothing is thrown so that all
     * problems of a config can be listed at once.
     */
    public static Hyperparameters resolve(
            Method method,
            Map<String, Map<String, Object>> configured,
            Map<String, Spec> specs,
            List<String> problems) {
        Map<String, Object> merged = new TreeMap<>();
        merged.putAll(BUILT_IN.getOrDefault("default", Map.of()));
        merged.putAll(BUILT_IN.getOrDefault(method.id(), Map.of()));
        for (String section : List.of("default", method.id())) {
            Map<String, Object> given = configured.getOrDefault(section, Map.of());
            for (Map.Entry<String, Object> e : given.entrySet()) {
                String path = "hyperparameters." + section + "." + e.getKey();
                Spec spec = specs.get(e.getKey());
                if (spec == null) {
                    problems.add(path + ": unknown hyperparameter (known: " + String.join(", ", specs.keySet()) + ")");
                    continue;
                }
                Object normalised = normalise(spec, e.getValue(), path, problems);
                if (normalised != null && spec.only() != null && !spec.only().equals(normalised)) {
                    problems.add(path + ": " + spec.unsupported());
                } else if (normalised != null) {
                    merged.put(e.getKey(), normalised);
                }
            }
        }
        return new Hyperparameters(merged);
    }

    /** Checks the section names of a config's hyperparameters block. */
    public static void checkSections(Map<String, Map<String, Object>> configured, List<String> problems) {
        for (String section : configured.keySet()) {
            if (!section.equals("default") && Method.fromId(section).isEmpty()) {
                problems.add("hyperparameters." + section + ": not a method (use 'default' or one of: "
                        + Method.knownIds() + ")");
            }
        }
    }

    private static Object normalise(Spec spec, Object value, String path, List<String> problems) {
        if (value == null) {
            problems.add(path + ": no value given");
            return null;
        }
        switch (spec.kind()) {
            case POSITIVE_INT, NON_NEGATIVE_INT -> {
                if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                    problems.add(path + ": expected a whole number, got '" + value + "'");
                    return null;
                }
                long v = n.longValue();
                if (v < 0 || (spec.kind() == Kind.POSITIVE_INT && v == 0) || v > Integer.MAX_VALUE) {
                    problems.add(path + ": " + v + " is out of range ("
                            + (spec.kind() == Kind.POSITIVE_INT ? "> 0" : ">= 0") + ")");
                    return null;
                }
                return (int) v;
            }
            case POSITIVE_REAL, NON_NEGATIVE_REAL, FRACTION -> {
                if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                    problems.add(path + ": expected a number, got '" + value + "'");
                    return null;
                }
                double v = n.doubleValue();
                boolean ok = switch (spec.kind()) {
                    case POSITIVE_REAL -> v > 0;
                    case NON_NEGATIVE_REAL -> v >= 0;
                    default -> v >= 0 && v < 1;
                };
                if (!ok) {
                    String range = spec.kind() == Kind.POSITIVE_REAL
                            ? "> 0"
                            : spec.kind() == Kind.NON_NEGATIVE_REAL ? ">= 0" : "in [0, 1)";
                    problems.add(path + ": " + v + " is out of range (" + range + ")");
                    return null;
                }
                return v;
            }
            case POSITIVE_REAL_LIST -> {
                if (!(value instanceof List<?> list) || list.isEmpty()) {
                    problems.add(path + ": expected a non-empty list of numbers, e.g. [1.0e-4, 3.0e-4, 1.0e-3], got '"
                            + value + "'");
                    return null;
                }
                java.util.TreeSet<Double> sorted = new java.util.TreeSet<>();
                for (Object x : list) {
                    if (!(x instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() <= 0) {
                        problems.add(path + ": '" + x + "' is not a number > 0");
                        return null;
                    }
                    if (!sorted.add(n.doubleValue())) {
                        problems.add(path + ": " + x + " is listed twice");
                        return null;
                    }
                }
                return List.copyOf(sorted);
            }
            case CHOICE -> {
                if (!spec.choices().contains(String.valueOf(value))) {
                    problems.add(path + ": '" + value + "' is not one of " + spec.choices());
                    return null;
                }
                return String.valueOf(value);
            }
            default -> {
                if (!(value instanceof String)) {
                    problems.add(path + ": expected text, got '" + value + "'");
                    return null;
                }
                return value;
            }
        }
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** All values, sorted by key. */
    public Map<String, Object> asMap() {
        return values;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public double getDouble(String key) {
        Object v = require(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("hyperparameter " + key + " is not a number: " + v);
        }
        return n.doubleValue();
    }

    public int getInt(String key) {
        Object v = require(key);
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IllegalArgumentException("hyperparameter " + key + " is not a whole number: " + v);
        }
        return n.intValue();
    }

    /** A {@link Kind#POSITIVE_REAL_LIST} value, ascending. */
    public List<Double> getDoubleList(String key) {
        Object v = require(key);
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException("hyperparameter " + key + " is not a list: " + v);
        }
        return list.stream().map(x -> ((Number) x).doubleValue()).toList();
    }

    public String getString(String key) {
        return String.valueOf(require(key));
    }

    private Object require(String key) {
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException(
                    "hyperparameter '" + key + "' is not set (set: " + values.keySet() + ")");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hyperparameters h && h.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
