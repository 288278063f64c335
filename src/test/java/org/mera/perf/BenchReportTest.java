package org.mera.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {
    @TempDir
    Path tmp;

    private static final String PROSE = "# Performance\n\nHand-written text.\n";

    @Test
    void sectionIsAppendedWhenAbsentAndReplacedInPlaceAfterwards() {
        String first = MarkdownSection.replace(PROSE, "matmul-plain", "old table");
        assertEquals(
                PROSE + "\n<!-- BEGIN mera-bench:matmul-plain -->\nold table\n<!-- END mera-bench:matmul-plain -->\n",
                first);

        String withTail = first + "\n## Later prose\n";
        String second = MarkdownSection.replace(withTail, "matmul-plain", "new table\n");
        assertEquals(
                PROSE
                        + "\n<!-- BEGIN mera-bench:matmul-plain -->\nnew table\n<!-- END mera-bench:matmul-plain -->\n\n## Later prose\n",
                second);
        assertEquals(
                second,
                MarkdownSection.replace(second, "matmul-plain", "new table"),
                "replacing with the same body changes nothing");
    }

    @Test
    void sectionsAreIndependent() {
        String doc = MarkdownSection.replace(MarkdownSection.replace(PROSE, "a", "alpha"), "b", "beta");
        String updated = MarkdownSection.replace(doc, "a", "ALPHA");
        assertTrue(updated.contains("BEGIN mera-bench:a -->\nALPHA\n<!-- END mera-bench:a"), updated);
        assertTrue(updated.contains("BEGIN mera-bench:b -->\nbeta\n<!-- END mera-bench:b"), updated);
        // A section id that is a prefix of another does not match it.
        String prefixed = MarkdownSection.replace(PROSE, "matmul-plain-2", "x");
        assertTrue(
                MarkdownSection.replace(prefixed, "matmul-plain", "y").contains("mera-bench:matmul-plain-2 -->\nx\n"));
    }

    @Test
    void malformedMarkersAreRejectedNamingTheSection() {
        String begin = MarkdownSection.beginMarker("s");
        String end = MarkdownSection.endMarker("s");
        assertEquals(
                "section 's' has a BEGIN marker but no END",
                assertThrows(IllegalArgumentException.class, () -> MarkdownSection.replace(begin + "\nx\n", "s", "y"))
                        .getMessage());
        assertEquals(
                "section 's' has an END marker but no BEGIN",
                assertThrows(IllegalArgumentException.class, () -> MarkdownSection.replace("x\n" + end, "s", "y"))
                        .getMessage());
        assertEquals(
                "section 's' has its END marker before its BEGIN marker",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> MarkdownSection.replace(end + "\n" + begin, "s", "y"))
                        .getMessage());
        assertEquals(
                "section 's' appears more than once",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> MarkdownSection.replace(begin + end + "\n" + begin + end, "s", "y"))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> MarkdownSection.beginMarker("Bad Id"));
    }

    @Test
    void fileIsCreatedThenUpdatedAndErrorsNameTheFile() throws Exception {
        Path doc = tmp.resolve("docs/performance.md");
        BenchReport report = new BenchReport("Matmul peak")
                .environment("CPU", "test cpu")
                .add(new BenchRow("matmul 8x8 fp32", 0.0015, Double.NaN, "", 12.25, 300))
                .add(new BenchRow("encoder forward | batch 4", 2.5, 1234.5, "tokens/s", Double.NaN, Double.NaN))
                .add(BenchRow.timing("merge 2 adapters", 0.25, 410.4));
        report.writeSection(doc, "bench");
        String written = Files.readString(doc);
        assertEquals(MarkdownSection.replace("", "bench", report.toMarkdown()), written);
        assertTrue(written.contains("- CPU: test cpu\n"), written);
        assertTrue(written.contains("| matmul 8x8 fp32 | 1.50 ms | - | 12.3 | 300 |\n"), written);
        assertTrue(written.contains("| encoder forward \\| batch 4 | 2.50 s | 1235 tokens/s | - | - |\n"), written);
        assertTrue(written.contains("| merge 2 adapters | 250.00 ms | - | - | 410 |\n"), written);

        Files.writeString(doc, PROSE + written + "\nfooter\n");
        new BenchReport("Again").add(BenchRow.timing("x", 1, 1)).writeSection(doc, "bench");
        String again = Files.readString(doc);
        assertTrue(
                again.startsWith(PROSE)
                        && again.endsWith("\nfooter\n")
                        && again.contains("### Again")
                        && !again.contains("Matmul peak"),
                again);
        try (var listing = Files.list(doc.getParent())) {
            assertEquals(1, listing.count(), "no temporary files are left behind");
        }

        Files.writeString(doc, MarkdownSection.beginMarker("bench") + "\n");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> report.writeSection(doc, "bench"));
        assertTrue(e.getMessage().startsWith(doc + ": section 'bench'"), e.getMessage());
    }

    @Test
    void rowsRejectImpossibleValues() {
        assertThrows(
                IllegalArgumentException.class, () -> new BenchRow(" ", 1, Double.NaN, "", Double.NaN, Double.NaN));
        assertThrows(
                IllegalArgumentException.class, () -> new BenchRow("x", -1, Double.NaN, "", Double.NaN, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new BenchRow("x", 1, 5, "", Double.NaN, Double.NaN));
        assertThrows(
                IllegalArgumentException.class,
                () -> new BenchRow("x", 1, Double.NaN, "", Double.POSITIVE_INFINITY, Double.NaN));
    }

    @Test
    void blocksAreParagraphsSoATableAfterASentenceStillRendersAsATable() {
        BenchReport report =
                new BenchReport("t").block("tiny: an epoch 2.00x faster.").block("| a | b |\n|---|---|\n| 1 | 2 |\n");
        String md = report.toMarkdown();
        assertTrue(md.contains("an epoch 2.00x faster.\n\n| a | b |\n"), md);
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(2.0, Medians.median(new double[] {3, 1, 2}));
        assertEquals(2.5, Medians.median(new double[] {4, 1, 3, 2}));
        int[] calls = {0};
        double t = Medians.of(2, 3, () -> calls[0]++);
        assertEquals(5, calls[0], "2 warm-up + 3 timed runs");
        assertTrue(t >= 0 && t < 1, "median seconds of an empty body: " + t);
        assertThrows(IllegalArgumentException.class, () -> Medians.of(0, 0, () -> {}));
        assertThrows(IllegalArgumentException.class, () -> Medians.median(new double[0]));
    }
}
