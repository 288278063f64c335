package org.mera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {
    @TempDir
    Path tmp;

    private int run(StringWriter out, StringWriter err, String... args) {
        return new CommandLine(new BenchCommand())
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void printsTheTableAndKeepsOneSectionInTheDocument() throws Exception {
        Path doc = tmp.resolve("performance.md");
        Files.writeString(doc, "# Performance\n\nprose stays\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = {
            "--sizes",
            "16,32",
            "--warmup",
            "0",
            "--runs",
            "2",
            "--doc",
            doc.toString(),
            "--section",
            "test-run",
            "--models",
            "none",
            "--no-merge"
        };
        assertEquals(0, run(out, err, args), err.toString());
        assertTrue(out.toString().contains("matmul 32x32 fp32"), out.toString());
        assertTrue(out.toString().contains("CPU: "), out.toString());
        assertEquals(0, run(new StringWriter(), err, args), err.toString());

        String written = Files.readString(doc);
        assertTrue(written.startsWith("# Performance\n\nprose stays\n"), written);
        assertEquals(1, written.split("BEGIN mera-bench:test-run", -1).length - 1, written);
        assertTrue(written.contains("| matmul 16x16 fp32 |") && written.contains("| matmul 32x32 fp32 |"), written);
        assertTrue(written.contains("- command: mera bench --sizes 16,32"), written);
    }

    @Test
    void recordsItsOwnArgumentsWhenRunUnderMera() throws Exception {
        Path doc = tmp.resolve("performance.md");
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Main())
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err))
                .execute(
                        "bench",
                        "--sizes",
                        "16",
                        "--warmup",
                        "0",
                        "--runs",
                        "1",
                        "--doc",
                        doc.toString(),
                        "--models",
                        "none",
                        "--no-merge");
        assertEquals(0, code, err.toString());
        String written = Files.readString(doc);
        assertTrue(written.contains("- command: mera bench --sizes 16 --warmup 0"), written);
    }

    @Test
    void timesARealEncoderAndTheMerge() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(
                0,
                run(
                        out,
                        err,
                        "--sizes",
                        "16",
                        "--runs",
                        "1",
                        "--warmup",
                        "0",
                        "--models",
                        "minilm",
                        "--batch",
                        "2",
                        "--seq",
                        "8",
                        "--model-runs",
                        "1",
                        "--no-doc"),
                err.toString());
        String table = out.toString();
        for (String row : new String[] {
            "minilm forward 2x8",
            "minilm adapter-tuning step 2x8",
            "minilm LoRA step (r 8, query and value) 2x8",
            "minilm full fine-tuning step 2x8",
            "minilm AdapterFusion step (7 sources) 2x8",
            "OT merge, 8 bert-base Pfeiffer adapters, exact",
            "OT merge, 8 bert-base Pfeiffer adapters, Sinkhorn"
        }) {
            assertTrue(table.contains(row), row + " missing from:\n" + table);
        }
    }

    @Test
    void badArgumentsAreUsageErrors() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "--runs", "0", "--no-doc"));
        assertTrue(err.toString().contains("--runs must be >= 1, got 0"), err.toString());
        assertEquals(2, run(new StringWriter(), new StringWriter(), "--sizes", "0", "--no-doc"));
        StringWriter unknown = new StringWriter();
        assertEquals(2, run(new StringWriter(), unknown, "--padding-tasks", "SST-3", "--no-doc"));
        assertTrue(unknown.toString().contains("--padding-tasks SST-3: unknown task 'SST-3'"), unknown.toString());
        StringWriter missing = new StringWriter();
        assertEquals(
                2, run(new StringWriter(), missing, "--padding-tasks", "RTE", "--glue", tmp.toString(), "--no-doc"));
        assertTrue(
                missing.toString().contains("--padding-tasks RTE: task RTE: no directory")
                        && missing.toString().contains(tmp.toString()),
                missing.toString());
    }
}
