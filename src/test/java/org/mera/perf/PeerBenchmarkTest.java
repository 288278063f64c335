package org.mera.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peer benchmark's plumbing: its rows read from a child process, refused when malformed, set beside mera's. */
class PeerBenchmarkTest {
    @Test
    void rowsComeFromTheScriptAndSitBesideMerasWithTheirRatio(@TempDir Path tmp) throws Exception {
        Path script = tmp.resolve("peer.sh");
        Files.writeString(
                script,
                String.join(
                        "\n",
                        "echo '{\"row\": \"forward\", \"median_s\": 0.8, \"peak_rss_mib\": 900.0, \"torch\": \"2.13.0\", \"transformers\": \"5.17.0\", \"peft\": \"0.21.0\", \"attention\": \"sdpa\"}'",
                        "echo '{\"row\": \"lora\", \"median_s\": 1.5, \"peak_rss_mib\": 2100.0}'",
                        ""));
        List<PeerBenchmark.Row> rows = PeerBenchmark.run("sh", script, tmp, "tiny", 2, 8, 1, 0, 1);
        assertEquals(2, rows.size());
        assertEquals(
                "torch 2.13.0, transformers 5.17.0, peft 0.21.0, attention sdpa",
                rows.get(0).versions());
        List<BenchRow> mera = List.of(
                new BenchRow("f", 0.4, 1, "tokens/s", Double.NaN, 700),
                new BenchRow("a", 1.0, 1, "tokens/s", Double.NaN, 1800),
                new BenchRow("l", 3.0, 1, "tokens/s", Double.NaN, 1900));
        MatmulFloor.Result floor = new MatmulFloor.Result(0.2, 0.3, 0.5, 1e9, 1e9, 1e9);
        String md = PeerBenchmark.sideBySide("tiny", mera, rows, floor);
        assertTrue(md.contains("| forward | 400.00 ms | 800.00 ms | 2.00 | 200.00 ms | 2.00 | 4.00 | 700 | 900 |"), md);
        assertTrue(md.contains("| adapter step | 1.00 s | - | - | 500.00 ms | 2.00 | - | 1800 | - |"), md);
        assertTrue(md.contains("| lora step | 3.00 s | 1.50 s | 0.50 | 500.00 ms | 6.00 | 3.00 | 1900 | 2100 |"), md);
        assertTrue(!md.contains("full step"), "no row on either side: left out\n" + md);
    }

    @Test
    void aFailingOrGarbledPeerIsAnErrorWithItsOutput(@TempDir Path tmp) throws Exception {
        Path failing = tmp.resolve("fail.sh");
        Files.writeString(failing, "echo 'No module named transformers' >&2; exit 1\n");
        IOException e =
                assertThrows(IOException.class, () -> PeerBenchmark.run("sh", failing, tmp, "tiny", 2, 8, 1, 0, 1));
        assertTrue(
                e.getMessage().contains("exit 1") && e.getMessage().contains("No module named transformers"),
                e.getMessage());
        Path garbled = tmp.resolve("garbled.sh");
        Files.writeString(garbled, "echo 'loading weights...'\n");
        IOException g =
                assertThrows(IOException.class, () -> PeerBenchmark.run("sh", garbled, tmp, "tiny", 2, 8, 1, 0, 1));
        assertTrue(g.getMessage().contains("not a peer row: 'loading weights...'"), g.getMessage());
        Path missing = tmp.resolve("nope.py");
        IOException m =
                assertThrows(IOException.class, () -> PeerBenchmark.run("sh", missing, tmp, "tiny", 2, 8, 1, 0, 1));
        assertTrue(m.getMessage().contains("not found"), m.getMessage());
    }
}
