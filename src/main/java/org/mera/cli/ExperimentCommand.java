package org.mera.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mera.experiment.ArtifactCache;
import org.mera.experiment.CellRunner;
import org.mera.experiment.CellRunnerFactory;
import org.mera.experiment.ConfigFileException;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.Grid;
import org.mera.experiment.ValidationException;
import org.mera.experiment.report.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mera experiment CONFIG.yaml [--out DIR]}: runs (or resumes) a grid, then writes its report. */
@Command(
        name = "experiment",
        mixinStandardHelpOptions = true,
        header = "Run an experiment grid from a YAML config, or the standard comparison on your task.",
        description = {
            "Run an experiment grid (encoder x task x k x seed x method) from a YAML config, or the standard comparison"
                    + " on your own task without one: mera experiment --target TASK_DIR --source ADAPTER_DIR... --out"
                    + " DIR [--save-best DIR].",
            "Finished cells are kept in DIR/results.jsonl: re-running the same command resumes (a source adapter killed "
                    + "in training from its last pool-dev evaluation), and after a config change only the cells whose "
                    + "inputs changed run again. A report is written to DIR/report/ at the end."
        })
public final class ExperimentCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "CONFIG.yaml",
            description = "experiment config (see docs/experiments.md); "
                    + "or leave it out and describe the comparison with --target, --source, --model...")
    Path config;

    @Option(
            names = "--target",
            paramLabel = "NAME_OR_DIR",
            description = "without a config: the task to learn few-shot, a built-in "
                    + "name or a task directory; repeatable")
    java.util.List<String> targets = new java.util.ArrayList<>();

    @Option(
            names = "--source",
            paramLabel = "DIR_OR_TASK[=TRACK]",
            description =
                    "without a config: a source, an adapter directory "
                            + "(mera, AdapterHub or PEFT LoRA) or a task to train a source adapter on (built-in name or task directory), with an "
                            + "optional track for same-track merging; repeatable (default: every built-in task with a pool under --data)")
    java.util.List<String> sources = new java.util.ArrayList<>();

    @Option(
            names = "--model",
            paramLabel = "MODEL",
            description = "without a config: the encoder(s) (default: minilm); repeatable")
    java.util.List<String> models = new java.util.ArrayList<>();

    @Option(
            names = "--methods",
            split = ",",
            paramLabel = "M",
            description =
                    "without a config: methods to compare (default: each of full, adapter, single, fusion, mera-average, "
                            + "mera-ot, mera-same-track, mera-auto that the sources allow and that would not repeat "
                            + "another's result, each left out with its reason; mera-sum only when named)")
    java.util.List<String> methods = new java.util.ArrayList<>();

    @Option(
            names = "--seeds",
            split = ",",
            description =
                    "without a config: split seeds (default: the target's k-shot seeds, else " + "13,21,42,87,100)")
    java.util.List<Integer> seeds = new java.util.ArrayList<>();

    @Option(
            names = "--k",
            description = "without a config: examples per class (default: the target's one k-shot K, else 16)")
    Integer k;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "without a config: the folder holding built-in tasks' data "
                    + "(e.g. a GLUE copy), if any target or source is a built-in name (default for the WordNet tasks: "
                    + "the suite mera demo generates, made on first use)")
    Path dataRoot;

    @Option(names = "--name", description = "without a config: the experiment's name (default: the first target's)")
    String name;

    @Option(
            names = "--hp",
            paramLabel = "KEY=VALUE",
            description = {
                "without a config: a hyperparameter for every method, or METHOD.KEY=VALUE for one; repeatable,",
                "e.g. full.lrGrid=[1e-5,3e-5] or steps=60 (docs/experiments.md).",
                "By default each method picks its learning rate on the k-shot dev split from a grid of three "
                        + "(full fine-tuning and fusion from lower ones); lr=X trains every cell at one rate"
            })
    java.util.Map<String, String> hp = new java.util.LinkedHashMap<>();

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (overrides outputDir in the config)")
    Path out;

    @Option(
            names = "--dry-run",
            description = "validate and list the grid (cells done / to import / to run) and the source adapters its"
                    + " cells need (to train / cached / partly trained), without training; writes nothing, --import included (the WordNet task suite aside, which"
                    + " built-in WordNet names have generated into $MERA_HOME on first use)")
    boolean dryRun;

    @Option(
            names = "--sources-only",
            description = "train the source adapters that the grid's unfinished cells need into its artifact cache, "
                    + "and run no cell (cells finished in an --import folder need none); two processes given the grid "
                    + "in opposite orders (e.g. a config and its part b) train different ones at once")
    boolean sourcesOnly;

    @Option(
            names = "--keep-going",
            description = "when a cell fails, continue with the others (it is retried next time)")
    boolean keepGoing;

    @Option(
            names = "--order",
            paramLabel = "ORDER",
            description = "the order cells run in: seed (default: every target at the first seed, then the next seed) "
                    + "or target (one target at every seed before the next, so its comparison is complete first); "
                    + "results do not depend on it")
    String order = "seed";

    @Option(names = "--no-report", description = "do not write the report at the end")
    boolean noReport;

    @Option(
            names = "--save-best",
            paramLabel = "DIR",
            description = "after the grid, keep the model a practitioner would: per target, the method with the best"
                    + " mean k-shot dev score over the seeds (each single source counts as one; an AdapterFusion model"
                    + " is saved with its adapters), at its seed with the best dev score, trained again"
                    + " at the learning rate it chose and saved to DIR/TARGET for mera predict, with choice.json saying"
                    + " how it was chosen (test scores are shown, never used to choose)")
    Path saveBest;

    @Option(
            names = "--import",
            paramLabel = "DIR",
            description = "first copy this grid's finished cells from another "
                    + "experiment folder (part of the grid run by another process or machine), and while running copy "
                    + "any cell it finishes before this run reaches it instead of running that cell; two processes "
                    + "that import each other's folders share one grid (a folder not created yet is imported from once it"
                    + " is); repeatable")
    java.util.List<Path> importDirs = new java.util.ArrayList<>();

    @Option(
            names = "--engine",
            paramLabel = "ENGINE",
            description = "where cells run: local (default: one after another in "
                    + "this process) or spark (Apache Spark tasks; needs the mera-spark module: spark/mera-spark or spark-submit, "
                    + "see docs/spark.md)")
    String engine = "local";

    @Option(
            names = "--master",
            paramLabel = "URL",
            description = {
                "with --engine spark: the Spark master, one of",
                "spark://HOST:PORT, a standalone cluster (MERA_HOME, the data, the cache and --out must be on a "
                        + "filesystem every worker sees), or local[N], this machine with N executor threads;",
                "default: spark-submit's, else local[*]"
            })
    String master;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return CommandErrors.run("experiment", spec.commandLine().getErr(), this::run);
    }

    private int run() throws Exception {
        ExperimentConfig cfg;
        if (config != null) {
            if (!targets.isEmpty()
                    || !sources.isEmpty()
                    || !models.isEmpty()
                    || !methods.isEmpty()
                    || !seeds.isEmpty()
                    || k != null
                    || dataRoot != null
                    || name != null
                    || !hp.isEmpty()) {
                System.err.println(
                        "mera experiment: give either CONFIG.yaml or --target/--source/--model/... options, not both");
                return 2;
            }
            try {
                cfg = ExperimentConfig.load(
                        config, out == null ? null : out.toAbsolutePath().normalize());
            } catch (ConfigFileException e) {
                // An unreadable config is an invalid config: exit 2, like the problems validation finds.
                CommandErrors.printOneLine("experiment", spec.commandLine().getErr(), e);
                return 2;
            }
        } else {
            if (targets.isEmpty() || out == null) {
                System.err.println(
                        "mera experiment: give CONFIG.yaml, or --target NAME_OR_DIR and --out DIR (see --help)");
                return 2;
            }
            try {
                cfg = new QuickExperiment(
                                targets,
                                sources,
                                models,
                                methods,
                                seeds,
                                k,
                                dataRoot,
                                name,
                                hp,
                                out.toAbsolutePath().normalize(),
                                org.mera.model.ModelCatalog.defaultHome())
                        .config(System.out, !dryRun);
            } catch (IllegalArgumentException | java.io.IOException e) {
                CommandErrors.printOneLine("experiment", spec.commandLine().getErr(), e);
                return 2;
            }
        }
        if (out != null) {
            cfg = cfg.withOutputDir(out.toAbsolutePath().normalize());
        }
        CellRunner runner;
        try {
            runner = CellRunnerFactory.find().create(cfg, new ArtifactCache(cfg.effectiveCacheDir()));
        } catch (IllegalStateException e) {
            System.err.println("mera experiment: " + e.getMessage());
            return 2;
        }
        org.mera.experiment.ExperimentEngine cellEngine;
        try {
            cellEngine = org.mera.experiment.ExperimentEngine.find(engine, master);
        } catch (IllegalArgumentException e) {
            System.err.println("mera experiment: " + e.getMessage());
            return 2;
        }
        Grid.Order cellOrder;
        switch (order) {
            case "seed" -> cellOrder = Grid.Order.SEED;
            case "target" -> cellOrder = Grid.Order.TARGET;
            default -> {
                System.err.println("mera experiment: --order must be seed or target, got '" + order + "'");
                return 2;
            }
        }
        ExperimentRunner experiment = new ExperimentRunner(cfg, runner)
                .engine(cellEngine)
                .order(cellOrder)
                .keepGoing(keepGoing)
                .importWhileRunning(importDirs)
                .resumeCommand(sameCommand());
        try {
            // Two processes started together each import the other's folder, which may not exist yet: its cells are
            // imported as this run reaches them.
            java.util.List<Path> present = new java.util.ArrayList<>();
            for (Path dir : importDirs) {
                if (java.nio.file.Files.exists(dir)) {
                    present.add(dir);
                } else {
                    System.out.println("nothing to import from " + dir + " yet (no such folder)"
                            + (dryRun ? "" : "; cells finished there later are imported as this run reaches them"));
                }
            }
            if (sourcesOnly && saveBest != null) {
                System.err.println("mera experiment: --save-best needs the cells, which --sources-only does not run");
                return 2;
            }
            if (sourcesOnly && !dryRun) {
                ExperimentRunner.PreparationSummary p = experiment.prepareOnly(importable(experiment, present, false));
                System.out.println(p.done() + " source adapter(s) ready in " + cfg.effectiveCacheDir() + " for the "
                        + p.cellsToRun()
                        + " cells still to run; run the same command without --sources-only to run them");
                return 0;
            }
            if (dryRun) {
                // A dry run writes nothing: imports are only counted, and listed as such.
                java.util.Set<String> importable = importable(experiment, present, true);
                Grid grid = experiment.plan();
                java.util.Set<String> finished = experiment.finishedKeys();
                long done = grid.cells().stream()
                        .filter(c -> finished.contains(c.key()))
                        .count();
                int toImport = importable.size(); // cells of this grid not done here
                System.out.println("config '" + cfg.name() + "' is valid: " + grid.size() + " cells, " + done
                        + " done, " + (toImport > 0 ? toImport + " to import, " : "")
                        + (grid.size() - done - toImport) + " to run (results in " + cfg.outputDir() + ")");
                grid.cells()
                        .forEach(c -> System.out.println("  "
                                + (finished.contains(c.key())
                                        ? "done  "
                                        : importable.contains(c.key()) ? "import" : "to run")
                                + "  " + c.key() + "  " + c.describe()));
                printSourceTraining(experiment.cellsToRun(grid, importable), cfg, runner);
                if (saveBest != null) {
                    System.out.println("then would save the best model on the k-shot dev split per target to "
                            + saveBest + "/TARGET (trained again at its chosen learning rate)");
                }
                return 0;
            }
            for (Path dir : present) {
                ExperimentRunner.ImportSummary i = experiment.importFrom(dir);
                System.out.println("imported " + i.imported() + " cells from " + dir + " (" + i.alreadyHere()
                        + " were already here, " + i.notInGrid() + " there are not in this grid)");
            }
            ExperimentRunner.Summary s = experiment.run();
            System.out.println("ran " + s.cellsRun() + " cells (" + s.cellsDoneBefore() + " were already done"
                    + (s.cellsImported() > 0 ? ", " + s.cellsImported() + " imported while running" : "") + ") of "
                    + s.cellsTotal() + "; results: " + s.resultsFile());
            if (!noReport) {
                ReportWriter.Output report = ReportWriter.write(cfg.outputDir());
                System.out.print(ReportSummary.of(java.nio.file.Files.readString(report.markdown())));
                System.out.println("report: " + report.html());
            }
            if (!s.failures().isEmpty()) {
                System.err.println(s.failures().size() + " cell(s) failed:");
                s.failures().forEach(f -> System.err.println("  " + f));
                if (saveBest != null) {
                    System.err.println("no model saved: --save-best chooses among finished methods once every cell"
                            + " has run; run the same command again to finish the grid");
                }
                return 1;
            }
            if (saveBest != null) {
                printSaved(experiment.saveBest(saveBest.toAbsolutePath().normalize()));
            }
            return 0;
        } catch (ValidationException e) {
            System.err.println("mera experiment: " + e.getMessage());
            return 2;
        }
    }

    /** What --save-best wrote: per target the choice, its scores, what beat it but cannot be saved, how to use it. */
    private static void printSaved(ExperimentRunner.SaveSummary s) {
        System.out.println("best on the k-shot dev split (the test score is shown, not used to choose):");
        for (ExperimentRunner.SavedModel m : s.saved()) {
            org.mera.experiment.BestOnDev.Choice c = m.choice();
            String metric = c.cell().primaryMetric();
            java.util.List<org.mera.experiment.BestOnDev.Standing> r = c.ranking();
            int at = r.indexOf(c.standing());
            org.mera.experiment.BestOnDev.Standing next = at + 1 < r.size() ? r.get(at + 1) : null;
            double dev = m.rerun().metrics().get("dev_" + metric);
            double test = m.rerun().metrics().get(metric);
            System.out.printf(
                    java.util.Locale.ROOT,
                    "  %s: %s (mean dev %s %.1f over %d seed%s%s), seed %d at lr %s: dev %.1f, test %.1f -> %s%n",
                    c.task(),
                    c.standing().method(),
                    metric,
                    100 * c.standing().meanDev(),
                    c.standing().seeds(),
                    c.standing().seeds() == 1 ? "" : "s",
                    next == null
                            ? ""
                            : String.format(
                                    java.util.Locale.ROOT, "; next: %s %.1f", next.method(), 100 * next.meanDev()),
                    c.cell().seed(),
                    new java.math.BigDecimal(String.valueOf(c.lr()))
                            .stripTrailingZeros()
                            .toString()
                            .toLowerCase(java.util.Locale.ROOT),
                    100 * dev,
                    100 * test,
                    m.dir());
            if (!c.passedOver().isEmpty()) {
                System.out.println("    passed over (cannot be saved): " + c.passedOver());
            }
            if (c.standing().seeds() == 1) {
                System.out.println("    one seed: one small dev split chose this; more seeds (--seeds) make the"
                        + " choice firmer");
            }
            if (dev != c.dev() || test != c.record().primary()) {
                System.out.printf(
                        java.util.Locale.ROOT,
                        "    note: the grid recorded dev %.1f, test %.1f for this cell; training again moved it"
                                + " (another machine or thread count changes the last bits)%n",
                        100 * c.dev(),
                        100 * c.record().primary());
            }
            boolean full = c.cell().method() == org.mera.experiment.Method.FULL;
            System.out.println("    use it: mera predict "
                    + (full ? "--model " + m.dir() : "--model " + c.encoder() + " --adapter " + m.dir())
                    + " --input FILE --out predictions.jsonl");
        }
        for (org.mera.experiment.BestOnDev.NoChoice n : s.none()) {
            System.out.println("  " + n.task() + ": no model saved: " + n.reason());
        }
    }

    /**
     * The keys of this grid's unfinished cells that the given folders hold finished, read without importing them (a dry
     * run and --sources-only write no results); with {@code print}, a line per folder saying how many.
     */
    private static java.util.Set<String> importable(
            ExperimentRunner experiment, java.util.List<Path> dirs, boolean print) throws java.io.IOException {
        java.util.Set<String> importable = new java.util.HashSet<>();
        for (Path dir : dirs) {
            ExperimentRunner.ImportPreview i = experiment.previewImport(dir);
            i.keys().removeAll(importable);
            importable.addAll(i.keys());
            if (print) {
                System.out.println("would import " + i.keys().size() + " cells from " + dir + " (" + i.alreadyHere()
                        + " are already here, " + i.notInGrid() + " there are not in this grid)");
            }
        }
        return importable;
    }

    /**
     * What the cells still to run need trained first: a source adapter per encoder and task source, each an upper bound
     * of sourceSteps steps, which a dry run's cell list does not show; and which of them the artifact cache holds
     * already, or holds a checkpoint of (a killed run's), so that only the rest would train.
     */
    private static void printSourceTraining(
            java.util.List<org.mera.experiment.Cell> todo, ExperimentConfig cfg, CellRunner runner) throws Exception {
        java.util.List<CellRunner.Preparation> needed = runner.preparations(todo);
        if (needed.isEmpty()) {
            return;
        }
        // per encoder, per state: the sources
        java.util.Map<String, java.util.Map<CellRunner.PreparationState, java.util.Set<String>>> byEncoder =
                new java.util.TreeMap<>();
        java.util.Set<String> budgets = new java.util.TreeSet<>();
        for (CellRunner.Preparation p : needed) {
            byEncoder
                    .computeIfAbsent(
                            p.cell().encoder(), e -> new java.util.EnumMap<>(CellRunner.PreparationState.class))
                    .computeIfAbsent(runner.state(p), s -> new java.util.TreeSet<>())
                    .add(p.source());
            java.util.Map<String, Object> h = p.cell().hyperparameters().asMap();
            budgets.add(
                    h.get("sourceSteps") instanceof Number n && n.intValue() > 0
                            ? n + " steps of " + h.get("sourceBatchSize") + " pool rows"
                            : h.get("sourceEpochs") + " passes over the pool in batches of "
                                    + h.get("sourceBatchSize"));
        }
        System.out.println("source adapters these cells start from, trained on their task's pool into "
                + cfg.effectiveCacheDir() + " unless it holds them already:");
        byEncoder.forEach((e, states) -> {
            java.util.Set<String> all = new java.util.TreeSet<>();
            states.values().forEach(all::addAll);
            java.util.List<String> parts = new java.util.ArrayList<>();
            states.forEach((state, tasks) -> parts.add(switch (state) {
                        case NOT_BEGUN -> "to train: ";
                        case RESUMES -> "partly trained, resumes from its checkpoint: ";
                        case MADE -> "cached: ";
                    }
                    + tasks));
            System.out.println("  " + e + ": " + all.size() + " " + all + " (" + String.join("; ", parts) + ")");
        });
        System.out.println("  each up to " + String.join(" or ", budgets)
                + ", stopping once its pool-dev score stops improving (minilm: 7-47 minutes each on 2 cores; "
                + "bert-base: 0.5-2.5 hours; --hp sourceSteps=N lowers the budget)");
    }

    /** The command line this was run with, quoted for a shell, to print as the way to resume after an interruption. */
    private String sameCommand() {
        java.util.List<String> args = spec.commandLine().getParseResult().originalArgs();
        int at = args.indexOf("experiment");
        java.util.List<String> own = at >= 0 ? args.subList(at + 1, args.size()) : args;
        StringBuilder sb = new StringBuilder("mera experiment");
        for (String a : own) {
            sb.append(' ').append(a.matches("[A-Za-z0-9_./=:,@%+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }
}
