package org.mera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mera.cli.TrainEvalCommandTest.json;
import static org.mera.cli.TrainEvalCommandTest.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.TestFiles;
import org.mera.cli.TrainEvalCommandTest.Run;
import org.mera.experiment.TinyGlue;
import org.mera.experiment.cell.MeraCellRunner;

/**
 * A practitioner's own task and adapters, through the CLI: task directories on hand-written real text
 * (src/test/resources/tasks), train with --task DIR, predict, task inspect, and the no-YAML experiment with
 * adapter directories (mera, AdapterHub layout with a clashing internal name, PEFT LoRA) as sources.
 */
class BringYourOwnTaskTest {
    static final Path TASKS = Path.of("src/test/resources/tasks");

    @Test
    void trainOnATaskDirectoryThenPredictGivesTheSameAccuracy(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("trec-adapter");
        Run train = run(
                "train",
                "--model",
                "minilm",
                "--task",
                TASKS.resolve("trec6").toString(),
                "--k",
                "4",
                "--seed",
                "13",
                "--max-steps",
                "6",
                "--lr",
                "3e-3",
                "--no-progress",
                "--out",
                out.toString());
        assertEquals(0, train.code(), train.err());
        JsonNode metrics = json(Files.readString(out.resolve("metrics.json")));
        assertEquals("trec6", metrics.get("task").asText());
        assertEquals(24, metrics.get("data").get("test_examples").asInt());
        assertTrue(Files.isRegularFile(out.resolve("task.yaml")), "the definition travels with the adapter");

        Path predictions = tmp.resolve("pred.jsonl");
        Run predict = run(
                "predict",
                "--model",
                "minilm",
                "--adapter",
                out.toString(),
                "--input",
                TASKS.resolve("trec6/test.csv").toString(),
                "--out",
                predictions.toString());
        assertEquals(0, predict.code(), predict.err());
        List<String> lines = Files.readAllLines(predictions);
        assertEquals(24, lines.size(), "one object per input row");
        List<String> gold = Files.readAllLines(TASKS.resolve("trec6/test.csv")).stream()
                .map(l -> l.substring(0, l.indexOf(',')))
                .toList();
        int correct = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode row = json(lines.get(i));
            assertEquals(i, row.get("index").asInt(), "each row names the input row it answers");
            assertEquals(Set.of("0", "1", "2", "3", "4", "5"), fieldNames(row.get("scores")));
            double sum = 0;
            for (JsonNode p : row.get("scores")) {
                sum += p.asDouble();
            }
            assertEquals(1.0, sum, 1e-4);
            correct += row.get("label").asText().equals(gold.get(i)) ? 1 : 0;
        }
        assertEquals(
                metrics.get("test").get("accuracy").asDouble(),
                correct / 24.0,
                1e-9,
                "predict agrees with train's test accuracy");

