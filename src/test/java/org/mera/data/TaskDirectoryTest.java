package org.mera.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * User task directories on real text (src/test/resources/tasks: hand-written questions, sentence pairs and
 * similarity scores): definitions from task.yaml or inferred, both layouts, sampling, and each refusal.
 */
class TaskDirectoryTest {
    static final Path TASKS = Path.of("src/test/resources/tasks");

    @TempDir
    Path tmp;

    @Test
    void headerlessSixClassCsvInLmBffLayoutNeedsNoConfiguration() throws IOException {
        TaskDirectory td = TaskDirectory.open(TASKS.resolve("trec6"));
        Task t = td.task();
        assertEquals("trec6", t.name());
        assertFalse(t.pair());
        assertEquals(List.of("0", "1", "2", "3", "4", "5"), t.labels(), "integer labels in numeric order");
        assertEquals("accuracy", t.metric());
        assertTrue(
                td.definition().origin().startsWith("inferred from"),
                td.definition().origin());
        assertEquals(List.of(13), td.kshotSeeds(4));
        List<Example> train = td.kshotTrain(4, 13);
        assertEquals(24, train.size());
        assertEquals(Map.of("0", 4L, "1", 4L, "2", 4L, "3", 4L, "4", 4L, "5", 4L), counts(train));
        assertEquals(24, td.kshotDev(4, 13).size());
        assertEquals(24, td.test().size());
        assertTrue(train.stream().allMatch(e -> e.textA().endsWith("?")), "the question, not the label, is the text");
    }

    @Test
    void jsonlSentencePairsWithInferredLabels() throws IOException {
        TaskDirectory td = TaskDirectory.open(TASKS.resolve("nli-pairs"));
        Task t = td.task();
        assertTrue(t.pair());
        assertEquals(List.of("contradiction", "entailment", "neutral"), t.labels(), "names sorted: a stable order");
        Example first = td.read(td.trainFile().orElseThrow()).get(0);
        assertTrue(first.isPair());
        assertEquals(27, td.read(td.trainFile().orElseThrow()).size());
        assertEquals(9, td.test().size());
        assertFalse(td.hasKShot(16));
        // As a source task its train file is its pool; with no dev file there is nothing to select on.
        assertEquals(td.trainFile().orElseThrow(), td.poolTrainFile());
        assertThrows(IllegalArgumentException.class, td::poolDevFile);
    }

    @Test
    void regressionTaskFromTaskYaml() throws IOException {
        TaskDirectory td = TaskDirectory.open(TASKS.resolve("similarity"));
        Task t = td.task();
        assertTrue(t.isRegression());
        assertTrue(t.pair());
        assertEquals("pearson", t.metric());
        assertEquals("paraphrase", t.track());
        assertEquals(List.of("pearson", "spearman"), td.definition().metrics());
        assertEquals(
                List.of("pearson", "spearman"), GlueTasks.reportedMetrics(t), "scorers report what task.yaml lists");
        assertEquals(14, td.read(td.trainFile().orElseThrow()).size());
        assertEquals("4.8", td.read(td.trainFile().orElseThrow()).get(2).label());
        assertEquals(td.devFile().orElseThrow(), td.poolDevFile());
        // The definition survives a round trip through task.yaml's text.
        Path copy = tmp.resolve("task.yaml");
        Files.writeString(copy, td.definition().toYamlText());
        TaskDefinition back = TaskDefinition.load(copy);
        assertEquals(t, back.task());
        assertEquals(td.definition().metrics(), back.metrics());
    }

    @Test
    void samplingFromAPlainTrainFileIsDeterministicBalancedAndDisjoint() throws IOException {
        TaskDirectory td = TaskDirectory.open(TASKS.resolve("nli-pairs"));
        List<Example> pool = td.read(td.trainFile().orElseThrow());
        KShotSampler.Split a = KShotSampler.sampleTrainAndDev(pool, td.task(), 4, 13);
        KShotSampler.Split again = KShotSampler.sampleTrainAndDev(pool, td.task(), 4, 13);
        KShotSampler.Split other = KShotSampler.sampleTrainAndDev(pool, td.task(), 4, 21);
        assertEquals(a, again);
        assertNotEquals(a.train(), other.train());
        assertEquals(Map.of("contradiction", 4L, "entailment", 4L, "neutral", 4L), counts(a.train()));
        assertEquals(Map.of("contradiction", 4L, "entailment", 4L, "neutral", 4L), counts(a.dev()));
        assertTrue(a.train().stream().noneMatch(a.dev()::contains), "train and dev are disjoint");
        // Written in LM-BFF's layout, they read back through the same definition.
        ExampleWriter.writeKShot(tmp.resolve("k-shot"), 4, 13, a);
        TaskDirectory sampled = td.withKShotRoot(tmp.resolve("k-shot"));
        assertEquals(a.train(), sampled.kshotTrain(4, 13));
        assertEquals(a.dev(), sampled.kshotDev(4, 13));
        IllegalArgumentException tooFew = assertThrows(
                IllegalArgumentException.class, () -> KShotSampler.sampleTrainAndDev(pool, td.task(), 5, 13));
        assertTrue(tooFew.getMessage().contains("has only 9 examples, 10 needed"), tooFew.getMessage());
        assertTrue(tooFew.getMessage().contains("the largest k these examples allow is 4"), tooFew.getMessage());
    }

