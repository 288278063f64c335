package org.mera.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything mera needs to know to read and score a task's files: the {@link Task} (name, pair or single, label
 * names in order, primary metric, track), the metrics reported for it, and the column layouts its files may use
 * (tried in order: the first whose columns a file has; a headerless layout for files without a header row).
 * Built-in tasks (GLUE, WordNet) and user task directories are both described this way; a user's is read from
 * {@code task.yaml} ({@link #FILE}) or inferred from the data ({@link TaskInference}).
 *
 * @param origin where the definition came from: "built-in", the task.yaml path, or "inferred from FILE"
 */
public record TaskDefinition(Task task, List<String> metrics, List<Columns> layouts, String origin) {
    public static final String FILE = "task.yaml";

    /** Metrics mera computes per kind of task. */
    public static final List<String> CLASSIFICATION_METRICS = List.of("accuracy", "f1", "mcc");

    public static final List<String> REGRESSION_METRICS = List.of("pearson", "spearman");

    public TaskDefinition {
        metrics = List.copyOf(metrics);
        layouts = List.copyOf(layouts);
        if (metrics.isEmpty() || !metrics.get(0).equals(task.metric())) {
            throw new IllegalArgumentException("task " + task.name() + ": metrics " + metrics
                    + " must start with its primary metric " + task.metric());
        }
        if (layouts.isEmpty()) {
            throw new IllegalArgumentException("task " + task.name() + ": no column layout");
        }
        GlueTasks.registerReportedMetrics(task, metrics);
    }

    /** A built-in task: GLUE's official TSV columns where it has them, then mera's JSONL field conventions. */
    public static TaskDefinition builtIn(Task task, List<String> metrics) {
        List<Columns> layouts = new ArrayList<>();
        GlueTasks.tsvColumns(task).ifPresent(layouts::add);
        layouts.add(Columns.DEFAULT);
        layouts.add(Columns.PREMISE_HYPOTHESIS);
        return new TaskDefinition(task, metrics, layouts, "built-in");
    }

    public String name() {
        return task.name();
    }

    /** The file's examples, read with the first layout that fits it. */
    public List<Example> read(Path file) {
        return ExampleReader.read(file, task, layouts, true);
    }

    /** As {@link #read(Path)}; unlabelled files (no label column) give examples with a null label. */
    public List<Example> read(Path file, boolean labelled) {
        return ExampleReader.read(file, task, layouts, labelled);
    }

    // --- task.yaml ----------------------------------------------------------------------------------------------

    /** The shape of task.yaml; unknown keys are an error. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Yaml {
        public String name;
        /** classification or regression. */
        public String kind;
        /** The first text's column (TSV/CSV header name, or JSONL field). */
        public String text;
        /** The second text's column, for sentence pairs. */
        public String textPair;

        public String label;
        /** Label names in class-index order (classification only). */
        public List<String> labels;
        /** Metrics reported, the primary (model-selection) metric first. */
        public List<String> metrics;
        /** The family of tasks it belongs to (same-track merging). */
        public String track;
        /** For TSV/CSV files without a header row: the column names, in order. */
        public List<String> columns;
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Reads and checks a task.yaml; every error names the file and the field. */
    public static TaskDefinition load(Path file) throws IOException {
        return load(file, null);
    }

    /**
     * Reads and checks a task.yaml; a classification task that lists no {@code labels} takes them from {@code
     * labelsFromData} (given the file's columns; null: labels are required), as a directory without task.yaml does.
     */
    public static TaskDefinition load(Path file, java.util.function.Function<Columns, List<String>> labelsFromData)
            throws IOException {
        Yaml y;
        try {
            y = YAML.readValue(Files.readAllBytes(file), Yaml.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ExampleFileException(
                    file,
                    0,
                    "unknown key '" + e.getPropertyName() + "' (known: name, kind, text, textPair, "
                            + "label, labels, metrics, track, columns)",
                    e);
        } catch (JsonMappingException e) {
            throw new ExampleFileException(
                    file,
                    e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    e.getOriginalMessage() + " at " + e.getPathReference(),
                    e);
        } catch (JsonProcessingException e) {
            throw new ExampleFileException(
                    file,
                    e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "not valid YAML: " + e.getOriginalMessage(),
                    e);
        }
        if (y == null) {
            throw new ExampleFileException(file, 0, "empty task definition (see docs/tasks.md for its keys)");
        }
        return fromYaml(
                y,
                file.getParent().getFileName() == null
                        ? "task"
                        : file.getParent().getFileName().toString(),
                file.toString(),
                file,
                labelsFromData);
    }

    /** A definition from task.yaml's fields; {@code defaultName} when it names none. */
    static TaskDefinition fromYaml(
            Yaml y,
            String defaultName,
            String origin,
            Path file,
            java.util.function.Function<Columns, List<String>> labelsFromData) {
        List<String> problems = new ArrayList<>();
        // An empty list entry ("[accuracy, ]", or "&a" with no value) is null: name it here, before a null reaches a
        // list
        // lookup (List.of(...).contains(null) throws).
        for (var list : java.util.Map.of(
                        "labels",
                        y.labels == null ? List.<String>of() : y.labels,
                        "metrics",
                        y.metrics == null ? List.<String>of() : y.metrics,
                        "columns",
                        y.columns == null ? List.<String>of() : y.columns)
                .entrySet()) {
            if (list.getValue().stream().anyMatch(java.util.Objects::isNull)) {
                problems.add(list.getKey() + ": an entry is empty: " + list.getValue());
            }
        }
        if (!problems.isEmpty()) {
            throw new ExampleFileException(file, 0, String.join("; ", problems));
        }
        String name = y.name == null || y.name.isBlank() ? defaultName : y.name.trim();
        String kind = y.kind == null ? (y.labels == null ? null : "classification") : y.kind.trim();
        if (kind == null) {
            problems.add("kind: missing (classification or regression)");
        } else if (!kind.equals("classification") && !kind.equals("regression")) {
            problems.add("kind: '" + kind + "' is neither classification nor regression");
        }
        if (y.text == null || y.text.isBlank()) {
            problems.add("text: missing (the column or field holding the text)");
        }
        if (y.label == null || y.label.isBlank()) {
            problems.add("label: missing (the column or field holding the label)");
        }
        boolean regression = "regression".equals(kind);
        List<String> labels = y.labels == null ? List.of() : y.labels;
        // No labels listed: read from the training data once the columns are known, as without task.yaml.
        boolean labelsToRead = "classification".equals(kind) && y.labels == null && labelsFromData != null;
        if (!regression && "classification".equals(kind) && !labelsToRead) {
            if (labels.size() < 2) {
                problems.add("labels: a classification task needs at least two label names, in class-index order");
            } else if (Set.copyOf(labels.stream().map(String::valueOf).toList()).size() != labels.size()) {
                problems.add("labels: names repeat: " + labels);
            }
        }
        if (regression && !labels.isEmpty()) {
            problems.add("labels: a regression task has no label names");
        }
        List<String> allowed = regression ? REGRESSION_METRICS : CLASSIFICATION_METRICS;
        List<String> metrics =
                y.metrics == null || y.metrics.isEmpty() ? List.of(regression ? "pearson" : "accuracy") : y.metrics;
        for (String m : metrics) {
            if (!allowed.contains(m)) {
                problems.add("metrics: '" + m + "' is not a " + (regression ? "regression" : "classification")
                        + " metric (known: " + allowed + ")");
            } else if (m.equals("f1") && labels.size() != 2 && !labelsToRead) {
                problems.add("metrics: f1 needs exactly two labels (the second is the positive class); have "
                        + labels.size());
            }
        }
        Columns columns = null;
        if (problems.isEmpty()) {
            try {
                columns = y.columns == null
                        ? Columns.named(y.text, y.textPair, y.label)
                        : Columns.headerless(y.columns, y.text, y.textPair, y.label);
            } catch (IllegalArgumentException e) {
                problems.add("columns: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ExampleFileException(file, 0, String.join("; ", problems));
        }
        if (labelsToRead) {
            labels = labelsFromData.apply(columns);
            if (metrics.contains("f1") && labels.size() != 2) {
                throw new ExampleFileException(
                        file,
                        0,
                        "metrics: f1 needs exactly two labels (the second is the positive class); the training data "
                                + "has " + labels.size() + ": " + labels);
            }
        }
        Task task = new Task(
                name,
                y.textPair != null,
                labels.stream().map(String::valueOf).toList(),
                metrics.get(0),
                y.track == null ? "" : y.track.trim());
        List<Columns> layouts = new ArrayList<>();
        layouts.add(columns);
        // mera's own JSONL files (splits it sampled) use text_a/text_b/label whatever the task's columns are.
        layouts.add(Columns.DEFAULT);
        return new TaskDefinition(task, metrics, layouts, origin);
    }

    /** The same definition without a track (what a result depends on: the track only picks same-track sources). */
    public TaskDefinition withoutTrack() {
        return new TaskDefinition(
                new Task(task.name(), task.pair(), task.labels(), task.metric(), null), metrics, layouts, origin);
    }

    /** This definition as task.yaml's fields (the first layout's columns). */
    public Yaml toYaml() {
        Yaml y = new Yaml();
        y.name = task.name();
        y.kind = task.isRegression() ? "regression" : "classification";
        Columns c = layouts.get(0);
        y.text = c.textA();
        y.textPair = task.pair() ? c.textB() : null;
        y.label = c.label();
        y.labels = task.isRegression() ? null : task.labels();
        y.metrics = metrics;
        y.track = task.track() == null || task.track().isEmpty() ? null : task.track();
        y.columns = c.hasHeader() ? null : c.headerlessNames();
        return y;
    }

    /** task.yaml's text for this definition, with a comment line per key. */
    public String toYamlText() {
        Yaml y = toYaml();
        Map<String, String> comments = new LinkedHashMap<>();
        comments.put("kind", "classification or regression");
        comments.put("text", "column (header name) or JSONL field of the first text");
        comments.put("textPair", "the second text, for sentence pairs");
        comments.put("label", "column or field of the label");
        comments.put("labels", "label names in class-index order");
        comments.put("metrics", "reported metrics, the primary (model selection) first");
        comments.put("track", "family of tasks, for same-track merging");
        comments.put("columns", "files without a header row: their columns in order");
        try {
            String text = YAML.writeValueAsString(y);
            return text.lines()
                            .map(line -> {
                                String key = line.contains(":") && !line.startsWith(" ") && !line.startsWith("-")
                                        ? line.substring(0, line.indexOf(':'))
                                        : "";
                                String comment = comments.get(key);
                                return comment == null ? line : line + "    # " + comment;
                            })
                            .collect(Collectors.joining("\n"))
                    + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a task definition as YAML", e);
        }
    }
}
