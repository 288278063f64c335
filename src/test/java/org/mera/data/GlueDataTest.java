package org.mera.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Reads the real shared GLUE data (../shared/data/glue from the project root). */
@Tag("glue")
class GlueDataTest {
    static final Path GLUE = org.mera.GlueData.ROOT;

    static Map<String, Long> labelCounts(List<Example> xs) {
        return xs.stream().collect(Collectors.groupingBy(Example::label, TreeMap::new, Collectors.counting()));
    }

    @Test
    void kshotSplitsOfEveryTaskHave16PerClass() {
        for (Task task : GlueTasks.ALL) {
            TaskDirectory data = TaskDirectory.under(GLUE, task);
            assertEquals(TaskDirectory.LM_BFF_SEEDS, data.kshotSeeds(16), task.name());
            for (int seed : List.of(13, 100)) {
                for (List<Example> split : List.of(data.kshotTrain(16, seed), data.kshotDev(16, seed))) {
                    if (task.isRegression()) {
                        assertEquals(32, split.size(), task.name());
                        long low = split.stream()
                                .filter(x -> Double.parseDouble(x.label()) < 2.5)
                                .count();
                        assertEquals(16, low, "STS-B splits are balanced at LM-BFF's 2.5 threshold");
                    } else {
                        Map<String, Long> expected = task.labels().stream()
                                .collect(Collectors.toMap(Function.identity(), l -> 16L, (a, b) -> a, TreeMap::new));
                        assertEquals(expected, labelCounts(split), task.name() + " seed " + seed);
                    }
                    for (Example x : split) {
                        assertEquals(task.pair(), x.isPair(), task.name());
                        assertTrue(!x.textA().isEmpty(), task.name());
                    }
                }
            }
        }
    }

    @Test
    void testSetsHaveOfficialSizesAndLabels() {
        Map<Task, Integer> sizes = Map.of(
                GlueTasks.COLA,
                1043,
                GlueTasks.SST2,
                872,
                GlueTasks.MRPC,
                408,
                GlueTasks.STSB,
                1500,
                GlueTasks.QQP,
                1000,
                GlueTasks.MNLI,
                9815,
                GlueTasks.QNLI,
                5463,
                GlueTasks.RTE,
                277);
        for (Task task : GlueTasks.ALL) {
            TaskDirectory data = TaskDirectory.under(GLUE, task);
            assertEquals(sizes.get(task), data.test().size(), task.name() + " " + data.testFile());
        }
        assertEquals(
                Map.of("0", 428L, "1", 444L),
                labelCounts(TaskDirectory.under(GLUE, GlueTasks.SST2).test()));
        assertEquals(
                Map.of("0", 129L, "1", 279L),
                labelCounts(TaskDirectory.under(GLUE, GlueTasks.MRPC).test()));
        assertEquals(
                Map.of("entailment", 146L, "not_entailment", 131L),
                labelCounts(TaskDirectory.under(GLUE, GlueTasks.RTE).test()));
        assertEquals(
                Map.of("contradiction", 3213L, "entailment", 3479L, "neutral", 3123L),
                labelCounts(TaskDirectory.under(GLUE, GlueTasks.MNLI).test()));
        assertEquals(
                "test_matched.jsonl",
                TaskDirectory.under(GLUE, GlueTasks.MNLI)
                        .testFile()
                        .getFileName()
                        .toString());
        assertEquals(
                Path.of("pool", "dev.jsonl"),
                TaskDirectory.under(GLUE, GlueTasks.QQP)
                        .taskDir()
                        .relativize(TaskDirectory.under(GLUE, GlueTasks.QQP).testFile()));
    }

    @Test
    void columnsAreTheRightOnes() {
        // First rows of the files, as seen with head(1).
        Example cola = TaskDirectory.under(GLUE, GlueTasks.COLA).test().get(0);
        assertEquals(new Example("The sailors rode the breeze clear of the rocks.", null, "1"), cola);
        Example mrpc = TaskDirectory.under(GLUE, GlueTasks.MRPC).test().get(0);
        assertEquals("1", mrpc.label());
        assertTrue(mrpc.textA().startsWith("He said the foodservice pie business"));
        assertTrue(mrpc.textB().startsWith("\" The foodservice pie business does not fit"));
        Example stsb = TaskDirectory.under(GLUE, GlueTasks.STSB).test().get(0);
        assertEquals(
                new Example("A man with a hard hat is dancing.", "A man wearing a hard hat is dancing.", "5.000"),
                stsb);
        Example mnli =
                TaskDirectory.under(GLUE, GlueTasks.MNLI).kshotTrain(16, 13).get(0);
        assertTrue(mnli.textA().startsWith("Price caps may sound more attractive"), mnli.textA());
        assertNotNull(mnli.textB());
        Example qnli = TaskDirectory.under(GLUE, GlueTasks.QNLI).test().get(0);
        assertEquals("What came into force after the new constitution was herald?", qnli.textA());
        assertEquals("entailment", qnli.label());
        Example qqp =
                TaskDirectory.under(GLUE, GlueTasks.QQP).kshotTrain(16, 13).get(0);
        assertEquals(
                new Example("Can I develope mobile apps with c++?", "How can I develop mobile apps with C++?", "1"),
                qqp);
        Example sst =
                TaskDirectory.under(GLUE, GlueTasks.SST2).kshotTrain(16, 13).get(0);
        assertNull(sst.textB());
        assertEquals("nothing happens , and it happens to flat characters .", sst.textA());
        Example mnliTest = TaskDirectory.under(GLUE, GlueTasks.MNLI).test().get(0);
        assertEquals(
                new Example("The new rights are nice enough", "Everyone really likes the newest benefits ", "neutral"),
                mnliTest);
    }

    @Test
    void poolsReadAsJsonl() {
        assertEquals(2240, TaskDirectory.under(GLUE, GlueTasks.RTE).poolTrain().size());
        assertEquals(249, TaskDirectory.under(GLUE, GlueTasks.RTE).poolDev().size());
        assertEquals(575, TaskDirectory.under(GLUE, GlueTasks.STSB).poolDev().size());
        assertEquals(856, TaskDirectory.under(GLUE, GlueTasks.COLA).poolDev().size());
    }
}
