package org.mera.data;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The eight GLUE tasks as {@link Task}s, with labels spelled as in the data files, the official GLUE
 * metric as primary metric, and mera's tracks (AdapterHub's grouping: sts → paraphrase, nli →
 * inference, sentiment, lingaccept → acceptability).
 */
public final class GlueTasks {
    public static final String PARAPHRASE = "paraphrase";
    public static final String INFERENCE = "inference";
    public static final String SENTIMENT = "sentiment";
    public static final String ACCEPTABILITY = "acceptability";

    private static final List<String> BINARY = List.of("0", "1");
    private static final List<String> NLI2 = List.of("entailment", "not_entailment");

    public static final Task COLA = new Task("CoLA", false, BINARY, "mcc", ACCEPTABILITY);
    public static final Task SST2 = new Task("SST-2", false, BINARY, "accuracy", SENTIMENT);
    public static final Task MRPC = new Task("MRPC", true, BINARY, "f1", PARAPHRASE);
    public static final Task STSB = new Task("STS-B", true, List.of(), "pearson", PARAPHRASE);
    public static final Task QQP = new Task("QQP", true, BINARY, "f1", PARAPHRASE);
    public static final Task MNLI =
            new Task("MNLI", true, List.of("contradiction", "entailment", "neutral"), "accuracy", INFERENCE);
    public static final Task QNLI = new Task("QNLI", true, NLI2, "accuracy", INFERENCE);
    public static final Task RTE = new Task("RTE", true, NLI2, "accuracy", INFERENCE);

    /** All eight, in the GLUE benchmark's order. */
    public static final List<Task> ALL = List.of(COLA, SST2, MRPC, STSB, QQP, MNLI, QNLI, RTE);

    /** Metrics GLUE reports per task, primary first. */
    private static final Map<String, List<String>> REPORTED = Map.of(
            "CoLA", List.of("mcc"),
            "SST-2", List.of("accuracy"),
            "MRPC", List.of("f1", "accuracy"),
            "STS-B", List.of("pearson", "spearman"),
            "QQP", List.of("f1", "accuracy"),
            "MNLI", List.of("accuracy"),
            "QNLI", List.of("accuracy"),
            "RTE", List.of("accuracy"));

    /**
     * How each task's official TSV file is laid out: CoLA has no header (source, label, mark, sentence);
     * the others are found by header name.
     */
    private static final Map<String, Columns> TSV = Map.of(
            "CoLA", Columns.headerless(List.of("source", "label", "mark", "sentence"), "sentence", null, "label"),
            "SST-2", Columns.named("sentence", null, "label"),
            "MRPC", Columns.named("#1 String", "#2 String", "Quality"),
            "STS-B", Columns.named("sentence1", "sentence2", "score"),
            "QQP", Columns.named("question1", "question2", "is_duplicate"),
            "MNLI", Columns.named("sentence1", "sentence2", "gold_label"),
            "QNLI", Columns.named("question", "sentence", "label"),
            "RTE", Columns.named("sentence1", "sentence2", "label"));

    private GlueTasks() {}

    /** Adds the eight tasks, with aliases ("sst2", "sst", "stsb", "sts", "mnli-m"...). */
    public static void registerInto(TaskRegistry registry) {
        registry.register(COLA, REPORTED.get("CoLA"));
        registry.register(SST2, REPORTED.get("SST-2"), "sst");
        registry.register(MRPC, REPORTED.get("MRPC"));
        registry.register(STSB, REPORTED.get("STS-B"), "sts");
        registry.register(QQP, REPORTED.get("QQP"));
        registry.register(MNLI, REPORTED.get("MNLI"), "mnli-m", "mnli_matched");
        registry.register(QNLI, REPORTED.get("QNLI"));
        registry.register(RTE, REPORTED.get("RTE"));
    }

    /** Whether this is exactly one of the eight GLUE tasks. */
    public static boolean isGlue(Task task) {
        return ALL.contains(task);
    }

    /**
     * The metrics to report for a task, primary first: GLUE's own list for a GLUE task; otherwise the
     * task's primary metric, plus accuracy for a classification task and spearman/pearson for a
     * regression task (so every task gets an interpretable companion number).
     */
    public static List<String> reportedMetrics(Task task) {
        if (isGlue(task)) {
            return REPORTED.get(task.name());
        }
        List<String> declared = DECLARED.get(task);
        if (declared != null) {
            return declared;
        }
        String primary = task.metric();
        if (task.isRegression()) {
            String other = primary.equals("spearman") ? "pearson" : "spearman";
            return primary.equals(other) ? List.of(primary) : List.of(primary, other);
        }
        return primary.equals("accuracy") ? List.of(primary) : List.of(primary, "accuracy");
    }

    /** Metrics a task definition (task.yaml) declares, primary first, by task. */
    private static final Map<Task, List<String>> DECLARED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Records the metrics a task definition lists, so every scorer reports them; GLUE tasks keep GLUE's. A task
     * is a value, so two definitions of the same task agree on it.
     */
    static void registerReportedMetrics(Task task, List<String> metrics) {
        if (!isGlue(task)) {
            DECLARED.put(task, List.copyOf(metrics));
        }
    }

    /** The official TSV layout of a GLUE task (matched by name, case-sensitive), if it is one. */
    public static Optional<Columns> tsvColumns(Task task) {
        return Optional.ofNullable(TSV.get(task.name()));
    }
}
