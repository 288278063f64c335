package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.cli.TrainCommand;
import org.mera.io.Json;
import picocli.CommandLine;

/**
 * The first half of the determinism contract (docs/hardening.md): the same data, seed and thread count give the same
 * bytes, file for file; another seed gives other weights (so the comparison can fail). On a tiny random BERT.
 */
class SameSeedSameBytesTest {
    @Test
    void trainingTwiceWithOneSeedWritesIdenticalFiles(@TempDir Path tmp) throws Exception {
        Path enc = TinyGlue.encoder(tmp.resolve("enc"));
        Path data = tmp.resolve("rte.tsv");
        List<String> lines = new ArrayList<>(List.of("index\tsentence1\tsentence2\tlabel"));
        for (int i = 0; i < 24; i++) {
            lines.add(i + "\tThe cat number " + i + " sat on the mat.\tA cat sat.\t"
                    + (i % 2 == 0 ? "entailment" : "not_entailment"));
        }
        Files.write(data, lines);
        Path a = train(enc, data, tmp.resolve("a"), "42");
        Path b = train(enc, data, tmp.resolve("b"), "42");
        Path c = train(enc, data, tmp.resolve("c"), "43");
        List<Path> files = files(a);
        assertFalse(files.isEmpty());
        assertEquals(files, files(b));
        for (Path f : files) {
            if (f.toString().equals("metrics.json")) {
                // the one thing allowed to differ is how long training took
                var ma = (com.fasterxml.jackson.databind.node.ObjectNode)
                        Json.CANONICAL.readTree(a.resolve(f).toFile());
                var mb = (com.fasterxml.jackson.databind.node.ObjectNode)
                        Json.CANONICAL.readTree(b.resolve(f).toFile());
                ma.remove("seconds");
                mb.remove("seconds");
                assertEquals(ma, mb, "same seed, different metrics");
                continue;
            }
            assertArrayEquals(
                    Files.readAllBytes(a.resolve(f)),
                    Files.readAllBytes(b.resolve(f)),
                    "same seed, different bytes in " + f);
        }
        assertNotEquals(
                java.util.Arrays.hashCode(Files.readAllBytes(a.resolve("adapter.safetensors"))),
                java.util.Arrays.hashCode(Files.readAllBytes(c.resolve("adapter.safetensors"))),
                "another seed, other weights");
    }

    private static Path train(Path enc, Path data, Path out, String seed) {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new TrainCommand())
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err))
                .execute(
                        "--model",
                        enc.toString(),
                        "--task",
                        "rte",
                        "--data",
                        data.toString(),
                        "--max-steps",
                        "4",
                        "--seed",
                        seed,
                        "--no-progress",
                        "--out",
                        out.toString());
        assertEquals(0, code, err.toString());
        return out;
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
        }
    }
}
