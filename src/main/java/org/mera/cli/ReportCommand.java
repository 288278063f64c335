package org.mera.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mera.experiment.report.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mera report RESULTS_DIR}: regenerates the report of an experiment folder, without training. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        header = "Write an experiment folder's report: claims, baselines, paired statistics, charts.",
        description =
                "Write Markdown, CSV, PNG charts and a self-contained HTML report from an experiment folder's results.jsonl "
                        + "and per-example predictions. It opens with the MerA paper's claims, each with the comparisons "
                        + "that test it per target and each method against doing nothing; then tables with trivial "
                        + "baselines, each source adapter fine-tuned alone and the one the dev split picks, paired comparisons "
                        + "with bootstrap CIs, p-values (paired t-test, Holm-adjusted) and verdicts (marked interim "
                        + "below the grid's seed count, or where the t-test disagrees), between methods and of each "
                        + "method against its task's strongest trivial baseline (comparisons.csv holds them all), a "
                        + "second metric where a task has one, and each method's share of predictions per class. "
                        + "The Markdown and the HTML (report.md, report.html) hold the same sections.")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RESULTS_DIR", description = "the experiment's output folder")
    Path dir;

    @Option(names = "--to", paramLabel = "DIR", description = "where to write the report (default RESULTS_DIR/report)")
    Path to;

    @Option(
            names = "--include",
            paramLabel = "DIR",
            description = "also show the cells of RESULTS_DIR's grid that this folder finished (another part of the"
                    + " grid, run by another process: mera experiment --import), with their predictions; repeatable")
    java.util.List<Path> include = new java.util.ArrayList<>();

    @Option(
            names = "--predictions",
            paramLabel = "FILE.csv",
            description =
                    "also write every shown cell's per-example test predictions as one CSV (key, encoder, task, k,"
                            + " seed, method, source, example, gold, predicted: class indices in the task's label order, or "
                            + "values for regression), to check a result outside mera")
    Path predictionsCsv;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return CommandErrors.run("report", spec.commandLine().getErr(), this::run);
    }

    private int run() throws Exception {
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(
                    dir.toString(),
                    null,
                    "no such experiment folder; give the folder an experiment wrote (its outputDir or --out)");
        }
        org.mera.experiment.report.ResultsFolder in = org.mera.experiment.report.ResultsFolder.read(dir, include);
        ReportWriter.Output out = ReportWriter.write(in, to == null ? dir.resolve(ReportWriter.REPORT_DIR) : to);
        System.out.println("wrote " + out.html() + ", " + out.markdown() + ", " + out.csv() + " and "
                + out.charts().size() + " chart(s)");
        if (predictionsCsv != null) {
            int cells = org.mera.experiment.report.PredictionExport.write(in, predictionsCsv);
            System.out.println("wrote " + predictionsCsv + ": the test predictions of " + cells + " cell(s)");
        }
        return 0;
    }
}
