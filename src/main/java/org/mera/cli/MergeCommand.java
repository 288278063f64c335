package org.mera.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mera.adapter.AdapterKind;
import org.mera.adapter.bottleneck.AdapterHubDirectory;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.lora.LoraWeights;
import org.mera.adapter.lora.PeftLoraDirectory;
import org.mera.io.AtomicFiles;
import org.mera.merge.MergeMethod;
import org.mera.merge.MergeMethods;
import org.mera.merge.MergeOptions;
import org.mera.merge.MergeRecipe;
import org.mera.merge.OtMerge;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mera merge}: merges AdapterHub bottleneck adapters (ot, average, sum, task-arithmetic, ties, dare, ...)
 * or PEFT LoRA adapters (svd, linear, cat) from directories, or as a mergekit-like YAML recipe says.
 * Command-line options override the recipe's values.
 */
@Command(name = "merge", mixinStandardHelpOptions = true)
public final class MergeCommand implements Callable<Integer> {
    CommandLine.Model.CommandSpec spec;

    /** The description lists the merge registry's methods, so a newly registered method shows in --help by itself. */
    @CommandLine.Spec
    void spec(CommandLine.Model.CommandSpec spec) {
        this.spec = spec;
        spec.usageMessage().description(description());
    }

    static String[] description() {
        return new String[] {
            "Merge pretrained adapters into one adapter (MerA).",
            "Bottleneck (AdapterHub) methods: " + String.join(", ", MergeMethods.names(AdapterKind.BOTTLENECK)) + ".",
            "LoRA (PEFT) methods: " + String.join(", ", MergeMethods.names(AdapterKind.LORA)) + "."
        };
    }

    @Option(names = "--method", description = "merge method (default: ot for bottleneck adapters, svd for LoRA)")
    String method;

    @Option(
            names = "--anchor",
            description = "ot: the anchor adapter's name, or 'iterative' (default: the first source)")
    String anchor;

    @Option(names = "--weights", split = ",", paramLabel = "W", description = "one weight per source, e.g. 0.5,0.3,0.2")
    List<Double> weights;

    @Option(names = "--no-normalize", description = "use the weights as given instead of dividing them by their sum")
    Boolean noNormalize;

    @Option(
            names = "--sinkhorn-reg",
            description = "ot: use entropic (Sinkhorn) transport with this regulariser, relative to the largest cost")
    Double sinkhornReg;

    @Option(names = "--metric", description = "ot ground metric: euclidean (squared, default) or cosine")
    String metric;

    @Option(
            names = "--max-iterations",
            description = "ot with --anchor iterative: bound on re-alignment rounds (default 20)")
    Integer maxIterations;

    @Option(
            names = "--density",
            paramLabel = "FRACTION",
            description =
                    "magnitude-prune, ties, dare, dare-linear, dare-ties (required for these): fraction of entries "
                            + "kept, in (0, 1]")
    Double density;

    @Option(
            names = "--majority-sign",
            paramLabel = "total|frequency",
            description = "ties, dare-ties: how the sign is elected, by total mass (default) or by count")
    String majoritySign;

    @Option(names = "--seed", description = "dare, dare-linear, dare-ties: seed of the random drop masks (default 0)")
    Long seed;

    @Option(names = "--rank", description = "LoRA svd: rank of the merged adapter (default: the largest source rank)")
    Integer rank;

    @Option(names = "--name", description = "name of the merged adapter (default: merged)")
    String name;

    @Option(
            names = "--report",
            paramLabel = "FILE.md",
            description = "ot: also write the alignment report as a Markdown table to this file")
    Path report;

    @Option(
            names = "--recipe",
            paramLabel = "FILE.yaml",
            description = "YAML recipe: method, name, output, sources (path, weight), parameters")
    Path recipe;

    @Option(names = "--out", paramLabel = "DIR", description = "output adapter directory")
    Path out;

