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
final class MarkdownRenderer {
    private MarkdownRenderer() {}

    static String render(ReportDocument doc) {
        StringBuilder b = new StringBuilder("# ").append(literal(doc.title())).append("\n\n");
        doc.blocks().forEach(block -> block(b, block));
        return b.toString();
    }

    private static void block(StringBuilder b, Block block) {
        // Java 17: no pattern switch; the sealed interface keeps this list complete in review, the last branch at run
        // time
        if (block instanceof Heading h) {
            b.append("#".repeat(h.level()))
                    .append(' ')
                    .append(literal(h.text()))
                    .append("\n\n");
        } else if (block instanceof Paragraph p) {
            b.append(line(p.text())).append("\n\n");
        } else if (block instanceof Callout c) {
            b.append("> ").append(line(c.text())).append("\n\n");
        } else if (block instanceof Table t) {
            table(b, t);
        } else if (block instanceof Image i) {
            b.append("![").append(i.name()).append("](").append(i.name()).append(")\n\n");
        } else if (block instanceof Preformatted p) {
            String fence = "`".repeat(Math.max(3, longestRun(p.text(), '`') + 1));
            b.append(fence)
                    .append('\n')
                    .append(p.text().endsWith("\n") ? p.text() : p.text() + "\n")
                    .append(fence)
                    .append("\n\n");
        } else if (block instanceof Collapsed c) {
            b.append(literal(c.summary())).append(": listed in report.html.\n\n");
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
                b.append(' ').append(cell(c)).append(" |");
            }
            b.append('\n');
        }
        b.append('\n');
    }

    private static String cell(Cell c) {
        if (c.text().isEmpty()) {
            return "";
        }
        return switch (c.style()) {
            case STRONG -> "**" + cellText(c.text()) + "**";
            case CODE -> {
                // a code span shows its text as it is, but a pipe would still end the cell
                String fence = "`".repeat(longestRun(c.text(), '`') + 1);
                String pad = c.text().startsWith("`") || c.text().endsWith("`") ? " " : "";
                yield fence + pad + line(c.text()).replace("|", "\\|") + pad + fence;
            }
            case PLAIN, NOTE -> cellText(c.text());
        };
    }

    private static int longestRun(String s, char ch) {
        int best = 0;
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            run = s.charAt(i) == ch ? run + 1 : 0;
            best = Math.max(best, run);
        }
        return best;
    }

    /** One line: a newline would end a paragraph or a table row early. */
    private static String line(String s) {
        return s.replace("\r", "").replace('\n', ' ');
    }

    /**
     * Literal text on one line: the characters that would start emphasis, code or HTML escaped (a {@code <} only where
     * a tag could start: "<0.001" stays as it is). (Brackets and
     * underscores are left as they are: with no link definitions and underscores inside words they mark nothing, and
     * report.md is read as plain text too.)
     */
    private static String literal(String s) {
        String one = line(s);
        StringBuilder b = new StringBuilder(one.length());
        for (int i = 0; i < one.length(); i++) {
            char c = one.charAt(i);
            if ("\\`*".indexOf(c) >= 0 || (c == '<' && ReportDocument.startsTag(one, i))) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** A literal cell: a pipe inside it would also start a new column. */
    private static String cellText(String s) {
        return literal(s).replace("|", "\\|");
    }
}
