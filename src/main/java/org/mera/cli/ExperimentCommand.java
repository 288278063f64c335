package org.mera.cli;

import org.mera.experiment.ArtifactCache;
import org.mera.experiment.CellRunner;
import org.mera.experiment.CellRunnerFactory;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.Grid;
import org.mera.experiment.ReportWriter;
import org.mera.experiment.ValidationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mera experiment CONFIG.yaml [--out DIR]}: runs (or resumes) a grid, then writes its report. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = {"Run an experiment grid (encoder x task x k x seed x method) from a YAML config.",
                "Finished cells are kept in DIR/results.jsonl: re-running the same command resumes, and after a config "
                        + "change only the cells whose inputs changed run again. A report is written to DIR/report/ at the end."})
public final class ExperimentCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONFIG.yaml", description = "experiment config (see docs/experiments.md)")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (overrides outputDir in the config)")
    Path out;

    @Option(names = "--dry-run", description = "validate and list the grid (cells done / to run) without training")
    boolean dryRun;

    @Option(names = "--keep-going", description = "when a cell fails, continue with the others (it is retried next time)")
    boolean keepGoing;

    @Option(names = "--no-report", description = "do not write the report at the end")
    boolean noReport;

    @Option(names = "--import", paramLabel = "DIR", description = "first copy this grid's finished cells from another "
            + "experiment folder (part of the grid run by another process or machine); repeatable")
    java.util.List<Path> importDirs = new java.util.ArrayList<>();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return CommandErrors.run("experiment", spec.commandLine().getErr(), this::run);
    }

    private int run() throws Exception {
        ExperimentConfig cfg = ExperimentConfig.load(config, out == null ? null : out.toAbsolutePath().normalize());
        CellRunner runner;
        try {
            runner = CellRunnerFactory.find().create(cfg, new ArtifactCache(cfg.effectiveCacheDir()));
        } catch (IllegalStateException e) {
            System.err.println("mera experiment: " + e.getMessage());
            return 2;
        }
        ExperimentRunner experiment = new ExperimentRunner(cfg, runner).keepGoing(keepGoing);
        try {
            for (Path dir : importDirs) {
                ExperimentRunner.ImportSummary i = experiment.importFrom(dir);
                System.out.println("imported " + i.imported() + " cells from " + dir + " (" + i.alreadyHere()
                        + " were already here, " + i.notInGrid() + " there are not in this grid)");
            }
            if (dryRun) {
                Grid grid = experiment.plan();
                java.util.Set<String> finished = experiment.finishedKeys();
                long done = grid.cells().stream().filter(c -> finished.contains(c.key())).count();
                System.out.println("config '" + cfg.name() + "' is valid: " + grid.size() + " cells, " + done
                        + " done, " + (grid.size() - done) + " to run (results in " + cfg.outputDir() + ")");
                grid.cells().forEach(c -> System.out.println("  " + (finished.contains(c.key()) ? "done  " : "to run")
                        + "  " + c.key() + "  " + c.describe()));
                return 0;
            }
            ExperimentRunner.Summary s = experiment.run();
            System.out.println("ran " + s.cellsRun() + " cells (" + s.cellsDoneBefore() + " were already done) of "
                    + s.cellsTotal() + "; results: " + s.resultsFile());
            if (!noReport) {
                ReportWriter.Output report = ReportWriter.write(cfg.outputDir());
                System.out.println("report: " + report.html());
            }
            if (!s.failures().isEmpty()) {
                System.err.println(s.failures().size() + " cell(s) failed:");
                s.failures().forEach(f -> System.err.println("  " + f));
                return 1;
            }
            return 0;
        } catch (ValidationException e) {
            System.err.println("mera experiment: " + e.getMessage());
            return 2;
        }
    }
}
