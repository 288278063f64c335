package org.mera.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Infers a task's definition from its data when its directory has no task.yaml: the columns from the first
 * training file (the common header and JSON key names, or LM-BFF's headerless {@code label,sentence} CSV), the
 * label names from every training file, sorted (numerically when they are all integers). Anything it cannot
 * decide is refused with the task.yaml to write.
 */
public final class TaskInference {
    /** Known two-text column pairs, tried in order. */
    static final List<List<String>> PAIRS = List.of(
            List.of("text_a", "text_b"),
            List.of("sentence1", "sentence2"),
            List.of("premise", "hypothesis"),
            List.of("question", "sentence"),
            List.of("question1", "question2"));
    /** Known single-text columns. */
    static final List<String> SINGLES = List.of("sentence", "text", "text_a");
    /** Known label columns. */
    static final List<String> LABELS = List.of("label", "gold_label");
    /** Most classes an inferred classification task may have before it looks like something else. */
    static final int MAX_INFERRED_LABELS = 50;

    private TaskInference() {}

    /**
     * The definition of the task whose training files are {@code trainFiles} (the first decides the columns), named
     * {@code name}.
     */
    public static TaskDefinition infer(String name, List<Path> trainFiles, Path dir) {
        if (trainFiles.isEmpty()) {
            throw new IllegalArgumentException(
                    dir + ": no training data found (looked for k-shot/K-SEED/train.*, train.* and "
                            + "pool/train.* with extension .tsv, .csv or .jsonl)");
        }
        Path first = trainFiles.get(0);
        Columns columns = columns(first, dir);
        boolean pair = columns.textB() != null;
        List<String> labels = labels(name, trainFiles, columns, dir);
        Task task = new Task(name, pair, labels, "accuracy", "");
        List<Columns> layouts = new ArrayList<>(List.of(columns));
        if (!columns.equals(Columns.DEFAULT)) {
            layouts.add(Columns.DEFAULT);
        }
        return new TaskDefinition(task, List.of("accuracy"), layouts, "inferred from " + first);
    }

    /**
     * The label set of the training files read with {@code columns}: integers in numeric order, anything else in
     * string order (what a task.yaml without {@code labels} gets, too).
     */
    public static List<String> labels(String name, List<Path> trainFiles, Columns columns, Path dir) {
        if (trainFiles.isEmpty()) {
            throw new IllegalArgumentException(
                    dir + ": no training data to read the labels from (looked for k-shot/K-SEED/train.*, train.* and "
                            + "pool/train.* with extension .tsv, .csv or .jsonl); list them in "
                            + dir.resolve(TaskDefinition.FILE) + " (labels: [...])");
        }
        // Read the labels as plain text first: the label set is what is being inferred.
        Task probe = new Task(name, columns.textB() != null, List.of(), ExampleReader.ANY_LABEL, "");
        Set<String> seen = new LinkedHashSet<>();
        for (Path f : trainFiles) {
            for (Example e : ExampleReader.read(f, probe, List.of(columns), true)) {
                seen.add(e.label());
            }
        }
        return orderedLabels(seen, name, columns, dir);
    }

    /** The columns of a data file, by header or key names, or LM-BFF's headerless label,sentence layout. */
    static Columns columns(Path file, Path dir) {
        String fname = file.getFileName().toString().toLowerCase(Locale.ROOT);
        List<String> header = ExampleReader.firstRowFields(file);
        Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        names.addAll(header);
        String label = LABELS.stream()
                .filter(names::contains)
                .findFirst()
                .map(l -> exact(header, l))
                .orElse(null);
        List<String> pairFound =
                PAIRS.stream().filter(names::containsAll).findFirst().orElse(null);
        if (label != null && pairFound != null) {
            return Columns.named(exact(header, pairFound.get(0)), exact(header, pairFound.get(1)), label);
        }
        List<String> singles = SINGLES.stream().filter(names::contains).toList();
        if (label != null && singles.size() == 1) {
            return Columns.named(exact(header, singles.get(0)), null, label);
        }
        if (label != null || !singles.isEmpty() || fname.endsWith(".jsonl")) {
            String what = label == null ? "label" : "text";
            String near = nearest(header, label == null ? LABELS : SINGLES);
            throw ambiguous(
                    dir,
                    file,
                    "its " + (fname.endsWith(".jsonl") ? "fields" : "header") + " " + header
                            + (label == null
                                    ? " name no label column (" + LABELS + ")"
                                    : " do not name one text column (" + SINGLES + ") or a known pair (" + PAIRS + ")")
                            + (near == null ? "" : "; is '" + near + "' the " + what + " (misspelled)?"),
                    header);
        }
        // No known names in the first row: a headerless file. LM-BFF's single-sentence files are label,sentence.
        List<String[]> rows = ExampleReader.rows(file, 0);
        if (header.size() == 2 && looksLikeLabels(rows)) {
            return Columns.headerless(List.of("label", "sentence"), "sentence", null, "label");
        }
        throw ambiguous(
                dir,
                file,
                "it has no header row naming its columns and is not LM-BFF's two-column label,sentence "
                        + "layout (first row: " + header + ")",
                null);
    }

    /** The first column of every row is a short token, and there are few distinct ones. */
    private static boolean looksLikeLabels(List<String[]> rows) {
        Set<String> distinct = new TreeSet<>();
        for (String[] r : rows) {
            if (r.length != 2) {
                return false;
            }
            String v = r[0].trim();
            if (v.isEmpty() || v.length() > 32 || v.contains(" ")) {
                return false;
            }
            distinct.add(v);
        }
        return distinct.size() >= 2 && distinct.size() <= Math.max(2, Math.min(MAX_INFERRED_LABELS, rows.size() / 2));
    }

    private static String exact(List<String> header, String name) {
        return header.stream().filter(h -> h.equalsIgnoreCase(name)).findFirst().orElse(name);
    }

    /** Integers in numeric order, anything else in string order; real numbers and single labels are refused. */
    static List<String> orderedLabels(Set<String> seen, String name, Columns columns, Path dir) {
        boolean allNumbers = seen.stream().allMatch(TaskInference::isNumber);
        boolean allIntegers = seen.stream().allMatch(s -> s.matches("-?\\d+"));
        if (allNumbers && !allIntegers) {
            // one line (errors print as one), with this file's columns filled in
            throw new ExampleFileException(
                    dir,
                    0,
                    "the labels are real numbers (e.g. "
                            + seen.stream().limit(3).toList()
                            + "): if this is a regression task, say so in " + dir.resolve(TaskDefinition.FILE)
                            + ", one key per line: kind: regression, text: " + columns.textA()
                            + (columns.textB() == null ? "" : ", textPair: " + columns.textB())
                            + ", label: " + columns.label()
                            + (columns.hasHeader() ? "" : ", columns: " + columns.headerlessNames())
                            + ", metrics: [pearson, spearman]");
        }
        if (seen.size() < 2) {
            throw new ExampleFileException(
                    dir,
                    0,
                    "the training data has only the label(s) " + seen + "; a classification task "
                            + "needs at least two");
        }
        if (seen.size() > MAX_INFERRED_LABELS) {
            throw new ExampleFileException(
                    dir,
                    0,
                    "the training data has " + seen.size() + " distinct labels, more than " + MAX_INFERRED_LABELS
                            + " that mera infers; write " + dir.resolve(TaskDefinition.FILE) + " listing them");
        }
        List<String> labels = new ArrayList<>(seen);
        labels.sort(allIntegers ? Comparator.comparingLong(Long::parseLong) : Comparator.naturalOrder());
        return labels;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** A header name within two edits of a known one (case aside), e.g. 'lable' for 'label'; else null. */
    static String nearest(List<String> header, List<String> known) {
        for (String h : header) {
            for (String k : known) {
                int d = editDistance(h.toLowerCase(Locale.ROOT), k);
                if (d > 0 && d <= 2 && h.length() > 2) {
                    return h;
                }
            }
        }
        return null;
    }

    /** Edits (insert, delete, substitute, swap two neighbours) that turn {@code a} into {@code b}. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /**
     * One line (errors print as one): the keys of the task.yaml that settles it, filled with this file's column names
     * where it has a header ({@code header}; null for a headerless file).
     */
    private static ExampleFileException ambiguous(Path dir, Path file, String why, List<String> header) {
        String text = header == null || header.isEmpty() ? "COLUMN" : header.get(0);
        String label = header == null || header.size() < 2 ? "COLUMN" : header.get(header.size() - 1);
        return new ExampleFileException(
                file,
                1,
                "cannot tell the task's columns: " + why + ". Rename the columns, or name them in "
                        + dir.resolve(TaskDefinition.FILE)
                        + ", one key per line: kind: classification (or regression), "
                        + "text: " + text + ", label: " + label + " (textPair: COLUMN for sentence pairs"
                        + (header == null ? "; columns: [...] listing a headerless file's columns in order" : "")
                        + "; labels: [...] in class-index order, or left out to read them from the training data); "
                        + "docs/user-tasks.md has every key");
    }
}
