package org.mera.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mera.data.GlueTasks;
import org.mera.data.Task;
import org.mera.data.wordnet.WordNetSuite;
import org.mera.data.wordnet.WordNetTasks;
import org.mera.experiment.ArtifactCache;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.ValidationException;
import org.mera.experiment.cell.MeraCellRunner;
import org.mera.experiment.report.ReportWriter;
import org.mera.model.ModelCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mera demo}: a complete MerA study on built-in real tasks (derived from WordNet 3.1, shipped by Maven
 * Central): source adapters trained per track, merged, fine-tuned 16-shot on held-out targets, compared with
 * the baselines; prints the table and writes the HTML report. Cached work is reused on a second run.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        header = "Run a complete MerA study on the built-in WordNet tasks, or on GLUE with --glue.",
        description = {
            "Run a complete MerA study on the built-in WordNet tasks (or a GLUE directory with --glue):",
            "train source adapters, merge them (average, OT, same-track), fine-tune 16-shot on held-out target tasks,",
            "compare with full fine-tuning, adapter tuning, single adapters and AdapterFusion; print the table and",
            "write an HTML report. A second run reuses everything already computed."
        })
public final class DemoCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--glue",
            paramLabel = "DIR",
            description = "run on a GLUE directory laid out like shared/data/glue "
                    + "(targets MRPC and RTE, all eight tasks as sources) instead of the WordNet suite")
    Path glue;

    @Option(names = "--model", defaultValue = "minilm", description = "encoder (default: ${DEFAULT-VALUE})")
    String model;

    @Option(
            names = "--seeds",
            split = ",",
            defaultValue = "13,21",
            description = "k-shot split seeds (default: ${DEFAULT-VALUE})")
    List<Integer> seeds;

    @Option(
            names = "--tracks",
            split = ",",
            defaultValue = "lexical-relations,definitions",
            description =
                    "WordNet tracks to study (lexical-relations, definitions, context; not with --glue); default: ${DEFAULT-VALUE}, "
                            + "which keeps the demo near five minutes on two quiet cores once minilm is cached")
    List<String> tracksWanted;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "results and report folder (default: $MERA_HOME/demo/wordnet or .../glue)")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path home = ModelCatalog.defaultHome();
        Path dataRoot;
        List<String> targets = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        Map<String, List<String>> tracks = new LinkedHashMap<>();
        Map<String, Map<String, Object>> hyper = new LinkedHashMap<>();
        if (glue == null) {
            for (String t : tracksWanted) {
                WordNetTasks.track(t);
            }
            dataRoot = wordNetSuite(home, System.err, "mera demo");
            for (WordNetTasks.Track t : WordNetTasks.TRACKS) {
                if (!tracksWanted.contains(t.name())) {
                    continue;
                }
                targets.add(t.target().name());
                List<String> members = new ArrayList<>();
                t.sources().forEach(s -> {
                    sources.add(s.name());
                    members.add(s.name());
                });
                members.add(t.target().name());
                tracks.put(t.name(), members);
            }
            hyper.put(
                    "default",
                    ordered(
                            "lr",
                            1e-3,
                            "steps",
                            60,
                            "batchSize",
                            8,
                            "evalEvery",
                            6,
                            "sourceLr",
                            3e-3,
                            "sourceSteps",
                            150,
                            "sourceBatchSize",
                            32));
        } else {
            if (spec != null && spec.commandLine().getParseResult().hasMatchedOption("--tracks")) {
                System.err.println("mera demo: --tracks picks WordNet tracks; with --glue the targets are MRPC and RTE"
                        + " and every GLUE task is a source (for other targets: mera experiment --target ... --data "
                        + glue + ")");
                return 2;
            }
            dataRoot = glue.toAbsolutePath().normalize();
            targets.addAll(List.of("MRPC", "RTE"));
            for (Task t : GlueTasks.ALL) {
                sources.add(t.name());
                tracks.computeIfAbsent(t.track(), k -> new ArrayList<>()).add(t.name());
            }
            // one pass over each (cleaned) pool at most: a demo, not the converged sources of a real grid
            hyper.put(
                    "default",
                    ordered(
                            "lr",
                            1e-3,
                            "epochs",
                            20,
                            "batchSize",
                            8,
                            "sourceLr",
                            1e-3,
                            "sourceEpochs",
                            1,
                            "sourceSteps",
                            0,
                            "sourceBatchSize",
                            32));
        }
        hyper.put("full", ordered("lr", 5e-5));
        hyper.put("fusion", ordered("lr", 5e-4));
        Path output = out != null ? out.toAbsolutePath() : home.resolve(glue == null ? "demo/wordnet" : "demo/glue");
        ExperimentConfig config = new ExperimentConfig(
                glue == null ? "mera demo (WordNet tasks)" : "mera demo (GLUE)",
                dataRoot,
                output,
                home.resolve("cache"),
                List.of(model),
                targets,
                List.of(16),
                seeds,
                List.of("full", "adapter", "single", "fusion", "mera-average", "mera-ot", "mera-same-track"),
                sources,
                false,
                tracks,
                Map.of(),
                hyper,
                List.of());
        MeraCellRunner runner = new MeraCellRunner(new ArtifactCache(config.effectiveCacheDir()), true);
        try {
            ExperimentRunner.Summary s = new ExperimentRunner(config, runner)
                    .progressTo(System.err, true)
                    .run();
            ReportWriter.Output report = ReportWriter.write(output);
            System.out.println();
            System.out.print(ReportSummary.of(Files.readString(report.markdown())));
            System.out.println("report: " + report.html());
            System.out.println(
                    "cells: " + s.cellsRun() + " run now, " + s.cellsDoneBefore() + " reused from earlier runs");
            return s.failures().isEmpty() ? 0 : 1;
        } catch (ValidationException e) {
            System.err.println("mera demo: " + e.getMessage());
            return 2;
        }
    }

    /**
     * The WordNet task suite under {@code home} ({@code demo/wordnet-suite}), generated (seed 42) when missing or made by
     * an older generator: the demo's data, and the built-in WordNet tasks' data for {@code mera experiment} without
     * {@code --data}.
     */
    static Path wordNetSuite(Path home, java.io.PrintStream log, String who) throws java.io.IOException {
        Path root = home.resolve("demo/wordnet-suite");
        if (!WordNetSuite.isCurrent(root, 42)) {
            log.println(who + ": generating the WordNet task suite into " + root);
            WordNetSuite.write(root, 42);
        }
        return root;
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