        // One text per line works for a single-text task, in input order.
        Path txt = tmp.resolve("questions.txt");
        Files.writeString(txt, "Who wrote Hamlet ?\n\nHow many moons does Mars have ?\n");
        Path txtOut = tmp.resolve("txt.jsonl");
        Run plain = run(
                "predict",
                "--model",
                "minilm",
                "--adapter",
                out.toString(),
                "--input",
                txt.toString(),
                "--out",
                txtOut.toString());
        assertEquals(0, plain.code(), plain.err());
        assertEquals(2, Files.readAllLines(txtOut).size());
    }

    @Test
    void samplingFromAPlainTrainFileIsSavedWithTheRun(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("nli");
        Run train = run(
                "train",
                "--model",
                "minilm",
                "--task",
                TASKS.resolve("nli-pairs").toString(),
                "--k",
                "4",
                "--seed",
                "21",
                "--max-steps",
                "2",
                "--no-progress",
                "--out",
                out.toString());
        assertEquals(0, train.code(), train.err());
        assertEquals(
                12, Files.readAllLines(out.resolve("split/4-21/train.jsonl")).size());
        assertEquals(12, Files.readAllLines(out.resolve("split/4-21/dev.jsonl")).size());
        assertTrue(json(Files.readString(out.resolve("metrics.json")))
                .get("data")
                .get("split")
                .asText()
                .startsWith("sampled 4 per class"));
        Run tooMany = run(
                "train",
                "--model",
                "minilm",
                "--task",
                TASKS.resolve("nli-pairs").toString(),
                "--k",
                "5",
                "--max-steps",
                "1",
                "--no-progress",
                "--out",
                tmp.resolve("x").toString());
        assertEquals(1, tooMany.code());
        assertTrue(tooMany.err().contains("has only 9 examples, 10 needed"), tooMany.err());
    }

    @Test
    void taskInspectPrintsTheDefinitionAndWritesTaskYaml(@TempDir Path tmp) throws Exception {
        Path dir = TestFiles.copyTree(TASKS.resolve("nli-pairs"), tmp.resolve("nli-pairs"));
        Run inspect = run("task", "inspect", dir.toString(), "--write");
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(inspect.out().contains("task nli-pairs (3 classes; definition inferred from"), inspect.out());
        assertTrue(inspect.out().contains("contradiction=9 entailment=9 neutral=9"), inspect.out());
        assertTrue(
                inspect.out().contains("text: premise") && inspect.out().contains("textPair: hypothesis"),
                inspect.out());
        assertTrue(Files.readString(dir.resolve("task.yaml")).contains("labels:"));
        Run again = run("task", "inspect", dir.toString(), "--write");
        assertEquals(1, again.code(), "an existing task.yaml is not replaced without --overwrite");
        assertFalse(inspect.out().contains("note:"), inspect.out());
        // a test file without one class is worth a note
        Path test = dir.resolve("test.jsonl");
        Files.write(
                test,
                Files.readAllLines(test).stream()
                        .filter(l -> !l.contains("\"neutral\""))
                        .toList());
        Run gap = run("task", "inspect", dir.toString());
        assertEquals(0, gap.code(), gap.err());
        assertTrue(
                gap.out().contains("note: test has no example of [neutral]; its scores say nothing about that class"),
                gap.out());
    }

    @Test
    void noYamlExperimentOnAUserTaskWithThreeAdapterDirectories(@TempDir Path tmp) throws Exception {
        MeraCellRunner.register();
        Path encoder = TinyGlue.encoder(tmp.resolve("tiny-bert"));
        // The target: trec6 with a track, so same-track merging has something to do.
        Path target = TestFiles.copyTree(TASKS.resolve("trec6"), tmp.resolve("trec6"));
        assertEquals(0, run("task", "inspect", target.toString(), "--write").code());
        Files.writeString(
                target.resolve("task.yaml"), Files.readString(target.resolve("task.yaml")) + "track: questions\n");
        // Three adapters a user might have: mera's own, one in the AdapterHub layout whose internal name clashes, a
        // PEFT LoRA.
        Path mera = tmp.resolve("adapters/mera-nli");
        Path hub = tmp.resolve("adapters/hub-similarity");
        Path lora = tmp.resolve("adapters/peft-lora");
        for (String[] a : List.of(
                new String[] {mera.toString(), "nli-pairs", "pfeiffer"},
                new String[] {hub.toString(), "similarity", "pfeiffer"},
                new String[] {lora.toString(), "nli-pairs", "lora"})) {
            Run r = run(
                    "train",
                    "--model",
                    encoder.toString(),
                    "--task",
                    TASKS.resolve(a[1]).toString(),
                    "--k",
                    "3",
                    "--max-steps",
                    "2",
                    "--method",
                    a[2],
                    "--name",
                    "sst-2",
                    "--no-progress",
                    "--out",
                    a[0]);
            assertEquals(0, r.code(), r.err());
        }
        Path out = tmp.resolve("experiment");
        // One comparison, run three ways: dry, for real, and again (which must reuse every cell).
        List<String> comparison = List.of(
                "experiment",
                "--model",
                encoder.toString(),
                "--target",
                target.toString(),
                "--source",
                mera + "=questions",
                "--source",
                hub.toString(),
                "--source",
                lora.toString(),
                "--hp",
                "steps=2",
                "--hp",
                "autoSteps=1",
                "--hp",
                "autoTop=1",
                "--out",
                out.toString());
        Run dry = run(with(comparison, "--dry-run"));
        assertEquals(0, dry.code(), dry.err());
        assertFalse(Files.exists(out), "a dry run writes nothing, not even the config");
        Run exp = run(with(comparison));
        assertEquals(0, exp.code(), exp.err());
        assertTrue(
                Files.isRegularFile(out.resolve("experiment.yaml")), "the comparison can be repeated from its config");
        List<JsonNode> results = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("results.jsonl"))) {
            results.add(json(line));
        }
        Set<String> methods = new TreeSet<>();
        results.forEach(r -> methods.add(methodLabel(r)));
        assertEquals(
                new TreeSet<>(List.of(
                        "adapter",
                        "full",
                        "fusion",
                        "mera-auto",
                        "mera-average",
                        "mera-ot",
                        "mera-same-track",
                        "single[hub-similarity]",
                        "single[mera-nli]",
                        "single[peft-lora]")),
                methods,
                results.toString());
        String table = Files.readString(out.resolve("report/report.md"));
        for (String m : List.of(
                "| full ",
                "| adapter ",
                "| fusion ",
                "| mera-average ",
                "| mera-ot ",
                "| mera-same-track ",
                "| mera-auto ",
                "single (mean of sources)",
                "single (oracle best source)")) {
            assertTrue(table.contains(m), "report lacks " + m + ":\n" + table);
        }
        // Each method chose its learning rate on dev from its own grid (full fine-tuning from lower rates).
        for (JsonNode r : results) {
            String grid = r.get("extra").get("lrGrid").toString();
            String m = methodLabel(r);
            assertEquals(
                    m.equals("full")
                            ? "[1.0E-5,2.0E-5,5.0E-5]"
                            : m.equals("fusion") ? "[1.0E-5,5.0E-5,1.0E-4]" : "[1.0E-4,3.0E-4,0.001]",
                    grid,
                    m);
        }
        // The LoRA adapter starts only its single cell; merges and fusion combine the two bottleneck adapters.
        for (JsonNode r : results) {
            String m = methodLabel(r);
            if (m.startsWith("fusion") || m.startsWith("mera-average") || m.startsWith("mera-ot")) {
                assertFalse(r.toString().contains("peft-lora"), r.toString());
            }
        }
        Run rerun = run(with(comparison, "--no-report"));
        assertEquals(0, rerun.code(), rerun.err());
        assertEquals(
                results.size(),
                Files.readAllLines(out.resolve("results.jsonl")).size(),
                "a re-run reuses every finished cell");
        // --save-best: the method with the best mean dev score, trained again into a folder mera predict reads, whose
        // predictions on the test file score what the grid recorded for that cell.
        Path best = tmp.resolve("best");
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        Run saving;
        try {
            System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            saving = run(with(comparison, "--no-report", "--save-best", best.toString()));
        } finally {
            System.setOut(stdout);
        }
        String said = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, saving.code(), saving.err());
        assertEquals(
                results.size(),
                Files.readAllLines(out.resolve("results.jsonl")).size(),
                "--save-best runs no new cell");
        JsonNode choice = json(Files.readString(best.resolve("trec6/choice.json")));
        java.util.Map<String, java.util.List<Double>> devByMethod = new java.util.TreeMap<>();
        for (JsonNode r : results) {
            devByMethod
                    .computeIfAbsent(methodLabel(r), x -> new ArrayList<>())
                    .add(r.get("metrics").get("dev_accuracy").asDouble());
        }
        double bestMeanDev = devByMethod.values().stream()
                .mapToDouble(v ->
                        v.stream().mapToDouble(Double::doubleValue).average().orElseThrow())
                .max()
                .orElseThrow();
        String chosen = choice.get("method").asText();
        double chosenMeanDev = devByMethod.get(chosen).stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElseThrow();
        assertEquals(bestMeanDev, chosenMeanDev, "chose " + chosen + ": " + choice);
        assertEquals("[]", choice.get("passedOver").toString(), "every method's model can be saved");
        assertEquals(choice.get("recordedDev").asDouble(), choice.get("dev").asDouble(), "same run again: " + choice);
        assertEquals(choice.get("recordedTest").asDouble(), choice.get("test").asDouble(), "same run again: " + choice);
        assertTrue(
                said.contains("trec6: " + chosen + " (mean dev accuracy ") && said.contains("use it: mera predict"),
                said);
        boolean full = chosen.equals("full");
        Path predictions = tmp.resolve("predictions.jsonl");
        List<String> predictArgs = new ArrayList<>(List.of("predict", "--no-progress"));
        // a fully fine-tuned model is its own model directory; an adapter goes with its encoder
        predictArgs.addAll(
                full
                        ? List.of("--model", best.resolve("trec6").toString())
                        : List.of(
                                "--model",
                                encoder.toString(),
                                "--adapter",
                                best.resolve("trec6").toString()));
        predictArgs.addAll(List.of("--input", target.resolve("test.csv").toString(), "--out", predictions.toString()));
        Run predict = run(predictArgs.toArray(String[]::new));
        assertEquals(0, predict.code(), predict.err());
        List<String> gold = Files.readAllLines(target.resolve("test.csv")).stream()
                .map(l -> l.substring(0, l.indexOf(',')))
                .toList();
        List<String> predicted = Files.readAllLines(predictions).stream()
                .map(l -> json(l).get("label").asText())
                .toList();
        assertEquals(gold.size(), predicted.size());
        int right = 0;
        for (int i = 0; i < gold.size(); i++) {
            right += gold.get(i).equals(predicted.get(i)) ? 1 : 0;
        }
        assertEquals(
                choice.get("recordedTest").asDouble(), right / (double) gold.size(), 1e-9, "saved model's accuracy");
        // a second --save-best into the same folder refuses before training anything
        Run again = run(with(comparison, "--no-report", "--save-best", best.toString()));
        assertEquals(1, again.code(), again.out());
        assertTrue(
                again.err().contains("already exists: " + best.resolve("trec6"))
                        && again.err().contains("move it away first"),
                again.err());
        // a merged adapter's model and an AdapterFusion model (its adapters, fusion layers and head), each saved and
        // read back with its encoder
        for (String method : List.of("mera-ot", "fusion")) {
            Path saved = tmp.resolve("best-" + method);
            List<String> only = new ArrayList<>(comparison);
            only.addAll(List.of("--methods", method, "--no-report", "--save-best", saved.toString()));
            Run one = run(only.toArray(String[]::new));
            assertEquals(0, one.code(), one.err());
            JsonNode oneChoice = json(Files.readString(saved.resolve("trec6/choice.json")));
            assertEquals(method, oneChoice.get("method").asText());
            Path out2 = tmp.resolve(method + "-predictions.jsonl");
            Run onePredict = run(
                    "predict",
                    "--no-progress",
                    "--model",
                    encoder.toString(),
                    "--adapter",
                    saved.resolve("trec6").toString(),
                    "--input",
                    target.resolve("test.csv").toString(),
                    "--out",
                    out2.toString());
            assertEquals(0, onePredict.code(), onePredict.err());
            List<String> onePredicted = Files.readAllLines(out2).stream()
                    .map(l -> json(l).get("label").asText())
                    .toList();
            int oneRight = 0;
            for (int i = 0; i < gold.size(); i++) {
                oneRight += gold.get(i).equals(onePredicted.get(i)) ? 1 : 0;
            }
            assertEquals(oneChoice.get("recordedTest").asDouble(), oneRight / (double) gold.size(), 1e-9, method);
        }
    }

    @Test
    void anAdapterForAnotherEncoderIsRefusedBeforeAnythingTrains(@TempDir Path tmp) throws Exception {
        MeraCellRunner.register();
        Path encoder = TinyGlue.encoder(tmp.resolve("tiny-bert"));
        Path small = tmp.resolve("adapters/tiny");
        Run r = run(
                "train",
                "--model",
                encoder.toString(),
                "--task",
                TASKS.resolve("nli-pairs").toString(),
                "--k",
                "3",
                "--max-steps",
                "1",
                "--no-progress",
                "--out",
                small.toString());
        assertEquals(0, r.code(), r.err());
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        Run exp;
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            exp = run(
                    "experiment",
                    "--model",
                    "minilm",
                    "--target",
                    TASKS.resolve("trec6").toString(),
                    "--source",
                    small.toString(),
                    "--methods",
                    "single",
                    "--out",
                    tmp.resolve("exp").toString());
        } finally {
            System.setErr(saved);
        }
        String message = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(2, exp.code(), message);
        assertTrue(message.contains(small.toString()) && message.contains("does not fit encoder minilm"), message);
        assertFalse(Files.exists(tmp.resolve("exp/results.jsonl")), "nothing ran");
    }

    private static String methodLabel(JsonNode r) {
        JsonNode cell = r.has("cell") ? r.get("cell") : r;
        String method = cell.get("method").asText();
        JsonNode source = cell.get("source");
        return source == null || source.isNull() ? method : method + "[" + source.asText() + "]";
    }

    private static Set<String> fieldNames(JsonNode o) {
        Set<String> s = new TreeSet<>();
        o.fieldNames().forEachRemaining(s::add);
        return s;
    }

    private static String[] with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
