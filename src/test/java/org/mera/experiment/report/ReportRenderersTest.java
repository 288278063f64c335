package org.mera.experiment.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mera.experiment.report.ReportDocument.Cell;
import org.mera.experiment.report.ReportDocument.Collapsed;
import org.mera.experiment.report.ReportDocument.Image;
import org.mera.experiment.report.ReportDocument.Preformatted;
import org.mera.experiment.report.ReportDocument.Table;

/** One document, two renderings: each block kind in Markdown and HTML, with escaping and the inline marks. */
class ReportRenderersTest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

    private static ReportDocument sample() {
        return new ReportDocument("Report: a<b")
                .banner("**SYNTHETIC.** Means nothing.")
                .warning("careful & <quick>")
                .heading("Results")
                .paragraph("Engine: `djl`, **incomplete**.")
                .add(new Table(
                        List.of("Method", "F1 | score"),
                        List.of(false, true),
                        List.of(
                                List.of(Cell.of("mera-ot"), new Cell("80.4 ± 1.5", Cell.Style.STRONG)),
                                List.of(Cell.of("a|b"), Cell.of("–")))))
                .subheading("Sub")
                .note("a note")
                .add(new Image("bars.png", PNG))
                .add(new Collapsed("Every cell", Table.of(List.of("key"), 1, List.of(List.of(Cell.code("k1"))))))
                .add(new Preformatted("name: x\nseeds: [13]\n"));
    }

    @Test
    void markdownWritesEveryBlockAndEscapesPipesInCells() {
        String md = MarkdownRenderer.render(sample());
        assertTrue(md.startsWith("# Report: a\\<b\n\n"), md);
        assertTrue(md.contains("> **SYNTHETIC.** Means nothing.\n\n"), md);
        assertTrue(md.contains("> careful & <quick>\n\n"), md);
        assertTrue(md.contains("## Results\n\n") && md.contains("### Sub\n\n"), md);
        assertTrue(md.contains("| Method | F1 \\| score |\n|---|---:|\n"), md);
        assertTrue(md.contains("| mera-ot | **80.4 ± 1.5** |\n| a\\|b | – |\n"), md);
        assertTrue(md.contains("![bars.png](bars.png)"), md);
        assertTrue(md.contains("Every cell: listed in report.html."), md);
        assertFalse(md.contains("k1"), "the folded table is left to report.html");
        assertTrue(md.contains("```\nname: x\nseeds: [13]\n```\n"), md);
    }

    @Test
    void htmlEscapesTextThenAppliesTheInlineMarks() {
        String html = HtmlRenderer.render(sample(), "results.jsonl", Instant.parse("2026-12-07T00:00:00Z"));
        assertTrue(html.contains("<h1>Report: a&lt;b</h1>"), html);
        assertTrue(html.contains("from results.jsonl at 2026-12-07T00:00:00Z"), html);
        assertTrue(html.contains("<div class=\"banner\"><b>SYNTHETIC.</b> Means nothing.</div>"), html);
        assertTrue(html.contains("<div class=\"warn\">careful &amp; &lt;quick&gt;</div>"), html);
        assertTrue(html.contains("<p>Engine: <code>djl</code>, <b>incomplete</b>.</p>"), html);
        assertTrue(html.contains("<tr><td>mera-ot</td><td class=\"num best\">80.4 ± 1.5</td></tr>"), html);
        assertTrue(html.contains("<tr><td>a|b</td><td class=\"num\">–</td></tr>"), html);
        assertTrue(html.contains("<p class=\"note\">a note</p>"), html);
        assertTrue(html.contains(
                "src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(PNG) + "\""));
        assertTrue(
                html.contains("<details><summary>Every cell</summary>\n<table><tr><th>key</th></tr>\n"
                        + "<tr><td><code>k1</code></td></tr>"),
                html);
        assertTrue(html.contains("<pre>name: x\nseeds: [13]\n</pre>"), html);
        assertTrue(html.endsWith("</body></html>\n"));
    }

    /** Names and values are data: a {@code *}, a backtick or a tag in them is shown, never read as a mark. */
    @Test
    void dataIsShownAsItIsInBothRenderings() {
        String name = "`a**b` <i>x</i> runs/**/*.json";
        ReportDocument d = new ReportDocument("t")
                .heading(name)
                .paragraph("Sources: **" + ReportDocument.literal(name) + "**; keep `code` and **strong**.")
                .add(Table.of(
                        List.of("Method", "Key"),
                        2,
                        List.of(
                                List.of(Cell.of(name + " | x"), Cell.code("k`1")),
                                List.of(Cell.note("{\"f1\":0.5}"), Cell.of("")))));
        String html = HtmlRenderer.render(d, "r", Instant.EPOCH);
        String shown = "`a**b` &lt;i&gt;x&lt;/i&gt; runs/**/*.json";
        assertTrue(html.contains("<h2>" + shown + "</h2>"), html);
        assertTrue(
                html.contains("<p>Sources: <b>" + shown + "</b>; keep <code>code</code> and <b>strong</b>.</p>"), html);
        assertTrue(html.contains("<td>" + shown + " | x</td><td><code>k`1</code></td>"), html);
        assertTrue(html.contains("<td class=\"note\">{&quot;f1&quot;:0.5}</td><td></td>"), html);
        assertFalse(html.contains("<i>"), "a tag in data is escaped");

        String md = MarkdownRenderer.render(d);
        String literal = "\\`a\\*\\*b\\` \\<i>x\\</i> runs/\\*\\*/\\*.json";
        assertTrue(md.contains("## " + literal + "\n"), md);
        assertTrue(md.contains("Sources: **" + literal + "**; keep `code` and **strong**."), md);
        assertTrue(md.contains("| " + literal + " \\| x | ``k`1`` |"), md);
        assertTrue(md.contains("| {\"f1\":0.5} |  |"), md);
    }

    @Test
    void aLessThanSignEscapesOnlyWhereATagCouldStart() {
        String md = MarkdownRenderer.render(new ReportDocument("t")
                .add(Table.of(List.of("p"), 0, List.of(List.of(Cell.of("<0.001")), List.of(Cell.of("<b>x"))))));
        assertTrue(md.contains("| <0.001 |\n| \\<b>x |"), md);
        assertEquals("p \\<b> <0.05", ReportDocument.literal("p <b> <0.05"));
    }

    @Test
    void anUnclosedMarkIsText() {
        String html = HtmlRenderer.render(new ReportDocument("t").paragraph("2 ** 3 and a ` tick"), "r", Instant.EPOCH);
        assertTrue(html.contains("<p>2 ** 3 and a ` tick</p>"), html);
    }

    @Test
    void aCodeFenceIsLongerThanAnyBacktickRunInsideIt() {
        String md = MarkdownRenderer.render(new ReportDocument("t").add(new Preformatted("a: ````x````\n")));
        assertTrue(md.contains("\n`````\na: ````x````\n`````\n"), md);
    }

    /** A verdict carries what tempers it: fewer seeds than the grid, or a t-test that does not agree with the CI. */
    @Test
    void verdictsSayWhenTheyAreInterimOrTheTTestDisagrees() {
        java.util.function.BiFunction<Integer, Double, org.mera.experiment.stats.ComparisonStatistics.Line> line =
                (seeds, p) -> {
                    java.util.TreeMap<Integer, Double> d = new java.util.TreeMap<>();
                    for (int i = 0; i < seeds; i++) {
                        d.put(13 + i, 1.0);
                    }
                    return new org.mera.experiment.stats.ComparisonStatistics.Line(
                            new org.mera.experiment.stats.ResultTables.Paired("MRPC", "a", "b", d),
                            "f1",
                            new org.mera.experiment.stats.PairedStatistics.Interval(0.5, 1.5),
                            p,
                            1.0,
                            org.mera.experiment.stats.PairedStatistics.Signs.of(d.values()),
                            org.mera.experiment.stats.Verdict.SUPPORTED,
                            null);
                };
        assertEquals("supported", ReportWriter.qualifiedVerdict(line.apply(5, 0.01), 5));
        assertEquals("supported (t-test p 0.180)", ReportWriter.qualifiedVerdict(line.apply(5, 0.18), 5));
        assertEquals(
                "supported (interim: 4 of 5 seeds; t-test p 0.080)",
                ReportWriter.qualifiedVerdict(line.apply(4, 0.08), 5));
        assertEquals("supported (interim: 3 of 5 seeds)", ReportWriter.qualifiedVerdict(line.apply(3, 0.001), 5));
        assertEquals(
                "supported", ReportWriter.qualifiedVerdict(line.apply(5, Double.NaN), 5), "no t-test (no variance)");
    }

    /** A table with no claim rows adds nothing, so the section's heading goes with the first table that has some. */
    @Test
    void theClaimsHeadingComesWithTheFirstTableThatHasClaims() {
        ReportDocument d = new ReportDocument("t");
        org.mera.experiment.stats.ResultTables.Table t = new org.mera.experiment.stats.ResultTables.Table(
                "enc", 16, List.of("MRPC"), java.util.Map.of("MRPC", "f1"), List.of());
        assertFalse(ClaimsSection.addTo(d, t, List.of(), List.of(), 5, true, java.util.Set.of()));
        assertTrue(d.blocks().isEmpty());
    }

    @Test
    void aTableMustHaveAsManyCellsAsColumns() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new Table(List.of("a", "b"), List.of(false, true), List.of(List.of(Cell.of("x")))));
        assertTrue(e.getMessage().contains("1 cells for 2 columns"), e.getMessage());
        assertEquals(
                "table has 2 columns but 1 alignment flags",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new Table(List.of("a", "b"), List.of(false), List.of()))
                        .getMessage());
    }
}