    @Parameters(arity = "0..*", paramLabel = "ADAPTER_DIR", description = "source adapter directories (2 or more)")
    List<Path> sources = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        return CommandErrors.run(
                "merge",
                spec.commandLine().getErr(),
                () -> run(spec.commandLine().getOut()));
    }

    private int run(PrintWriter stdout) throws IOException {
        MergeRecipe given = new MergeRecipe(
                null,
                method,
                name,
                out,
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
                noNormalize == null ? null : !noNormalize);
        MergeRecipe r = recipe == null ? given : given.orElse(MergeRecipe.read(recipe));
        List<Path> dirs = r.sources() == null ? List.of() : r.sources();
        AdapterKind kind = dirs.isEmpty() ? AdapterKind.BOTTLENECK : kindOf(dirs);
        String m = r.methodOr(kind == AdapterKind.LORA ? "svd" : "ot");
        List<String> problems = r.problems(m, kind);
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), problems.get(0));
        }
        for (String warning : r.warnings()) {
            spec.commandLine().getErr().println("mera merge: warning: " + warning);
        }
        MergeOptions o = r.options();
        try (var claimed = org.mera.io.OutputLock.directory(r.output())) {
            return merge(stdout, r, kind, m, o);
        }
    }

    /** PEFT LoRA directories merge as LoRA, all others as bottleneck adapters; the two kinds cannot be merged together. */
    private static AdapterKind kindOf(List<Path> dirs) throws IOException {
        boolean lora = PeftLoraDirectory.isPeftLora(dirs.get(0));
        for (Path dir : dirs) {
            if (PeftLoraDirectory.isPeftLora(dir) != lora) {
                throw new IllegalArgumentException(dir + ": is " + (lora ? "not " : "") + "a PEFT LoRA adapter, unlike "
                        + dirs.get(0) + "; bottleneck and LoRA adapters cannot be merged together");
            }
        }
        return lora ? AdapterKind.LORA : AdapterKind.BOTTLENECK;
    }

    private int merge(PrintWriter stdout, MergeRecipe r, AdapterKind kind, String m, MergeOptions o)
            throws IOException {
        Path out = r.output();
        if (kind == AdapterKind.LORA) {
            MergeMethods.LoraMergeMethod method = MergeMethods.lora(m);
            List<LoraWeights> loras = new ArrayList<>();
            for (Path dir : r.sources()) {
                loras.add(PeftLoraDirectory.read(dir));
            }
            LoraWeights merged = method.merge(loras, o);
            PeftLoraDirectory.write(out, merged);
            stdout.printf(
                    Locale.ROOT,
                    "merged %d LoRA adapters %s with %s -> %s (r=%d, %d modules)%n",
                    loras.size(),
                    loras.stream().map(LoraWeights::name).toList(),
                    m,
                    out,
                    merged.config().r(),
                    merged.modules().size());
            int dropped = loras.stream().mapToInt(l -> l.otherTensors().size()).sum();
            if (dropped > 0) {
                stdout.printf(
                        Locale.ROOT,
                        "note: %d non-LoRA tensors (e.g. task heads) in the sources are task-specific and were not merged%n",
                        dropped);
            }
            stdout.flush();
            return 0;
        }
        MergeMethod method = MergeMethods.get(m);
        List<AdapterWeights> adapters = new ArrayList<>();
        for (Path dir : r.sources()) {
            adapters.add(AdapterHubDirectory.read(dir));
        }
        AdapterWeights merged;
        if (method instanceof OtMerge ot) {
            OtMerge.Result result = ot.mergeWithReport(adapters, o);
            merged = result.merged();
            AdapterHubDirectory.write(out, merged);
            printSummary(stdout, adapters, merged, m);
            stdout.print(result.report().summary());
            if (report != null) {
                AtomicFiles.writeString(report, result.report().toMarkdown());
                stdout.println("alignment report: " + report);
            }
        } else {
            merged = method.merge(adapters, o);
            AdapterHubDirectory.write(out, merged);
            printSummary(stdout, adapters, merged, m);
        }
        stdout.flush();
        return 0;
    }

    private static void printSummary(
            PrintWriter stdout, List<AdapterWeights> adapters, AdapterWeights merged, String m) {
        stdout.printf(
                Locale.ROOT,
                "merged %d adapters %s with %s -> %s (%s, %d layers, bottleneck %d, %,d parameters)%n",
                adapters.size(),
                adapters.stream().map(AdapterWeights::name).toList(),
                m,
                merged.name(),
                merged.config().kind(),
                merged.numLayers(),
                merged.bottleneckSize(),
                merged.parameterCount());
        stdout.printf(
                Locale.ROOT,
                "weights %s, parameters %s%n",
                merged.merge().weights(),
                merged.merge().parameters());
    }
}
