package org.mera.data;

import java.util.List;

/**
 * Which columns (TSV/CSV) or fields (JSONL) hold the first text, the second text and the label. Columns
 * are found by header name; for a file without a header row, {@code headerlessNames} names its columns in
 * order. {@code textB} is null for single-sentence data; {@code label} is null to read unlabelled data.
 */
public record Columns(List<String> headerlessNames, String textA, String textB, String label) {
    /** text_a / text_b / label: mera's JSONL rows and the WordNet suite's files. */
    public static final Columns DEFAULT = named("text_a", "text_b", "label");
    /** premise / hypothesis / label: MNLI's test_matched.jsonl. */
    public static final Columns PREMISE_HYPOTHESIS = named("premise", "hypothesis", "label");

    public Columns {
        if (textA == null) {
            throw new IllegalArgumentException("columns need a first-text column");
        }
        if (headerlessNames != null) {
            headerlessNames = List.copyOf(headerlessNames);
            for (String c : new String[] {textA, textB, label}) {
                if (c != null && !headerlessNames.contains(c)) {
                    throw new IllegalArgumentException("column '" + c + "' is not among " + headerlessNames);
                }
            }
        }
    }

    /** Columns found by name in the file's header row (or a JSON object's fields). */
    public static Columns named(String textA, String textB, String label) {
        return new Columns(null, textA, textB, label);
    }

    /** A file with no header row whose columns are, in order, {@code names}. */
    public static Columns headerless(List<String> names, String textA, String textB, String label) {
        return new Columns(names, textA, textB, label);
    }

    public boolean hasHeader() {
        return headerlessNames == null;
    }

    /** The same columns for a single-sentence task: no second text. */
    public Columns withoutTextB() {
        return new Columns(headerlessNames, textA, null, label);
    }

    /** The same columns, reading no label (unlabelled data). */
    public Columns withoutLabel() {
        return new Columns(headerlessNames, textA, textB, null);
    }
}
