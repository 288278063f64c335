package org.mera.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TaskRegistryTest {
    private final TaskRegistry glue = TaskRegistry.withGlue();

    @Test
    void findsGlueTasksByNameCaseAndAlias() {
        assertEquals(GlueTasks.SST2, glue.get("SST-2"));
        assertEquals(GlueTasks.SST2, glue.get("sst2"));
        assertEquals(GlueTasks.SST2, glue.get("Sst_2"));
        assertEquals(GlueTasks.SST2, glue.get("sst"));
        assertEquals(GlueTasks.STSB, glue.get("stsb"));
        assertEquals(GlueTasks.STSB, glue.get("sts"));
        assertEquals(GlueTasks.COLA, glue.get("cola"));
        assertEquals(GlueTasks.MNLI, glue.get("mnli-m"));
        assertEquals(GlueTasks.RTE, glue.get(" rte "));
        assertEquals(8, glue.tasks().size());
    }

    @Test
    void unknownTaskErrorListsKnownNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> glue.get("wnli"));
        assertTrue(e.getMessage().contains("wnli") && e.getMessage().contains("MRPC"), e.getMessage());
    }

    @Test
    void glueTasksHaveDataSpellingMetricsAndTracks() {
        assertEquals(List.of("0", "1"), GlueTasks.COLA.labels());
        assertEquals(List.of("contradiction", "entailment", "neutral"), GlueTasks.MNLI.labels());
        assertEquals(List.of("entailment", "not_entailment"), GlueTasks.QNLI.labels());
        assertTrue(GlueTasks.STSB.isRegression());
        assertFalse(GlueTasks.SST2.pair());
        assertFalse(GlueTasks.COLA.pair());
        assertTrue(GlueTasks.RTE.pair());
        assertEquals("mcc", GlueTasks.COLA.metric());
        assertEquals("f1", GlueTasks.MRPC.metric());
        assertEquals("pearson", GlueTasks.STSB.metric());
        assertEquals(List.of("f1", "accuracy"), glue.metrics(GlueTasks.MRPC));
        assertEquals(List.of("f1", "accuracy"), glue.metrics(GlueTasks.QQP), "QQP ranks by F1, as LM-BFF reports it");
        assertEquals(List.of("pearson", "spearman"), GlueTasks.reportedMetrics(GlueTasks.STSB));
        assertEquals(List.of(GlueTasks.MRPC, GlueTasks.STSB, GlueTasks.QQP), glue.track("paraphrase"));
        assertEquals(List.of(GlueTasks.MNLI, GlueTasks.QNLI, GlueTasks.RTE), glue.track("inference"));
        assertEquals(List.of(GlueTasks.SST2), glue.track("sentiment"));
        assertEquals(List.of(GlueTasks.COLA), glue.track("acceptability"));
    }

    @Test
    void otherSuitesCanRegisterTasks() {
        Task hyper = new Task("WN-Hypernym", true, List.of("no", "yes"), "f1", "lexical");
        glue.register(hyper, "hypernym");
        assertEquals(hyper, glue.get("wnhypernym"));
        assertEquals(hyper, glue.get("HYPERNYM"));
        assertEquals(List.of("f1"), glue.metrics(hyper));
        assertEquals(List.of("f1", "accuracy"), GlueTasks.reportedMetrics(hyper));
        assertEquals(List.of(hyper), glue.track("lexical"));
        Task clash = new Task("Other", false, List.of("a", "b"), "accuracy", "x");
        assertThrows(IllegalArgumentException.class, () -> glue.register(clash, "sst2"));
        assertThrows(IllegalArgumentException.class, () -> glue.register(clash, List.of("f1"), "other-alias"));
    }
}