    @Test
    void builtInTasksResolveThroughTheSameCatalogue() throws IOException {
        Path glue = tmp.resolve("data/RTE");
        Files.createDirectories(glue.resolve("k-shot/16-13"));
        Files.writeString(
                glue.resolve("k-shot/16-13/train.tsv"),
                "index\tsentence1\tsentence2\tlabel\n0\tA b.\tC d.\tentailment\n");
        Files.writeString(
                glue.resolve("test.tsv"), "index\tsentence1\tsentence2\tlabel\n0\tE f.\tG h.\tnot_entailment\n");
        TaskDirectory byName = TaskCatalogue.resolve("rte", null, tmp.resolve("data"));
        TaskDirectory byDir = TaskCatalogue.resolve(glue.toString(), null, null);
        assertEquals(GlueTasks.RTE, byName.task());
        assertEquals(GlueTasks.RTE, byDir.task(), "a folder named like a built-in task is that task");
        assertEquals("built-in", byDir.definition().origin());
        assertEquals(byName.kshotTrain(16, 13), byDir.kshotTrain(16, 13));
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> TaskCatalogue.resolve("no-such-task", null, tmp));
        assertTrue(
                unknown.getMessage().contains("neither a directory")
                        && unknown.getMessage().contains("RTE"),
                unknown.getMessage());
    }

    @Test
    void ambiguousColumnsAreRefusedWithTheTaskYamlToWrite() throws IOException {
        Path dir = tmp.resolve("reviews");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("train.csv"), "review,stars\nGreat phone,5\nBroke in a week,1\n");
        ExampleFileException e = assertThrows(ExampleFileException.class, () -> TaskDirectory.open(dir));
        assertTrue(
                e.getMessage().contains("train.csv")
                        && e.getMessage().contains("task.yaml")
                        && e.getMessage().contains("text:"),
                e.getMessage());
        // With the task.yaml it asks for, the same files load.
        Files.writeString(
                dir.resolve("task.yaml"), "kind: classification\ntext: review\nlabel: stars\nlabels: ['1', '5']\n");
        assertEquals(List.of("1", "5"), TaskDirectory.open(dir).task().labels());
    }

    @Test
    void aMisspelledColumnIsNamedAndTheSuggestionIsOneLineWithTheFilesColumns() throws IOException {
        Path dir = tmp.resolve("intent");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("train.csv"), "text,lable\nwake me at 7,alarm\nplay jazz,music\n");
        ExampleFileException e = assertThrows(ExampleFileException.class, () -> TaskDirectory.open(dir));
        String m = e.getMessage();
        assertTrue(m.contains("is 'lable' the label (misspelled)?"), m);
        assertTrue(m.contains("text: text, label: lable"), m);
        assertFalse(m.contains("\n"), "one line: " + m);
        assertEquals(1, TaskInference.editDistance("lable", "label"), "two neighbours swapped");
        assertTrue(TaskInference.editDistance("stars", "label") > 2, "not a misspelling");
    }

    @Test
    void aTaskYamlWithoutLabelsReadsThemFromTheTrainingData() throws IOException {
        Path dir = tmp.resolve("reviews");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("train.csv"), "review,stars\nGreat phone,5\nBroke in a week,1\nFine,3\n");
        Files.writeString(dir.resolve("task.yaml"), "kind: classification\ntext: review\nlabel: stars\n");
        assertEquals(List.of("1", "3", "5"), TaskDirectory.open(dir).task().labels());
        // f1 needs two classes: known only once the data is read, and said then
        Files.writeString(
                dir.resolve("task.yaml"), "kind: classification\ntext: review\nlabel: stars\nmetrics: [f1]\n");
        ExampleFileException f1 = assertThrows(ExampleFileException.class, () -> TaskDirectory.open(dir));
        assertTrue(f1.getMessage().contains("the training data has 3: [1, 3, 5]"), f1.getMessage());
        // a text column the file lacks is named
        Files.writeString(dir.resolve("task.yaml"), "kind: classification\ntext: reveiw\nlabel: stars\n");
        Exception missing = assertThrows(Exception.class, () -> TaskDirectory.open(dir));
        assertTrue(missing.getMessage().contains("reveiw"), missing.getMessage());
    }

    @Test
    void realNumberedLabelsWithoutTaskYamlAreRefusedAsPossibleRegression() throws IOException {
        Path dir = tmp.resolve("scores");
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("train.jsonl"),
                "{\"text\": \"fine\", \"label\": 3.5}\n{\"text\": \"bad\", \"label\": 0.5}\n");
        ExampleFileException e = assertThrows(ExampleFileException.class, () -> TaskDirectory.open(dir));
        assertTrue(
                e.getMessage().contains("real numbers") && e.getMessage().contains("kind: regression"), e.getMessage());
    }

    @Test
    void labelsInTestThatTrainNeverHasAreRefusedWithFileAndLine() throws IOException {
        Path dir = copyTask("trec6");
        Files.writeString(dir.resolve("test.csv"), "0,What does NASA stand for ?\n7,What is this label ?\n");
        TaskDirectory td = TaskDirectory.open(dir);
        ExampleFileException e = assertThrows(ExampleFileException.class, td::test);
        assertTrue(e.getMessage().contains("test.csv:2:") && e.getMessage().contains("'7'"), e.getMessage());
    }

    @Test
    void emptyAndRaggedFilesAreRefusedWithFileAndLine() throws IOException {
        Path dir = copyTask("trec6");
        Files.writeString(dir.resolve("test.csv"), "");
        ExampleFileException empty = assertThrows(
                ExampleFileException.class, () -> TaskDirectory.open(dir).test());
        assertTrue(
                empty.getMessage().contains("test.csv") && empty.getMessage().contains("no examples"),
                empty.getMessage());
        Files.writeString(dir.resolve("test.csv"), "0,What does NASA stand for ?\n1\n");
        ExampleFileException ragged = assertThrows(
                ExampleFileException.class, () -> TaskDirectory.open(dir).test());
        assertTrue(ragged.getMessage().contains("test.csv:2:"), ragged.getMessage());
        Files.writeString(dir.resolve("test.csv"), "0,What does NASA stand for ?\n1,Why ?,extra\n");
        ExampleFileException extra = assertThrows(
                ExampleFileException.class, () -> TaskDirectory.open(dir).test());
        assertTrue(
                extra.getMessage().contains("test.csv:2:") && extra.getMessage().contains("3 fields"),
                extra.getMessage());
    }

    @Test
    void taskYamlMistakesNameTheKey() throws IOException {
        Path dir = copyTask("similarity");
        Files.writeString(
                dir.resolve("task.yaml"),
                "kind: regression\ntext: sentence1\ntextPair: sentence2\nlabel: score\nlabel_names: [a]\n");
        ExampleFileException unknown = assertThrows(ExampleFileException.class, () -> TaskDirectory.open(dir));
        assertTrue(
                unknown.getMessage().contains("task.yaml")
                        && unknown.getMessage().contains("label_names"),
                unknown.getMessage());
        Files.writeString(
                dir.resolve("task.yaml"), "kind: regression\ntext: sentence1\nlabel: score\nmetrics: [accuracy]\n");
        ExampleFileException metric = assertThrows(ExampleFileException.class, () -> TaskDirectory.open(dir));
        assertTrue(metric.getMessage().contains("metrics: 'accuracy' is not a regression metric"), metric.getMessage());
    }

    private Path copyTask(String name) throws IOException {
        return org.mera.TestFiles.copyTree(TASKS.resolve(name), tmp.resolve(name));
    }

    private static Map<String, Long> counts(List<Example> rows) {
        return rows.stream().collect(Collectors.groupingBy(Example::label, Collectors.counting()));
    }

    /** Found by ReaderFuzzTest: an empty list entry ("&1" leaves none) in metrics threw a NullPointerException. */
    @Test
    void anEmptyListEntryInTaskYamlIsNamed(@TempDir Path dir) throws IOException {
        Path yaml = dir.resolve("reviews").resolve(TaskDefinition.FILE);
        Files.createDirectories(yaml.getParent());
        for (String bad : List.of("metrics: [accuracy, &1]", "labels: [bad, ~]")) {
            String text = "name: reviews\nkind: classification\ntext: review\nlabel: stars\nlabels: [bad, good]\n" + bad
                    + "\n";
            Files.writeString(yaml, text.replace("labels: [bad, good]\nlabels", "labels"));
            ExampleFileException e = assertThrows(ExampleFileException.class, () -> TaskDefinition.load(yaml), bad);
            assertTrue(
                    e.getMessage().startsWith(yaml + ": ") && e.getMessage().contains("an entry is empty"),
                    e.getMessage());
        }
    }
}
