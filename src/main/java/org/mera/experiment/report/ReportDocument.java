package org.mera.experiment.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A report as a list of blocks, built once and rendered by {@link MarkdownRenderer} and {@link HtmlRenderer}, so
 * report.md and report.html say the same things in the same order (each renderer had once built its own copy of
 * every section, and they drifted apart).
 *
 * <p>Prose (paragraphs, callouts) may carry two inline marks, {@code **strong**} and {@code `code`}, which each
 * renderer writes in its own syntax; data put into prose goes through {@link #literal} so that a name with a {@code *}
 * or a backtick stays as it is. Titles, headings and table cells are always literal: a cell's look is its {@link
 * Cell.Style}, never marks in its text.
 */
final class ReportDocument {
    /** One block of a report. */
    public sealed interface Block permits Heading, Paragraph, Callout, Table, Image, Preformatted, Collapsed {}

    /** A section heading: level 2 for sections, 3 for a sub-section. (The title is level 1.) */
    public record Heading(int level, String text) implements Block {
        public Heading {
            if (level < 2 || level > 3) {
                throw new IllegalArgumentException("heading level must be 2 or 3, got " + level);
            }
        }
    }

    /** Running text; a note is secondary text (explanations of a table), set smaller in HTML. */
    public record Paragraph(String text, boolean note) implements Block {}

    /** Text the reader must not miss: a banner (synthetic data) or a warning. */
    public record Callout(Kind kind, String text) implements Block {
        public enum Kind {
            BANNER,
            WARNING
        }
    }

    /** A table cell: literal text in one of four looks. */
    public record Cell(String text, Style style) {
        public enum Style {
            PLAIN,
            /** the best of its column */
            STRONG,
            /** an identifier (a cell key, a run id) */
            CODE,
            /** secondary detail, set small in HTML */
            NOTE
        }

        public static Cell of(String text) {
            return new Cell(text, Style.PLAIN);
        }

        public static Cell code(String text) {
            return new Cell(text, Style.CODE);
        }

        public static Cell note(String text) {
            return new Cell(text, Style.NOTE);
        }
    }

    /** A table: the header, which columns hold numbers (right-aligned), then the rows. */
    public record Table(List<String> header, List<Boolean> numeric, List<List<Cell>> rows) implements Block {
        public Table {
            if (numeric.size() != header.size()) {
                throw new IllegalArgumentException(
                        "table has " + header.size() + " columns but " + numeric.size() + " alignment flags");
            }
            for (List<Cell> row : rows) {
                if (row.size() != header.size()) {
                    throw new IllegalArgumentException(
                            "table row has " + row.size() + " cells for " + header.size() + " columns: " + row);
                }
            }
            header = List.copyOf(header);
            numeric = List.copyOf(numeric);
            rows = rows.stream().map(List::copyOf).toList();
        }

        /** A table whose first {@code textColumns} columns hold text and the rest numbers. */
        public static Table of(List<String> header, int textColumns, List<List<Cell>> rows) {
            List<Boolean> numeric = new ArrayList<>();
            for (int i = 0; i < header.size(); i++) {
                numeric.add(i >= textColumns);
            }
            return new Table(header, numeric, rows);
        }

        /** Rows of plain (never strong) cells. */
        public static List<List<Cell>> plain(List<List<String>> rows) {
            return rows.stream().map(r -> r.stream().map(Cell::of).toList()).toList();
        }
    }

    /**
     * A chart: HTML inlines the PNG; Markdown links the file of that name, which the report writer puts beside
     * report.md.
     */
    public record Image(String name, byte[] png) implements Block {}

    /** Verbatim text (a configuration file). */
    public record Preformatted(String text) implements Block {}

    /**
     * Long detail (every finished cell, every cell still to run) folded away in HTML; Markdown, which has nothing to
     * fold it with, names it and points to report.html instead.
     */
    public record Collapsed(String summary, Block inner) implements Block {}

    private final String title;
    private final List<Block> blocks = new ArrayList<>();

    public ReportDocument(String title) {
        this.title = title;
    }

    public String title() {
        return title;
    }

    public List<Block> blocks() {
        return Collections.unmodifiableList(blocks);
    }

    public ReportDocument add(Block b) {
        blocks.add(b);
        return this;
    }

    public ReportDocument heading(String text) {
        return add(new Heading(2, text));
    }

    public ReportDocument subheading(String text) {
        return add(new Heading(3, text));
    }

    public ReportDocument paragraph(String text) {
        return add(new Paragraph(text, false));
    }

    public ReportDocument note(String text) {
        return add(new Paragraph(text, true));
    }

    /**
     * Data for prose: its {@code \\}, {@code *}, backticks and a {@code <} that could open a tag escaped, so that no
     * renderer reads them as marks (or, in Markdown, as a tag).
     */
    public static String literal(Object data) {
        String s = String.valueOf(data);
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '*' || c == '`' || (c == '<' && startsTag(s, i))) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** Whether the {@code <} at {@code i} could open an HTML tag, comment or autolink in Markdown. */
    static boolean startsTag(String s, int i) {
        if (i + 1 >= s.length()) {
            return false;
        }
        char next = s.charAt(i + 1);
        return Character.isLetter(next) || next == '/' || next == '!' || next == '?';
    }

    public ReportDocument banner(String text) {
        return add(new Callout(Callout.Kind.BANNER, text));
    }

    public ReportDocument warning(String text) {
        return add(new Callout(Callout.Kind.WARNING, text));
    }
}
