package org.mera.experiment.report;

import java.util.List;
import org.mera.experiment.report.ReportDocument.Block;
import org.mera.experiment.report.ReportDocument.Callout;
import org.mera.experiment.report.ReportDocument.Cell;
import org.mera.experiment.report.ReportDocument.Collapsed;
import org.mera.experiment.report.ReportDocument.Heading;
import org.mera.experiment.report.ReportDocument.Image;
import org.mera.experiment.report.ReportDocument.Paragraph;
import org.mera.experiment.report.ReportDocument.Preformatted;
import org.mera.experiment.report.ReportDocument.Table;

/** report.md: GitHub-flavoured Markdown; charts are linked as files beside it. */
public final class MarkdownRenderer {
    private MarkdownRenderer() {}

    public static String render(ReportDocument doc) {
        StringBuilder b = new StringBuilder("# ").append(line(doc.title())).append("\n\n");
        doc.blocks().forEach(block -> block(b, block));
        return b.toString();
    }

    private static void block(StringBuilder b, Block block) {
        // Java 17: no pattern switch; the sealed interface keeps this list complete in review, the last branch at run
        // time
        if (block instanceof Heading h) {
            b.append("#".repeat(h.level())).append(' ').append(line(h.text())).append("\n\n");
        } else if (block instanceof Paragraph p) {
            b.append(line(p.text())).append("\n\n");
        } else if (block instanceof Callout c) {
            b.append("> ").append(line(c.text())).append("\n\n");
        } else if (block instanceof Table t) {
            table(b, t);
        } else if (block instanceof Image i) {
            b.append("![").append(i.name()).append("](").append(i.name()).append(")\n\n");
        } else if (block instanceof Preformatted p) {
            String fence = p.text().contains("```") ? "~~~~" : "```";
            b.append(fence)
                    .append('\n')
                    .append(p.text().endsWith("\n") ? p.text() : p.text() + "\n")
                    .append(fence)
                    .append("\n\n");
        } else if (block instanceof Collapsed c) {
            b.append(line(c.summary())).append(": listed in report.html.\n\n");
        } else {
            throw new IllegalStateException(
                    "no Markdown for " + block.getClass().getSimpleName());
        }
    }

    private static void table(StringBuilder b, Table t) {
        b.append('|');
        t.header().forEach(h -> b.append(' ').append(cellText(h)).append(" |"));
        b.append("\n|");
        t.numeric().forEach(n -> b.append(n ? "---:|" : "---|"));
        b.append('\n');
        for (List<Cell> row : t.rows()) {
            b.append('|');
            for (Cell c : row) {
                String text = cellText(c.text());
                b.append(' ')
                        .append(c.strong() && !text.isEmpty() ? "**" + text + "**" : text)
                        .append(" |");
            }
            b.append('\n');
        }
        b.append('\n');
    }

    /** One line: a newline would end a paragraph or a table row early. */
    private static String line(String s) {
        return s.replace("\r", "").replace('\n', ' ');
    }

    /** A pipe inside a cell would start a new column. */
    private static String cellText(String s) {
        return line(s).replace("|", "\\|");
    }
}
