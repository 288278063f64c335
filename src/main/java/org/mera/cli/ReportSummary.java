package org.mera.cli;

import java.util.regex.Pattern;
import org.mera.experiment.report.ReportWriter;

/**
 * What {@code mera experiment} and {@code mera demo} print of the Markdown report they wrote: per encoder and k, the
 * results table (every method and the trivial baselines) and then the table of the paper's claims (each comparison
 * with its CI and verdict), without the bold marks. Both are the report's own lines, so the terminal and the report
 * cannot disagree; the rest (paired tables, learning rates, source adapters, runs) stays in the report.
 */
final class ReportSummary {
    /** The heading of a section per encoder and k, e.g. "minilm, k = 16". */
    private static final Pattern ENCODER_K = Pattern.compile(".+, k = \\d+");

    private static final String CLAIMS_SECTION = "The paper's claims";

    private ReportSummary() {}

    static String of(String markdown) {
        StringBuilder results = new StringBuilder();
        StringBuilder claims = new StringBuilder();
        String section = "";
        StringBuilder target = null;
        boolean inTable = false;
        boolean afterResults = false;
        for (String line : markdown.split("\n")) {
            if (afterResults && !line.isBlank()) {
                // what the report says right under a results table about reading it (one seed: no comparisons;
                // rows with identical predictions), the terminal says too
                if (line.startsWith("No paired comparisons") || line.startsWith("Identical test predictions")) {
                    results.append(line).append('\n');
                    continue;
                }
                afterResults = false;
            }
            if (line.startsWith("## ")) {
                section = line.substring(3).trim();
                target = ENCODER_K.matcher(section).matches() ? results : null;
                if (target != null) {
                    target.append(section).append('\n');
                }
                inTable = false;
            } else if (line.startsWith("### ")) {
                String sub = line.substring(4).trim();
                boolean byClaim = sub.endsWith(ReportWriter.CLAIM_BY_CLAIM);
                sub = sub.substring(0, sub.length() - (byClaim ? ReportWriter.CLAIM_BY_CLAIM.length() : 0));
                target = section.equals(CLAIMS_SECTION)
                                && byClaim
                                && ENCODER_K.matcher(sub).matches()
                        ? claims
                        : null;
                if (target != null) {
                    target.append(CLAIMS_SECTION)
                            .append(", ")
                            .append(sub)
                            .append(" (method − baseline ×100, 95 % CI):\n");
                }
                inTable = false;
            } else if (target != null && line.startsWith("|")) {
                target.append(line).append('\n');
                inTable = true;
            } else if (inTable) {
                afterResults = target == results;
                target = null; // only the first table of a section
                inTable = false;
            }
        }
        String both = claims.isEmpty() ? results.toString() : results + "\n" + claims;
        return both.replace("**", "");
    }
}
