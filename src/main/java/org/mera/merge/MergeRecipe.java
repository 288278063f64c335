package org.mera.merge;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mera.adapter.AdapterKind;
import org.mera.io.Json;
import org.mera.io.NearestName;

/**
 * What to merge and how: a mergekit-like YAML recipe ({@code method, name, output, sources: [path | {path, weight}],
 * parameters: {...}}), or the same fields from {@code mera merge}'s options. Every field may be unset (null);
 * {@link #orElse} lets one recipe (the command line) override another (the file). Parsing and validation live here,
 * before any adapter is read; the parameter names are the registry's ({@link MergeMethods#allParameters()}).
 *
 * @param origin the recipe file, for messages (null for the command line)
 */
public record MergeRecipe(
        Path origin,
        String method,
        String name,
        Path output,
        List<Path> sources,
        List<Double> weights,
        String anchor,
        Double sinkhornReg,
        String metric,
        Integer maxIterations,
        Double density,
        String majoritySign,
        Long seed,
        Integer rank,
        Boolean normalize) {
    static final List<String> FIELDS = List.of("method", "name", "output", "sources", "parameters");

    public MergeRecipe {
        sources = sources == null ? null : List.copyOf(sources);
        weights = weights == null ? null : List.copyOf(weights);
    }

    /** This recipe's values, with each unset one taken from {@code fallback} (the command line over the file). */
    public MergeRecipe orElse(MergeRecipe fallback) {
        if (fallback.sources != null && sources != null && !sources.isEmpty()) {
            throw new IllegalArgumentException(
                    fallback.origin + ": the recipe lists sources; do not also give ADAPTER_DIR arguments");
        }
        return new MergeRecipe(
                origin != null ? origin : fallback.origin,
                or(method, fallback.method),
                or(name, fallback.name),
                or(output, fallback.output),
                sources != null && !sources.isEmpty() ? sources : or(fallback.sources, sources),
                or(weights, fallback.weights),
                or(anchor, fallback.anchor),
                or(sinkhornReg, fallback.sinkhornReg),
                or(metric, fallback.metric),
                or(maxIterations, fallback.maxIterations),
                or(density, fallback.density),
                or(majoritySign, fallback.majoritySign),
                or(seed, fallback.seed),
                or(rank, fallback.rank),
                or(normalize, fallback.normalize));
    }

    private static <T> T or(T a, T b) {
        return a != null ? a : b;
    }

    /** The method to run: the given one, else the kind's default (svd for LoRA, ot for bottleneck adapters). */
    public String methodOr(String kindDefault) {
        return (method == null ? kindDefault : method).toLowerCase(Locale.ROOT);
    }

    /**
     * What is missing or inconsistent before anything is read: fewer than two sources, no output, a method that needs
     * a density without one (a method unknown for {@code kind} is left to the registry's lookup, which lists the known
     * ones). Empty when the recipe can run; each line names the option or field.
     */
    public List<String> problems(String resolvedMethod, AdapterKind kind) {
        List<String> out = new ArrayList<>();
        int n = sources == null ? 0 : sources.size();
        if (n < 2) {
            out.add("give at least 2 source adapter directories (got " + n + ")");
        }
        if (output == null) {
            out.add("--out DIR is required (or 'output' in the recipe)");
        }
        boolean needsDensity = MergeMethods.find(resolvedMethod)
                .filter(m -> m.kind() == kind && m.needsDensity())
                .isPresent();
        if (needsDensity && density == null) {
            out.add("method " + resolvedMethod + " needs --density (fraction kept, e.g. 0.5)");
        }
        return out;
    }

    /** Negative weights subtract their adapter (task negation): worth a warning, not an error. One line per weight. */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        if (weights != null) {
            for (int i = 0; i < weights.size(); i++) {
                if (weights.get(i) < 0) {
                    out.add(String.format(
                            Locale.ROOT,
                            "weight %s of source %s is negative: the merge subtracts that adapter "
                                    + "(task negation); give a positive weight if that is not meant",
                            weights.get(i),
                            sources != null && i < sources.size() ? sources.get(i) : "#" + (i + 1)));
                }
            }
        }
        return out;
    }

    /** The merge options this recipe sets, over {@link MergeOptions#defaults()}. */
    public MergeOptions options() {
        MergeOptions o = MergeOptions.defaults().withOutputName(name == null ? "merged" : name);
        if (weights != null) {
            o = o.withWeights(weights);
        }
        if (normalize != null && !normalize) {
            o = o.withNormalize(false);
        }
        if (anchor != null) {
            o = o.withAnchor(anchor);
        }
        if (sinkhornReg != null) {
            o = o.withSinkhorn(sinkhornReg);
        }
        if (metric != null) {
            o = o.withMetric(GroundMetric.parse(metric));
        }
        if (maxIterations != null) {
            o = o.withMaxIterations(maxIterations);
        }
        if (density != null) {
            o = o.withDensity(density);
        }
        if (majoritySign != null) {
            o = o.withMajoritySignMethod(majoritySign);
        }
        if (seed != null) {
            o = o.withSeed(seed);
        }
        if (rank != null) {
            o = o.withSvdRank(rank);
        }
        return o;
    }

    /** Reads and checks a YAML recipe; every error names the file and the field. Paths are relative to the file. */
    public static MergeRecipe read(Path file) throws IOException {
        JsonNode root;
        try {
            root = Json.YAML.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(
                    file + ": a recipe must be a YAML map (method, sources, parameters, output)");
        }
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException(file + ": unknown recipe field '" + f + "'"
                        + NearestName.hint(f, FIELDS) + " (known: " + String.join(", ", FIELDS) + ")");
            }
        }
        Path base = file.toAbsolutePath().getParent();
        String method = root.hasNonNull("method") ? root.get("method").asText() : null;
        String name = root.hasNonNull("name") ? root.get("name").asText() : null;
        Path output =
                root.hasNonNull("output") ? base.resolve(root.get("output").asText()) : null;
        List<Path> sources = null;
        List<Double> weights = null;
        if (root.has("sources")) {
            JsonNode src = root.get("sources");
            if (!src.isArray()) {
                throw new IllegalArgumentException(file + ": 'sources' must be a list");
            }
            sources = new ArrayList<>();
            List<Double> ws = new ArrayList<>();
            boolean anyWeight = false;
            for (JsonNode s : src) {
                if (s.isTextual()) {
                    sources.add(base.resolve(s.textValue()));
                    ws.add(1.0);
                } else if (s.isObject() && s.hasNonNull("path")) {
                    for (var fields = s.fieldNames(); fields.hasNext(); ) {
                        String f = fields.next();
                        if (!f.equals("path") && !f.equals("weight")) {
                            throw new IllegalArgumentException(file + ": source "
                                    + s.get("path").asText() + " has unknown field '" + f + "'"
                                    + NearestName.hint(f, List.of("path", "weight")) + " (known: path, weight)");
                        }
                    }
                    sources.add(base.resolve(s.get("path").asText()));
                    if (s.has("weight")) {
                        if (!s.get("weight").isNumber()) {
                            throw new IllegalArgumentException(
                                    file + ": source " + s.get("path").asText() + " has a non-numeric weight");
                        }
                        anyWeight = true;
                        ws.add(s.get("weight").doubleValue());
                    } else {
                        ws.add(1.0);
                    }
                } else {
                    throw new IllegalArgumentException(
                            file + ": each source must be a path or {path: ..., weight: ...}, got " + s);
                }
            }
            weights = anyWeight ? ws : null;
        }
        String anchor = null;
        String metric = null;
        String majoritySign = null;
        Double sinkhornReg = null;
        Double density = null;
        Integer maxIterations = null;
        Integer rank = null;
        Long seed = null;
        Boolean normalize = null;
        JsonNode p = root.get("parameters");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                throw new IllegalArgumentException(file + ": 'parameters' must be a map");
            }
            List<String> known = MergeMethods.allParameters();
            for (var it = p.properties().iterator(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = e.getValue();
                switch (e.getKey()) {
                    case "anchor" -> anchor = v.asText();
                    case "sinkhorn_reg" -> sinkhornReg = number(file, e.getKey(), v);
                    case "metric" -> metric = v.asText();
                    case "max_iterations" -> maxIterations = (int) number(file, e.getKey(), v);
                    case "density" -> density = number(file, e.getKey(), v);
                    case "majority_sign_method" -> majoritySign = v.asText();
                    case "seed" -> seed = (long) number(file, e.getKey(), v);
                    case "rank" -> rank = (int) number(file, e.getKey(), v);
                    case "normalize" -> {
                        if (!v.isBoolean()) {
                            throw new IllegalArgumentException(
                                    file + ": parameter 'normalize' must be true or false, got " + v);
                        }
                        normalize = v.booleanValue();
                    }
                    default ->
                        throw new IllegalArgumentException(file + ": unknown parameter '" + e.getKey() + "'"
                                + NearestName.hint(e.getKey(), known) + " (known: " + String.join(", ", known) + ")");
                }
            }
        }
        return new MergeRecipe(
                file,
                method,
                name,
                output,
                sources,
                weights,
                anchor,
                sinkhornReg,
                metric,
                maxIterations,
                density,
                majoritySign,
                seed,
                rank,
                normalize);
    }

    private static double number(Path file, String key, JsonNode v) {
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new IllegalArgumentException(file + ": parameter '" + key + "' must be a finite number, got " + v);
        }
        return v.doubleValue();
    }
}
