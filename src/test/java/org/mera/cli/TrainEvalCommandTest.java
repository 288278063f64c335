package org.mera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.bottleneck.AdapterHubDirectory;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.merge.RandomAdapters;
import picocli.CommandLine;

/** train → eval → fewshot through picocli on tiny slices of real RTE data with the real minilm encoder. */
@Tag("glue")
class TrainEvalCommandTest {
    static final Path RTE = org.mera.GlueData.ROOT.resolve("RTE");
    static final ObjectMapper JSON = new ObjectMapper();

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The header and the first {@code n} rows of a real GLUE file. */
    static Path slice(Path from, Path to, int n) throws Exception {
        org.mera.GlueData.file(org.mera.GlueData.ROOT.relativize(from).toString());
        List<String> lines = Files.readAllLines(from);
        Files.createDirectories(to.getParent());
        Files.write(to, lines.subList(0, n + 1));
        return to;
    }

    @Test
    void trainThenEvalWritesMetricsAndPrintsTheSameScores(@TempDir Path tmp) throws Exception {
        Path test = slice(RTE.resolve("test.tsv"), tmp.resolve("test.tsv"), 16);
        Path out = tmp.resolve("rte-adapter");
        Run train = run(
                "train",
                "--model",
                "minilm",
                "--task",
                "rte",
                "--data",
                RTE.toString(),
                "--k",
                "16",
                "--seed",
                "21",
                "--method",
                "pfeiffer",
                "--pooling",
                "mean",
                "--max-steps",
                "2",
                "--test",
                test.toString(),
                "--out",
                out.toString(),
                "--no-progress");
        assertEquals(0, train.code(), train.err());
        for (String f : List.of(
                "adapter_config.json",
                "adapter.safetensors",
                "head_config.json",
                "model_head.safetensors",
                "metrics.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
        assertEquals("RTE", m.get("task").asText());
        assertEquals("pfeiffer", m.get("method").asText());
        assertEquals("adapterhub", m.get("format").asText());
        assertEquals("accuracy", m.get("primary_metric").asText());
        assertEquals("k-shot/16-21", m.get("data").get("split").asText());
        assertEquals(32, m.get("data").get("train_examples").asInt());
        assertEquals(32, m.get("data").get("dev_examples").asInt());
        assertEquals(16, m.get("data").get("test_examples").asInt());
        assertEquals(2, m.get("steps").asInt());
        assertTrue(m.get("seconds").asDouble() > 0);
        assertTrue(m.get("trainable_params").asLong() > 0);
        assertTrue(m.get("dev").has("accuracy"));
        assertEquals(1e-3, m.get("hyperparameters").get("learning_rate").asDouble(), 1e-9);
        assertEquals(16, m.get("hyperparameters").get("reduction_factor").asInt());
        assertEquals(21, m.get("hyperparameters").get("seed").asInt());
        // eval below finds the pooling in the head's files: its scores equal the run's only if it reads the same
        assertEquals("mean", m.get("hyperparameters").get("head_pooling").asText());

        Run eval = run(
                "eval", "--model", "minilm", "--adapter", out.toString(), "--task", "RTE", "--data", test.toString());
        assertEquals(0, eval.code(), eval.err());
        JsonNode e = JSON.readTree(eval.out());
        assertEquals(16, e.get("examples").asInt());
        assertEquals("rte", e.get("name").asText());
        assertEquals("accuracy", e.get("primary_metric").asText());
        assertEquals(
                m.get("test").get("accuracy").asDouble(),
                e.get("metrics").get("accuracy").asDouble(),
                0.0);

        // Predictions: one row per example, agreeing with the accuracy; an unlabelled copy (GLUE's official test
        // layout: no label column) gives the same predictions and no metrics.
        Path labelledPredictions = tmp.resolve("pred-labelled.jsonl");
        Run withPredictions = run(
                "eval",
                "--model",
                "minilm",
                "--adapter",
                out.toString(),
                "--task",
                "RTE",
                "--data",
                test.toString(),
                "--predictions",
                labelledPredictions.toString());
        assertEquals(0, withPredictions.code(), withPredictions.err());
        List<JsonNode> rows = Files.readAllLines(labelledPredictions).stream()
                .map(TrainEvalCommandTest::json)
                .toList();
        assertEquals(16, rows.size());
        long correct = rows.stream()
                .filter(r -> r.get("label").asText().equals(r.get("prediction").asText()))
                .count();
        assertEquals(e.get("metrics").get("accuracy").asDouble(), correct / 16.0, 1e-12);
        JsonNode first = rows.get(0);
        assertEquals(0, first.get("index").asInt());
        assertEquals(
                Files.readAllLines(test).get(1).split("\t")[1],
                first.get("text_a").asText());
        double sum = first.get("probabilities").get("entailment").asDouble()
                + first.get("probabilities").get("not_entailment").asDouble();
        assertEquals(1.0, sum, 1e-5);

        Path unlabelledFile = tmp.resolve("unlabelled/test.tsv");
        Files.createDirectories(unlabelledFile.getParent());
        Files.write(
                unlabelledFile,
                Files.readAllLines(test).stream()
                        .map(l -> l.substring(0, l.lastIndexOf('\t')))
                        .toList());
        Path unlabelledPredictions = tmp.resolve("pred-unlabelled.jsonl");
        Run unlabelled = run(
                "eval",
                "--model",
                "minilm",
                "--adapter",
                out.toString(),
                "--task",
                "RTE",
                "--data",
                unlabelledFile.toString(),
                "--unlabelled",
                "--predictions",
                unlabelledPredictions.toString());
        assertEquals(0, unlabelled.code(), unlabelled.err());
        JsonNode u = JSON.readTree(unlabelled.out());
        assertTrue(
                !u.has("metrics") && u.get("predictions").asText().equals(unlabelledPredictions.toString()),
                unlabelled.out());
        List<JsonNode> urows = Files.readAllLines(unlabelledPredictions).stream()
                .map(TrainEvalCommandTest::json)
                .toList();
        for (int i = 0; i < 16; i++) {
            assertEquals(rows.get(i).get("prediction"), urows.get(i).get("prediction"));
            assertTrue(!urows.get(i).has("label"));
        }
        Run noLabelsNoPredictions = run(
                "eval",
                "--model",
                "minilm",
                "--adapter",
                out.toString(),
                "--task",
                "RTE",
                "--data",
                unlabelledFile.toString(),
                "--unlabelled");
        assertEquals(1, noLabelsNoPredictions.code());
        assertTrue(noLabelsNoPredictions.err().contains("--predictions"), noLabelsNoPredictions.err());
        Run labelsMissing = run(
                "eval",
                "--model",
                "minilm",
                "--adapter",
                out.toString(),
                "--task",
                "RTE",
                "--data",
                unlabelledFile.toString());
        assertEquals(1, labelsMissing.code());
        assertTrue(
                labelsMissing.err().contains("label") && labelsMissing.err().contains(unlabelledFile.toString()),
                labelsMissing.err());

        Run again = run(
                "train",
                "--model",
                "minilm",
                "--task",
                "rte",
                "--data",
                RTE.toString(),
                "--max-steps",
                "1",
                "--out",
                out.toString(),
                "--no-progress");
        assertEquals(1, again.code());
        assertTrue(again.err().contains("not empty"), again.err());
    }

    @Test
    void theWordNetTasksTrainAndEvaluateFromTheCliLikeGlue(@TempDir Path tmp) throws Exception {
        Path suite = tmp.resolve("suite");
        org.mera.data.wordnet.WordNetSuite.write(suite, 42);
        Path out = tmp.resolve("antonym");
        Run train = run(
                "train",
                "--model",
                "minilm",
                "--task",
                "wn-antonym",
                "--data",
                suite.toString(),
                "--k",
                "16",
                "--seed",
                "13",
                "--max-steps",
                "2",
                "--out",
                out.toString(),
                "--no-progress");
        assertEquals(0, train.code(), train.err());
        JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
        assertEquals("wn-antonym", m.get("task").asText());
        assertTrue(m.get("data").get("test_examples").asInt() > 100, m.toString());
        Run eval = run(
                "eval",
                "--model",
                "minilm",
                "--adapter",
                out.toString(),
                "--task",
                "wn-antonym",
                "--data",
                suite.resolve("wn-antonym").toString());
        assertEquals(0, eval.code(), eval.err());
        assertEquals(
                m.get("test").get("accuracy").asDouble(),
                JSON.readTree(eval.out()).get("metrics").get("accuracy").asDouble(),
                0.0);
    }

    @Test
    void fewshotRunsEverySeedAndSummarises(@TempDir Path tmp) throws Exception {
        Path task = tmp.resolve("RTE");
        for (int seed : new int[] {13, 21}) {
            Path split = task.resolve("k-shot/16-" + seed);
            slice(RTE.resolve("k-shot/16-" + seed + "/train.tsv"), split.resolve("train.tsv"), 32);
            slice(RTE.resolve("k-shot/16-" + seed + "/dev.tsv"), split.resolve("dev.tsv"), 32);
        }
        slice(RTE.resolve("test.tsv"), task.resolve("test.tsv"), 12);
        Path json = tmp.resolve("fewshot.json");
        Run r = run(
                "fewshot",
                "--model",
                "minilm",
                "--task",
                "RTE",
                "--data",
                task.toString(),
                "--seeds",
                "13,21",
                "--method",
                "lora",
                "--max-steps",
                "1",
                "--out",
                json.toString(),
                "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("mean±std")
                        && r.out().contains("seed 13")
                        && r.out().contains("seed 21"),
                r.out());
        JsonNode j = JSON.readTree(json.toFile());
        assertEquals(2, j.get("runs").size());
        assertEquals(12, j.get("runs").get(0).get("test_examples").asInt());
        double a = j.get("runs").get(0).get("test").get("accuracy").asDouble();
        double b = j.get("runs").get(1).get("test").get("accuracy").asDouble();
        assertEquals((a + b) / 2, j.get("summary").get("accuracy").get("mean").asDouble(), 1e-12);
        assertEquals(
                Math.abs(a - b) / 2, j.get("summary").get("accuracy").get("std").asDouble(), 1e-12);
        assertEquals(8, j.get("hyperparameters").get("lora_r").asInt());

        Run missing = run(
                "fewshot",
                "--model",
                "minilm",
                "--task",
                "RTE",
                "--data",
                task.toString(),
                "--seeds",
                "13,42",
                "--max-steps",
                "1",
                "--no-progress");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("16-42") && missing.err().contains("[13, 21]"), missing.err());
    }

    @Test
    void badInputIsReportedNamingWhatIsWrong(@TempDir Path tmp) throws Exception {
        Run unknownTask = run(
                "train",
                "--model",
                "minilm",
                "--task",
                "NOPE",
                "--data",
                RTE.toString(),
                "--out",
                tmp.resolve("a").toString());
        assertEquals(1, unknownTask.code());
        assertTrue(
                unknownTask.err().contains("task 'NOPE' is neither a directory nor a built-in task"),
                unknownTask.err());

        Path nowhere = tmp.resolve("no-such-dir");
        Run missingData = run(
                "train",
                "--model",
                "minilm",
                "--task",
                "RTE",
                "--data",
                nowhere.toString(),
                "--out",
                tmp.resolve("b").toString());
        assertEquals(1, missingData.code());
        assertTrue(missingData.err().contains(nowhere.toString()), missingData.err());

        Path big = tmp.resolve("bert-base-adapter");
        AdapterHubDirectory.write(
                big,
                RandomAdapters.create("big", BottleneckConfig.pfeiffer(), EncoderInfo.bertBase(), 12, 48, 0.02, 1));
        Run mismatch = run(
                "train",
                "--model",
                "minilm",
                "--task",
                "RTE",
                "--data",
                RTE.toString(),
                "--init",
                big.toString(),
                "--out",
                tmp.resolve("c").toString(),
                "--no-progress");
        assertEquals(1, mismatch.code());
        assertTrue(
                mismatch.err().contains("hidden_size 768") && mismatch.err().contains(big.toString()), mismatch.err());

        Run evalNoHead = run(
                "eval",
                "--model",
                "minilm",
                "--adapter",
                big.toString(),
                "--task",
                "RTE",
                "--data",
                RTE.resolve("k-shot/16-13/dev.tsv").toString());
        assertEquals(1, evalNoHead.code());
        assertTrue(evalNoHead.err().contains("hidden_size 768"), evalNoHead.err());

        Run conflicting = run(
                "train",
                "--model",
                "minilm",
                "--task",
                "RTE",
                "--data",
                RTE.toString(),
                "--method",
                "lora",
                "--reduction-factor",
                "8",
                "--out",
                tmp.resolve("d").toString());
        assertEquals(1, conflicting.code());
        assertTrue(conflicting.err().contains("--reduction-factor"), conflicting.err());

        Run badPooling = run(
                "train",
                "--model",
                "minilm",
                "--task",
                "RTE",
                "--data",
                RTE.toString(),
                "--pooling",
                "max",
                "--out",
                tmp.resolve("e").toString());
        assertEquals(1, badPooling.code());
        assertTrue(badPooling.err().contains("'max'") && badPooling.err().contains("cls, mean"), badPooling.err());
    }
}
