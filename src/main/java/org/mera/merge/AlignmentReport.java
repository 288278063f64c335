package org.mera.merge;

import java.util.List;
import java.util.Locale;
import org.mera.adapter.AdapterLocation;

/**
 * Per (layer, location) and source: the Frobenius distance between the source's neuron features and the
 * anchor's, before and after alignment (features: [down row, down bias, up column] per neuron, or the
 * activation columns when the activation metric is used). After < before shows what alignment bought.
 */
public record AlignmentReport(String anchor, String ground, int iterations, List<Entry> entries) {

    public record Entry(int layer, AdapterLocation location, String source, double before, double after) {}

    public AlignmentReport {
        entries = List.copyOf(entries);
    }

    public double meanBefore() {
        return entries.stream().mapToDouble(Entry::before).average().orElse(0);
    }

    public double meanAfter() {
        return entries.stream().mapToDouble(Entry::after).average().orElse(0);
    }

    /** A Markdown table, one row per entry. */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| layer | location | source | distance before | distance after |\n");
        sb.append("|---:|---|---|---:|---:|\n");
        for (Entry e : entries) {
            sb.append(String.format(
                    Locale.ROOT,
                    "| %d | %s | %s | %.4f | %.4f |%n",
                    e.layer(),
                    e.location().keySegment(),
                    e.source(),
                    e.before(),
                    e.after()));
        }
        return sb.toString();
    }

    /** A few lines: anchor, iterations and the mean distances per source. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "alignment to anchor %s (%s ground metric, %d iteration%s)%n",
                anchor,
                ground,
                iterations,
                iterations == 1 ? "" : "s"));
        entries.stream().map(Entry::source).distinct().forEach(src -> {
            double b = entries.stream()
                    .filter(e -> e.source().equals(src))
                    .mapToDouble(Entry::before)
                    .average()
                    .orElse(0);
            double a = entries.stream()
                    .filter(e -> e.source().equals(src))
                    .mapToDouble(Entry::after)
                    .average()
                    .orElse(0);
            sb.append(String.format(Locale.ROOT, "  %-24s mean distance %.4f -> %.4f%n", src, b, a));
        });
        return sb.toString();
    }
}
