package org.mera.perf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Named benchmark rows plus the environment they were measured in, rendered as a markdown table (for
 * docs/performance.md) or plain text (for the console). Add rows in the order they should be shown.
 */
public final class BenchReport {
    private final String title;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<BenchRow> rows = new ArrayList<>();
    private final List<String> blocks = new ArrayList<>();

    public BenchReport(String title) {
        this.title = Objects.requireNonNull(title, "title");
    }

    /** Records one fact about the run (CPU, threads, fast path, ...); a key given twice keeps the last value. */
    public BenchReport environment(String key, String value) {
        environment.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    public BenchReport add(BenchRow row) {
        rows.add(Objects.requireNonNull(row, "row"));
        return this;
    }

    /** A Markdown block printed after the rows (e.g. the side-by-side table against the peer benchmark). */
    public BenchReport block(String markdown) {
        blocks.add(Objects.requireNonNull(markdown, "markdown"));
        return this;
    }

    public Map<String, String> environment() {
        return Collections.unmodifiableMap(environment);
    }

    public List<BenchRow> rows() {
        return Collections.unmodifiableList(rows);
    }

    /** Markdown: a heading, the environment as a list, then the rows as a table. */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("### ").append(title).append("\n\n");
        for (Map.Entry<String, String> e : environment.entrySet()) {
            md.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        if (!environment.isEmpty()) {
            md.append('\n');
        }
        md.append("| benchmark | median time | throughput | GFLOP/s | peak RSS (MiB) |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        for (BenchRow r : rows) {
            md.append("| ")
                    .append(r.name().replace("|", "\\|"))
                    .append(" | ")
                    .append(formatSeconds(r.medianSeconds()))
                    .append(" | ")
                    .append(formatThroughput(r))
                    .append(" | ")
                    .append(formatNumber(r.gflops(), 1))
                    .append(" | ")
                    .append(formatNumber(r.peakRssMiB(), 0))
                    .append(" |\n");
        }
        for (String block : blocks) {
            // Each block its own paragraph: a table right under a line of text would not render as a table.
            md.append('\n').append(block.strip()).append('\n');
        }
        return md.toString();
    }

    /** Plain text for a terminal: aligned columns. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append(title).append('\n');
        for (Map.Entry<String, String> e : environment.entrySet()) {
            out.append("  ")
                    .append(e.getKey())
                    .append(": ")
                    .append(e.getValue())
                    .append('\n');
        }
        int nameWidth = "benchmark".length();
        for (BenchRow r : rows) {
            nameWidth = Math.max(nameWidth, r.name().length());
        }
        String format = "%-" + nameWidth + "s  %12s  %18s  %9s  %14s%n";
        out.append(String.format(
                Locale.ROOT, format, "benchmark", "median time", "throughput", "GFLOP/s", "peak RSS (MiB)"));
        for (BenchRow r : rows) {
            out.append(String.format(
                    Locale.ROOT,
                    format,
                    r.name(),
                    formatSeconds(r.medianSeconds()),
                    formatThroughput(r),
                    formatNumber(r.gflops(), 1),
                    formatNumber(r.peakRssMiB(), 0)));
        }
        for (String block : blocks) {
            out.append('\n').append(block.strip()).append('\n');
        }
        return out.toString();
    }

    /** Replaces (or appends) section {@code sectionId} of the markdown file with this report, atomically. */
    public void writeSection(Path markdownFile, String sectionId) throws IOException {
        MarkdownSection.updateFile(markdownFile, sectionId, toMarkdown());
    }

    static String formatSeconds(double seconds) {
        if (Double.isNaN(seconds)) {
            return "-";
        }
        if (seconds >= 1) {
            return String.format(Locale.ROOT, "%.2f s", seconds);
        }
        if (seconds >= 1e-3) {
            return String.format(Locale.ROOT, "%.2f ms", seconds * 1e3);
        }
        return String.format(Locale.ROOT, "%.1f us", seconds * 1e6);
    }

    private static String formatThroughput(BenchRow r) {
        return Double.isNaN(r.throughput())
                ? "-"
                : formatNumber(r.throughput(), r.throughput() >= 100 ? 0 : 2) + " " + r.unit();
    }

    private static String formatNumber(double value, int decimals) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
