package org.mera.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mera.io.Json;

/**
 * Reads labelled (or, with no label column, unlabelled) examples from TSV, JSONL and CSV files, checking
 * every label against the {@link Task}. TSV is split on tabs only, with no quoting (GLUE's files contain
 * bare quote characters); CSV follows RFC 4180. A byte-order mark at the start of a file is dropped, as are
 * blank lines and a trailing carriage return on each line. Every error names the file and line.
 */
public final class ExampleReader {
    private static final ObjectMapper JSON = Json.PLAIN;

    private ExampleReader() {}

    /**
     * Reads a file by its extension: .tsv with the task's official GLUE layout (or text_a/text_b/label
     * headers for other tasks), .jsonl with fields found by {@link #sniffJsonlColumns}, .csv with
     * text_a/text_b/label headers.
     */
    public static List<Example> read(Path file, Task task) {
        return read(file, task, true);
    }

    /**
     * As {@link #read(Path, Task)}; with {@code labelled} false, no label column is read (the file may have
     * none, as GLUE's official test files), and every example's label is null.
     */
    public static List<Example> read(Path file, Task task, boolean labelled) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".tsv")) {
            return readTsv(file, task, labels(GlueTasks.tsvColumns(task).orElse(Columns.DEFAULT), labelled));
        } else if (name.endsWith(".jsonl")) {
            return readJsonl(file, task, labels(sniffJsonlColumns(file), labelled));
        } else if (name.endsWith(".csv")) {
            return readCsv(file, task, labels(Columns.DEFAULT, labelled));
        }
        throw new ExampleFileException(file, 0, "unknown data file type (expected .tsv, .jsonl or .csv)");
    }

    /**
     * Reads a file with the first of {@code layouts} that fits it: for JSONL and for TSV/CSV with a header row, the
     * first layout whose columns the first row names; for a TSV/CSV whose first row names none of them, the first
     * headerless layout. An error names the file, what its first row holds and the layouts tried.
     */
    public static List<Example> read(Path file, Task task, List<Columns> layouts, boolean labelled) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".tsv") && !name.endsWith(".jsonl") && !name.endsWith(".csv")) {
            throw new ExampleFileException(file, 0, "unknown data file type (expected .tsv, .jsonl or .csv)");
        }
        List<String> first = firstRowFields(file);
        Columns chosen = null;
        for (Columns c : layouts) {
            Columns fitted = labelled ? c : c.withoutLabel();
            if (fitted.hasHeader() && first.containsAll(needed(fitted, task))) {
                chosen = fitted;
                break;
            }
        }
        if (chosen == null && !name.endsWith(".jsonl")) {
            for (Columns c : layouts) {
                if (!c.hasHeader()) {
                    chosen = labelled ? c : c.withoutLabel();
                    break;
                }
            }
        }
        if (chosen == null) {
            throw new ExampleFileException(
                    file,
                    1,
                    "the first row has " + first + " but task " + task.name() + " reads "
                            + layouts.stream()
                                    .map(c -> needed(labelled ? c : c.withoutLabel(), task)
                                            .toString())
                                    .collect(java.util.stream.Collectors.joining(" or "))
                            + (layouts.stream().anyMatch(c -> !c.hasHeader())
                                    ? ""
                                    : "; a file without a header row needs 'columns' in task.yaml"));
        }
        if (name.endsWith(".tsv")) {
            return readTsv(file, task, chosen);
        }
        return name.endsWith(".jsonl") ? readJsonl(file, task, chosen) : readCsv(file, task, chosen);
    }

    private static List<String> needed(Columns c, Task task) {
        List<String> n = new ArrayList<>();
        n.add(c.textA());
        if (task.pair() && c.textB() != null) {
            n.add(c.textB());
        }
        if (c.label() != null) {
            n.add(c.label());
        }
        return n;
    }

    /** The first row's cells (TSV/CSV, trimmed) or the first JSON object's field names. */
    public static List<String> firstRowFields(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl")) {
            List<String> lines = readLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) {
                    List<String> names = new ArrayList<>();
                    parseJsonObject(file, i + 1, lines.get(i)).fieldNames().forEachRemaining(names::add);
                    return names;
                }
            }
            throw new ExampleFileException(file, 0, "file has no examples");
        }
        List<String[]> rows = rows(file, 1);
        if (rows.isEmpty()) {
            throw new ExampleFileException(file, 0, "file has no examples");
        }
        return java.util.Arrays.stream(rows.get(0)).map(String::trim).toList();
    }

    /** Up to {@code max} rows of a TSV or CSV file as raw cells (all rows for max &lt;= 0), blank lines skipped. */
    public static List<String[]> rows(Path file, int max) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        List<String[]> out = new ArrayList<>();
        if (name.endsWith(".csv")) {
            for (CsvRecord r : parseCsv(file, readText(file))) {
                if (max > 0 && out.size() >= max) {
                    break;
                }
                out.add(r.fields());
            }
            return out;
        }
        for (String line : readLines(file)) {
            if (line.isEmpty()) {
                continue;
            }
            if (max > 0 && out.size() >= max) {
                break;
            }
            out.add(line.split("\t", -1));
        }
        return out;
    }

    private static Columns labels(Columns c, boolean labelled) {
        return labelled ? c : c.withoutLabel();
    }

    /** Tab-separated, no quoting; columns by header name, or by position for a headerless layout. */
    public static List<Example> readTsv(Path file, Task task, Columns columns) {
        Columns cols = fitToTask(file, task, columns);
        List<String> lines = readLines(file);
        Map<String, Integer> index = null;
        int headerLine = 0;
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) {
                continue;
            }
            int lineNo = i + 1;
            String[] fields = line.split("\t", -1);
            if (index == null) {
                if (cols.hasHeader()) {
                    index = headerIndex(fields);
                    headerLine = lineNo;
                    requireColumns(file, lineNo, cols, index);
                    continue;
                }
                index = headerIndex(cols.headerlessNames().toArray(String[]::new));
            }
            checkWidth(file, lineNo, cols, fields);
            out.add(toExample(file, lineNo, task, cols, rowGetter(file, lineNo, fields, index, headerLine)));
        }
        return nonEmpty(file, out);
    }

    /** One JSON object per line; {@code columns} names the fields. Labels may be JSON strings or numbers. */
    public static List<Example> readJsonl(Path file, Task task, Columns columns) {
        Columns cols = fitToTask(file, task, columns);
        List<String> lines = readLines(file);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            int lineNo = i + 1;
            JsonNode row = parseJsonObject(file, lineNo, line);
            out.add(toExample(file, lineNo, task, cols, field -> {
                JsonNode v = row.get(field);
                if (v == null || v.isNull()) {
                    throw new ExampleFileException(file, lineNo, "missing field '" + field + "'");
                }
                if (!v.isValueNode()) {
                    throw new ExampleFileException(file, lineNo, "field '" + field + "' is not a string or number");
                }
                return v.asText();
            }));
        }
        return nonEmpty(file, out);
    }

    /** RFC-4180 CSV: comma-separated, double-quoted fields may hold commas, quotes ("") and newlines. */
    public static List<Example> readCsv(Path file, Task task, Columns columns) {
        Columns cols = fitToTask(file, task, columns);
        String text = readText(file);
        List<CsvRecord> records = parseCsv(file, text);
        Map<String, Integer> index = null;
        int headerLine = 0;
        int headerWidth = 0;
        List<Example> out = new ArrayList<>();
        for (CsvRecord rec : records) {
            String[] fields = rec.fields();
            if (index == null) {
                if (cols.hasHeader()) {
                    index = headerIndex(fields);
                    headerLine = rec.line();
                    headerWidth = fields.length;
                    requireColumns(file, rec.line(), cols, index);
                    continue;
                }
                index = headerIndex(cols.headerlessNames().toArray(String[]::new));
            }
            checkWidth(file, rec.line(), cols, fields);
            if (headerWidth > 0 && fields.length > headerWidth && hasTextBeyond(fields, headerWidth)) {
                // An unquoted comma in a text splits it: its tail would be read as the next column (the label).
                throw new ExampleFileException(
                        file,
                        rec.line(),
                        "row has " + fields.length + " fields but the header on line " + headerLine + " names "
                                + headerWidth
                                + "; a text holding a comma must be quoted (\"Good food, great staff.\")");
            }
            out.add(toExample(file, rec.line(), task, cols, rowGetter(file, rec.line(), fields, index, headerLine)));
        }
        return nonEmpty(file, out);
    }

    /**
     * The field convention of a JSONL file, from its first row: text_a/text_b/label, or
     * premise/hypothesis/label (MNLI's test_matched.jsonl). Error if the row follows neither.
     */
    public static Columns sniffJsonlColumns(Path file) {
        List<String> lines = readLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode row = parseJsonObject(file, i + 1, lines.get(i));
            if (row.has(Columns.DEFAULT.textA())) {
                return Columns.DEFAULT;
            }
            if (row.has(Columns.PREMISE_HYPOTHESIS.textA())) {
                return Columns.PREMISE_HYPOTHESIS;
            }
            List<String> names = new ArrayList<>();
            row.fieldNames().forEachRemaining(names::add);
            throw new ExampleFileException(
                    file,
                    i + 1,
                    "row has neither 'text_a' nor 'premise' field (fields: " + names
                            + "); pass the field names explicitly");
        }
        throw new ExampleFileException(file, 0, "file has no examples");
    }

    // ---------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Row {
        String get(String column);
    }

    /** Single-sentence tasks ignore a second-text column; pair tasks must have one. */
    private static Columns fitToTask(Path file, Task task, Columns cols) {
        if (!task.pair()) {
            return cols.textB() == null ? cols : cols.withoutTextB();
        }
        if (cols.textB() == null) {
            throw new ExampleFileException(
                    file, 0, "task " + task.name() + " takes sentence pairs but no second-text column was given");
        }
        return cols;
    }

    private static Example toExample(Path file, int lineNo, Task task, Columns cols, Row row) {
        String a = row.get(cols.textA());
        String b = cols.textB() == null ? null : row.get(cols.textB());
        String label = cols.label() == null ? null : row.get(cols.label()).trim();
        if (label != null) {
            checkLabel(file, lineNo, task, label);
        }
        return new Example(a, b, label);
    }

    /** The metric of a probe task whose labels are read as they are, to infer the label set (see TaskInference). */
    static final String ANY_LABEL = "*";

    private static void checkLabel(Path file, int lineNo, Task task, String label) {
        if (task.metric().equals(ANY_LABEL)) {
            return;
        }
        if (task.isRegression()) {
            double v;
            try {
                v = Double.parseDouble(label);
            } catch (NumberFormatException e) {
                throw new ExampleFileException(
                        file,
                        lineNo,
                        "label '" + label + "' of regression task " + task.name() + " is not a number",
                        e);
            }
            if (!Double.isFinite(v)) {
                throw new ExampleFileException(file, lineNo, "label '" + label + "' is not a finite number");
            }
        } else if (!task.labels().contains(label)) {
            throw new ExampleFileException(
                    file,
                    lineNo,
                    "unknown label '" + label + "' for task " + task.name() + " (known: " + task.labels() + ")");
        }
    }

    private static Row rowGetter(Path file, int lineNo, String[] fields, Map<String, Integer> index, int headerLine) {
        return column -> {
            int k = index.get(column);
            if (k >= fields.length) {
                throw new ExampleFileException(
                        file,
                        lineNo,
                        "row has " + fields.length + " fields but column '"
                                + column + "' is field " + (k + 1)
                                + (headerLine > 0 ? " of the header on line " + headerLine : ""));
            }
            return fields[k];
        };
    }

    /** Whether a row has a non-empty field past the header's columns (trailing empty fields are a spreadsheet's). */
    private static boolean hasTextBeyond(String[] fields, int width) {
        for (int i = width; i < fields.length; i++) {
            if (!fields[i].isBlank()) {
                return true;
            }
        }
        return false;
    }

    /** A file without a header row is only as reliable as its column positions: a row of another width is refused. */
    private static void checkWidth(Path file, int lineNo, Columns cols, String[] fields) {
        if (!cols.hasHeader() && fields.length != cols.headerlessNames().size()) {
            throw new ExampleFileException(
                    file,
                    lineNo,
                    "row has " + fields.length + " fields, but the file's columns are " + cols.headerlessNames());
        }
    }

    private static Map<String, Integer> headerIndex(String[] names) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            index.putIfAbsent(names[i].trim(), i);
        }
        return index;
    }

    private static void requireColumns(Path file, int lineNo, Columns cols, Map<String, Integer> index) {
        for (String c : new String[] {cols.textA(), cols.textB(), cols.label()}) {
            if (c != null && !index.containsKey(c)) {
                throw new ExampleFileException(
                        file,
                        lineNo,
                        "missing column '" + c + "' (header has "
                                + index.keySet().stream().sorted().toList() + ")");
            }
        }
    }

    private static JsonNode parseJsonObject(Path file, int lineNo, String line) {
        JsonNode row;
        try {
            row = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new ExampleFileException(file, lineNo, "bad JSON: " + e.getOriginalMessage(), e);
        }
        if (row == null || !row.isObject()) {
            throw new ExampleFileException(file, lineNo, "expected a JSON object per line");
        }
        return row;
    }

    private static List<Example> nonEmpty(Path file, List<Example> out) {
        if (out.isEmpty()) {
            throw new ExampleFileException(file, 0, "file has no examples");
        }
        return out;
    }

    /** The file's lines, without a leading byte-order mark or trailing carriage returns. */
    private static List<String> readLines(Path file) {
        String text = readText(file);
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        lines.replaceAll(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        return lines;
    }

    private static String readText(Path file) {
        String text;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[1 << 16];
            for (int n; (n = r.read(buf)) > 0; ) {
                sb.append(buf, 0, n);
            }
            text = sb.toString();
        } catch (CharacterCodingException e) {
            throw new ExampleFileException(file, 0, "not valid UTF-8", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    record CsvRecord(int line, String[] fields) {}

    /** RFC 4180, also accepting LF line ends; blank lines are skipped. */
    static List<CsvRecord> parseCsv(Path file, String text) {
        List<CsvRecord> records = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int recordLine = 1;
        int i = 0;
        int n = text.length();
        boolean fieldStarted = false;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '"' && field.length() == 0 && !fieldStarted) {
                int quoteLine = line;
                i++;
                while (true) {
                    if (i >= n) {
                        throw new ExampleFileException(file, quoteLine, "quoted field is never closed");
                    }
                    char q = text.charAt(i);
                    if (q == '"') {
                        if (i + 1 < n && text.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (q == '\n') {
                        line++;
                    }
                    field.append(q);
                    i++;
                }
                fieldStarted = true;
                if (i < n && text.charAt(i) != ',' && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
                    throw new ExampleFileException(file, line, "unexpected character after a closing quote");
                }
                continue;
            }
            if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                i++;
                fieldStarted = false;
                continue;
            }
            if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                i++;
                fields.add(field.toString());
                field.setLength(0);
                fieldStarted = false;
                if (!(fields.size() == 1 && fields.get(0).isEmpty())) {
                    records.add(new CsvRecord(recordLine, fields.toArray(String[]::new)));
                }
                fields.clear();
                line++;
                recordLine = line;
                continue;
            }
            if (c == '"') {
                throw new ExampleFileException(file, line, "quote inside an unquoted field");
            }
            field.append(c);
            i++;
        }
        if (field.length() > 0 || fieldStarted || !fields.isEmpty()) {
            fields.add(field.toString());
            records.add(new CsvRecord(recordLine, fields.toArray(String[]::new)));
        }
        return records;
    }
}
