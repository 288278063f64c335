package org.mera.experiment.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed report of the complete minilm protocol-3 grid is what its committed results give today. docs/RESULTS.md
 * copies its numbers, so a change to the statistics, the tables or the results that moved one of them fails here
 * (then regenerate the report with the command at the top of docs/RESULTS.md and re-check the prose). Needs only
 * committed files: the results, per-example predictions and run records, no data or encoder.
 */
class CommittedReportTest {
    private static final Path RESULTS = Path.of("experiments/results/glue-minilm-p3");
    private static final Path PART_B = Path.of("experiments/results/glue-minilm-p3-b");

    @Test
    void minilmProtocol3ReportIsRegeneratedFromTheCommittedResults(@TempDir Path tmp) throws IOException {
        ReportWriter.Output out = ReportWriter.write(RESULTS, tmp, List.of(PART_B));
        Path committed = RESULTS.resolve(ReportWriter.REPORT_DIR);
        for (Path written : List.of(out.markdown(), out.csv(), out.comparisonsCsv())) {
            Path file = committed.resolve(written.getFileName());
            List<String> want = Files.readAllLines(file);
            List<String> got = Files.readAllLines(written);
            for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
                // the first differing line, not two whole reports (report.md is over 100 kB)
                assertEquals(
                        want.get(i),
                        got.get(i),
                        file + " line " + (i + 1) + " differs from what the committed results give now");
            }
            assertEquals(want.size(), got.size(), file + ": lines committed vs generated now");
        }
    }
}
