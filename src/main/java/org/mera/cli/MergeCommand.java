package org.mera.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.lora.LoraWeights;
import org.mera.adapter.bottleneck.AdapterHubDirectory;
import org.mera.io.AtomicFiles;
import org.mera.adapter.lora.PeftLoraDirectory;
import org.mera.merge.GroundMetric;
import org.mera.merge.LoraMerge;
import org.mera.merge.MergeMethods;
import org.mera.merge.MergeOptions;
import org.mera.merge.OtMerge;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mera merge}: merges AdapterHub bottleneck adapters (ot, average, sum, task-arithmetic, ties, dare, ...)
 * or PEFT LoRA adapters (svd, linear, cat) from directories, or as a mergekit-like YAML recipe says.
 * Command-line options override the recipe's values.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Merge pretrained adapters into one adapter (MerA).",
                "Bottleneck (AdapterHub) methods: ot, average, sum, task-arithmetic, ties, dare, dare-ties, magnitude-prune.",
                "LoRA (PEFT) methods: svd, linear, cat."})
public final class MergeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--method", description = "merge method (default: ot for bottleneck adapters, svd for LoRA)")
    String method;

    @Option(names = "--anchor", description = "ot: the anchor adapter's name, or 'iterative' (default: the first source)")
    String anchor;

    @Option(names = "--weights", split = ",", description = "one weight per source, e.g. 0.5,0.3,0.2")
    List<Double> weights;

    @Option(names = "--no-normalize", description = "use the weights as given instead of dividing them by their sum")
    Boolean noNormalize;

    @Option(names = "--sinkhorn-reg", description = "ot: use entropic (Sinkhorn) transport with this regulariser, relative to the largest cost")
    Double sinkhornReg;

    @Option(names = "--metric", description = "ot ground metric: euclidean (squared, default) or cosine")
    String metric;

    @Option(names = "--max-iterations", description = "ot with --anchor iterative: bound on re-alignment rounds (default 20)")
    Integer maxIterations;

    @Option(names = "--density", description = "ties/dare/magnitude-prune: fraction of entries kept, in (0, 1]")
    Double density;

    @Option(names = "--majority-sign", description = "ties: total (default) or frequency")
    String majoritySign;

    @Option(names = "--seed", description = "dare: seed of the random drop masks (default 0)")
    Long seed;

    @Option(names = "--rank", description = "LoRA svd: rank of the merged adapter (default: the largest source rank)")
    Integer rank;

    @Option(names = "--name", description = "name of the merged adapter (default: merged)")
    String name;

    @Option(names = "--report", description = "ot: also write the alignment report as a Markdown table to this file")
    Path report;

    @Option(names = "--recipe", description = "YAML recipe: method, name, output, sources (path, weight), parameters")
    Path recipe;

    @Option(names = "--out", description = "output adapter directory")
    Path out;

    @Parameters(arity = "0..*", paramLabel = "ADAPTER_DIR", description = "source adapter directories (2 or more)")
    List<Path> sources = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        return CommandErrors.run("merge", spec.commandLine().getErr(), () -> run(spec.commandLine().getOut()));
    }

    private int run(PrintWriter stdout) throws IOException {
        List<Double> recipeWeights = null;
        if (recipe != null) {
            recipeWeights = applyRecipe(recipe);
        }
        if (sources.size() < 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give at least 2 source adapter directories (got "
                    + sources.size() + ")");
        }
        if (out == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out DIR is required (or 'output' in the recipe)");
        }
        MergeOptions o = MergeOptions.defaults().withOutputName(name == null ? "merged" : name);
        List<Double> w = weights != null ? weights : recipeWeights;
        if (w != null) {
            o = o.withWeights(w);
            for (int i = 0; i < w.size(); i++) {
                if (w.get(i) < 0) {
                    spec.commandLine().getErr().printf(Locale.ROOT, "mera merge: warning: weight %s of source %s is negative: "
                            + "the merge subtracts that adapter (task negation); give a positive weight if that is not meant%n",
                            w.get(i), i < sources.size() ? sources.get(i) : "#" + (i + 1));
                }
            }
        }
        if (noNormalize != null && noNormalize) {
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

        try (var claimed = org.mera.io.OutputLock.directory(out)) {
            return merge(stdout, o);
        }
    }

    private int merge(PrintWriter stdout, MergeOptions o) throws IOException {
        boolean lora = PeftLoraDirectory.isPeftLora(sources.get(0));
        for (Path dir : sources) {
            if (PeftLoraDirectory.isPeftLora(dir) != lora) {
                throw new IllegalArgumentException(dir + ": is " + (lora ? "not " : "") + "a PEFT LoRA adapter, unlike "
                        + sources.get(0) + "; bottleneck and LoRA adapters cannot be merged together");
            }
        }
        String m = (method == null ? (lora ? "svd" : "ot") : method).toLowerCase(Locale.ROOT);
        if (lora) {
            List<LoraWeights> loras = new ArrayList<>();
            for (Path dir : sources) {
                loras.add(PeftLoraDirectory.read(dir));
            }
            LoraWeights merged = LoraMerge.merge(m, loras, o);
            PeftLoraDirectory.write(out, merged);
            stdout.printf(Locale.ROOT, "merged %d LoRA adapters %s with %s -> %s (r=%d, %d modules)%n", loras.size(),
                    loras.stream().map(LoraWeights::name).toList(), m, out, merged.config().r(), merged.modules().size());
            int dropped = loras.stream().mapToInt(l -> l.otherTensors().size()).sum();
            if (dropped > 0) {
                stdout.printf(Locale.ROOT, "note: %d non-LoRA tensors (e.g. task heads) in the sources are task-specific and were not merged%n", dropped);
            }
            stdout.flush();
            return 0;
        }
        if (MergeMethods.usesDensity(m) && density == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "method " + m + " needs --density (fraction kept, e.g. 0.5)");
        }
        List<AdapterWeights> adapters = new ArrayList<>();
        for (Path dir : sources) {
            adapters.add(AdapterHubDirectory.read(dir));
        }
        AdapterWeights merged;
        if (m.equals("ot")) {
            OtMerge.Result r = new OtMerge().mergeWithReport(adapters, o);
            merged = r.merged();
            AdapterHubDirectory.write(out, merged);
            printSummary(stdout, adapters, merged, m);
            stdout.print(r.report().summary());
            if (report != null) {
                AtomicFiles.writeString(report, r.report().toMarkdown());
                stdout.println("alignment report: " + report);
            }
        } else {
            merged = MergeMethods.get(m).merge(adapters, o);
            AdapterHubDirectory.write(out, merged);
            printSummary(stdout, adapters, merged, m);
        }
        stdout.flush();
        return 0;
    }

    private static void printSummary(PrintWriter stdout, List<AdapterWeights> adapters, AdapterWeights merged, String m) {
        stdout.printf(Locale.ROOT, "merged %d adapters %s with %s -> %s (%s, %d layers, bottleneck %d, %,d parameters)%n",
                adapters.size(), adapters.stream().map(AdapterWeights::name).toList(), m, merged.name(),
                merged.config().kind(), merged.numLayers(), merged.bottleneckSize(), merged.parameterCount());
        stdout.printf(Locale.ROOT, "weights %s, parameters %s%n", merged.merge().weights(), merged.merge().parameters());
    }

    private static final List<String> RECIPE_FIELDS = List.of("method", "name", "output", "sources", "parameters");
    private static final List<String> RECIPE_PARAMETERS = List.of("anchor", "sinkhorn_reg", "metric", "max_iterations", "density",
            "majority_sign_method", "seed", "rank", "normalize");

    /** Fills unset options from the recipe; returns the recipe's weights (null if none given). */
    private List<Double> applyRecipe(Path file) throws IOException {
        JsonNode root;
        try {
            root = org.mera.io.Json.YAML.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": a recipe must be a YAML map (method, sources, parameters, output)");
        }
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("method", "name", "output", "sources", "parameters").contains(f)) {
                throw new IllegalArgumentException(file + ": unknown recipe field '" + f + "'"
                        + org.mera.io.NearestName.hint(f, RECIPE_FIELDS) + " (known: method, name, output, sources, parameters)");
            }
        }
        Path base = file.toAbsolutePath().getParent();
        if (method == null && root.hasNonNull("method")) {
            method = root.get("method").asText();
        }
        if (name == null && root.hasNonNull("name")) {
            name = root.get("name").asText();
        }
        if (out == null && root.hasNonNull("output")) {
            out = base.resolve(root.get("output").asText());
        }
        List<Double> w = null;
        if (root.has("sources")) {
            if (!sources.isEmpty()) {
                throw new IllegalArgumentException(file + ": the recipe lists sources; do not also give ADAPTER_DIR arguments");
            }
            JsonNode src = root.get("sources");
            if (!src.isArray()) {
                throw new IllegalArgumentException(file + ": 'sources' must be a list");
            }
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
                            throw new IllegalArgumentException(file + ": source " + s.get("path").asText() + " has unknown field '"
                                    + f + "'" + org.mera.io.NearestName.hint(f, List.of("path", "weight")) + " (known: path, weight)");
                        }
                    }
                    sources.add(base.resolve(s.get("path").asText()));
                    if (s.has("weight")) {
                        if (!s.get("weight").isNumber()) {
                            throw new IllegalArgumentException(file + ": source " + s.get("path").asText() + " has a non-numeric weight");
                        }
                        anyWeight = true;
                        ws.add(s.get("weight").doubleValue());
                    } else {
                        ws.add(1.0);
                    }
                } else {
                    throw new IllegalArgumentException(file + ": each source must be a path or {path: ..., weight: ...}, got " + s);
                }
            }
            w = anyWeight ? ws : null;
        }
        JsonNode p = root.get("parameters");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                throw new IllegalArgumentException(file + ": 'parameters' must be a map");
            }
            for (var it = p.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = e.getValue();
                switch (e.getKey()) {
                    case "anchor" -> anchor = anchor != null ? anchor : v.asText();
                    case "sinkhorn_reg" -> sinkhornReg = sinkhornReg != null ? sinkhornReg : number(file, e.getKey(), v);
                    case "metric" -> metric = metric != null ? metric : v.asText();
                    case "max_iterations" -> maxIterations = maxIterations != null ? maxIterations : (int) number(file, e.getKey(), v);
                    case "density" -> density = density != null ? density : number(file, e.getKey(), v);
                    case "majority_sign_method" -> majoritySign = majoritySign != null ? majoritySign : v.asText();
                    case "seed" -> seed = seed != null ? seed : (long) number(file, e.getKey(), v);
                    case "rank" -> rank = rank != null ? rank : (int) number(file, e.getKey(), v);
                    case "normalize" -> {
                        if (noNormalize == null) {
                            if (!v.isBoolean()) {
                                throw new IllegalArgumentException(file + ": parameter 'normalize' must be true or false, got " + v);
                            }
                            noNormalize = !v.booleanValue();
                        }
                    }
                    default -> throw new IllegalArgumentException(file + ": unknown parameter '" + e.getKey() + "'"
                            + org.mera.io.NearestName.hint(e.getKey(), RECIPE_PARAMETERS) + " (known: "
                            + String.join(", ", Arrays.asList("anchor", "sinkhorn_reg", "metric", "max_iterations", "density",
                            "majority_sign_method", "seed", "rank", "normalize")) + ")");
                }
            }
        }
        return w;
    }

    private static double number(Path file, String key, JsonNode v) {
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new IllegalArgumentException(file + ": parameter '" + key + "' must be a finite number, got " + v);
        }
        return v.doubleValue();
    }
}
