package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.cli.EvalCommand;
import org.mera.cli.FewshotCommand;
import org.mera.cli.TrainCommand;
import org.mera.io.OutputLock;
import org.mera.io.SafeTensors;
import org.mera.io.Tensor;
import picocli.CommandLine;

/**
 * Issue 23 through the CLI, on a tiny random BERT: a NaN adapter or encoder tensor used to give eval an accuracy of
 * 0.525 and train --init a "lower the learning rate" hint; negative step counts trained the full 20 epochs; two
 * trains into one --out both "succeeded"; fewshot --out into an impossible place failed after all training. Each now
 * fails at once, with one line naming the file (and tensor or option).
 */
class NonFiniteWeightsCliTest {
    record Run(int code, String out, String err) {}

    private static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(command)
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOneLine(Run r, String... parts) {
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), "one line, no stack trace: " + r.err());
        for (String p : parts) {
            assertTrue(r.err().contains(p), "'" + p + "' missing from: " + r.err());
        }
    }

    private static Path data(Path file) throws Exception {
        List<String> lines = new ArrayList<>(List.of("index\tsentence1\tsentence2\tlabel"));
        for (int i = 0; i < 24; i++) {
            lines.add(i + "\tThe cat number " + i + " sat on the mat.\tA cat sat.\t"
                    + (i % 2 == 0 ? "entailment" : "not_entailment"));
        }
        Files.write(file, lines);
        return file;
    }

    private static void poison(Path safetensors) throws Exception {
        Map<String, Tensor> t =
                new LinkedHashMap<>(SafeTensors.read(safetensors).tensors());
        String last = new ArrayList<>(t.keySet()).get(t.size() - 1);
        t.get(last).data()[0] = Float.NaN;
        SafeTensors.write(safetensors, t, Map.of("format", "pt"));
    }

    @Test
    void nanAdapterOrEncoderFailsEvalAndTrainInitWithTheFileNamed(@TempDir Path tmp) throws Exception {
        Path enc = TinyGlue.encoder(tmp.resolve("enc"));
        Path d = data(tmp.resolve("rte.tsv"));
        Path a = tmp.resolve("adapter");
        Run train = run(
                new TrainCommand(),
                "--model",
                enc.toString(),
                "--task",
                "rte",
                "--data",
                d.toString(),
                "--max-steps",
                "2",
                "--no-progress",
                "--out",
                a.toString());
        assertEquals(0, train.code(), train.err());
        assertFalse(Files.exists(a.resolve(OutputLock.DIRECTORY_LOCK)), "the output lock is released and removed");
        Run eval = run(
                new EvalCommand(),
                "--model",
                enc.toString(),
                "--adapter",
                a.toString(),
                "--task",
                "rte",
                "--data",
                d.toString());
        assertEquals(0, eval.code(), eval.err());

        // a NaN in the encoder
        Path badEnc = tmp.resolve("bad-enc");
        Files.createDirectories(badEnc);
        try (var files = Files.list(enc)) {
            for (Path f : files.toList()) {
                Files.copy(f, badEnc.resolve(f.getFileName()));
            }
        }
        poison(badEnc.resolve("model.safetensors"));
        assertOneLine(
                run(
                        new EvalCommand(),
                        "--model",
                        badEnc.toString(),
                        "--adapter",
                        a.toString(),
                        "--task",
                        "rte",
                        "--data",
                        d.toString()),
                badEnc.resolve("model.safetensors").toString(),
                "non-finite value");

        // a NaN in the adapter: eval and train --init both refuse it
        poison(a.resolve("adapter.safetensors"));
        assertOneLine(
                run(
                        new EvalCommand(),
                        "--model",
                        enc.toString(),
                        "--adapter",
                        a.toString(),
                        "--task",
                        "rte",
                        "--data",
                        d.toString()),
                a.resolve("adapter.safetensors").toString(),
                "non-finite value");
        assertOneLine(
                run(
                        new TrainCommand(),
                        "--model",
                        enc.toString(),
                        "--task",
                        "rte",
                        "--data",
                        d.toString(),
                        "--max-steps",
                        "2",
                        "--no-progress",
                        "--init",
                        a.toString(),
                        "--out",
                        tmp.resolve("again").toString()),
                a.resolve("adapter.safetensors").toString(),
                "non-finite value");
    }

    @Test
    void numericOptionsAreCheckedBeforeAnythingLoads(@TempDir Path tmp) throws Exception {
        Path d = data(tmp.resolve("rte.tsv"));
        String[] base = {
            "--model",
            "no-such-model",
            "--task",
            "rte",
            "--data",
            d.toString(),
            "--out",
            tmp.resolve("o").toString()
        };
        Object[][] cases = {
            {"--max-steps", "-5", "--max-steps must be ≥ 0"},
            {"--eval-every", "-3", "--eval-every must be ≥ 0"},
            {"--epochs", "-1", "--epochs must be ≥ 0"},
            {"--batch-size", "0", "--batch-size must be positive"},
            {"--lr", "NaN", "--lr must be a finite positive number"},
            {"--lr", "-1e-3", "--lr must be a finite positive number"},
        };
        for (Object[] c : cases) {
            List<String> args = new ArrayList<>(List.of(base));
            args.add((String) c[0]);
            args.add((String) c[1]);
            assertOneLine(run(new TrainCommand(), args.toArray(String[]::new)), (String) c[2]);
        }
        assertOneLine(
                run(
                        new FewshotCommand(),
                        "--model",
                        "no-such-model",
                        "--task",
                        "rte",
                        "--data",
                        d.toString(),
                        "--k",
                        "0"),
                "--k must be positive");
    }

    @Test
    void outputsAreClaimedAndCheckedBeforeTraining(@TempDir Path tmp) throws Exception {
        Path d = data(tmp.resolve("rte.tsv"));
        Path out = tmp.resolve("busy");
        try (OutputLock held = OutputLock.directory(out)) {
            assertOneLine(
                    run(
                            new TrainCommand(),
                            "--model",
                            "no-such-model",
                            "--task",
                            "rte",
                            "--data",
                            d.toString(),
                            "--out",
                            out.toString()),
                    "another mera process is already writing to " + out);
        }
        Path aFile = Files.writeString(tmp.resolve("a-file"), "x");
        // --out under a regular file cannot be written: refused before the (missing) model is even looked up
        Run r = run(
                new FewshotCommand(),
                "--model",
                "no-such-model",
                "--task",
                "rte",
                "--data",
                d.toString(),
                "--out",
                aFile.resolve("results.json").toString());
        assertOneLine(r, aFile.toString());
        assertFalse(r.err().contains("no-such-model"), r.err());
    }
}
