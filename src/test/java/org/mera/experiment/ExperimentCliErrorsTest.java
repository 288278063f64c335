package org.mera.experiment;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.cli.ExperimentCommand;
import org.mera.cli.ReportCommand;
import picocli.CommandLine;

/**
 * Issue 23, the experiment side of the CLI's error boundary: each of these used to print a stack trace (or, for
 * a config without outputDir, fail despite --out). Each now gets one line naming the file and the field or line, exit
 * code 2 for a config that cannot be read or run (like a bad command line) and 1 for the rest; a bug still gets its
 * trace and a line asking to report it.
 */
class ExperimentCliErrorsTest {
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private PrintStream savedErr;
    private PrintStream savedOut;
    private CellRunnerFactory savedFactory;

    record Run(int code, String out, String err) {
        /** The lines a user sees, without the progress bar's. */
        List<String> errorLines() {
            return err.lines()
                    .filter(l -> l.startsWith("mera ") || l.startsWith("\tat ") || l.startsWith("Caused by"))
                    .toList();
        }
    }

    @BeforeEach
    void capture() {
        savedErr = System.err;
        savedOut = System.out;
        savedFactory = CellRunnerFactory.REGISTERED.get();
        System.setErr(new PrintStream(errBytes, true, java.nio.charset.StandardCharsets.UTF_8));
        System.setOut(new PrintStream(outBytes, true, java.nio.charset.StandardCharsets.UTF_8));
        CellRunnerFactory.register((cfg, cache) -> new CheapCellRunner(0));
    }

    @AfterEach
    void restore() {
        System.setErr(savedErr);
        System.setOut(savedOut);
        CellRunnerFactory.REGISTERED.set(savedFactory);
    }

    private Run run(Object command, String... args) {
        errBytes.reset();
        outBytes.reset();
        int code = new CommandLine(command)
                .setErr(new PrintWriter(
                        new java.io.OutputStreamWriter(System.err, java.nio.charset.StandardCharsets.UTF_8), true))
                .execute(args);
        return new Run(
                code,
                outBytes.toString(java.nio.charset.StandardCharsets.UTF_8),
                errBytes.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void assertOneLine(Run r, String... parts) {
        assertOneLine(1, r, parts);
    }

    /** A config that cannot be read is an invalid config: exit code 2, like a bad command line. */
    private static void assertBadConfig(Run r, String... parts) {
        assertOneLine(2, r, parts);
    }

    private static void assertOneLine(int code, Run r, String... parts) {
        assertEquals(code, r.code(), r.err());
        assertEquals(1, r.errorLines().size(), "one line, no stack trace:\n" + r.err());
        for (String p : parts) {
            assertTrue(r.errorLines().get(0).contains(p), "'" + p + "' missing from: " + r.err());
        }
    }

    private static Path config(Path dir, String yaml) throws Exception {
        FakeGlue.create(dir.resolve("glue"), List.of("RTE"), List.of(4), ExperimentConfig.DEFAULT_SEEDS);
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static final String GOOD =
            "name: t\ndataRoot: glue\noutputDir: out\nencoders: [e]\ntargets: [RTE]\nk: [4]\n"
                    + "methods: [adapter]\nhyperparameters:\n  default: {lr: 1.0e-4}\n";

    @Test
    void configParseErrorsAreOneLineNamingFileAndLine(@TempDir Path tmp) throws Exception {
        Path f = config(tmp, "name: t\ndataRoot: glue\n  k: : ]\n");
        assertBadConfig(
                run(new ExperimentCommand(), f.toString(), "--dry-run"), f.toString(), "not valid YAML", "line ");

        Files.writeString(f, "\n# nothing here\n");
        assertBadConfig(run(new ExperimentCommand(), f.toString(), "--dry-run"), f.toString(), "is empty");

        Files.writeString(f, GOOD + "seeds: [13, .nan]\n");
        assertBadConfig(run(new ExperimentCommand(), f.toString(), "--dry-run"), f.toString(), "line 10", "'seeds[1]'");

        Files.writeString(f, GOOD + "seeds: [13, abc]\n");
        assertBadConfig(run(new ExperimentCommand(), f.toString(), "--dry-run"), f.toString(), "'seeds[1]'");

        Files.writeString(f, GOOD.replace("targets:", "taregts:"));
        assertBadConfig(
                run(new ExperimentCommand(), f.toString(), "--dry-run"),
                f.toString(),
                "unknown field 'taregts'",
                "did you mean 'targets'?");
    }

    @Test
    void engineSparkWithoutTheSparkModuleSaysHowToGetIt(@TempDir Path tmp) throws Exception {
        Path f = config(tmp, GOOD);
        assertBadConfig(
                run(new ExperimentCommand(), f.toString(), "--engine", "spark"),
                "--engine spark",
                "not on the class path",
                "spark/mera-spark",
                "mera-spark-assembly.jar",
                "docs/spark.md");
        assertFalse(Files.exists(tmp.resolve("out/results.jsonl")), "nothing ran");
        assertBadConfig(
                run(new ExperimentCommand(), f.toString(), "--engine", "dask"), "no such engine", "available: local");
        assertBadConfig(
                run(new ExperimentCommand(), f.toString(), "--master", "local[2]"), "--master is for --engine spark");
        Run local = run(new ExperimentCommand(), f.toString(), "--engine", "local", "--no-report");
        assertEquals(0, local.code(), local.err());
        assertTrue(
                Files.readString(tmp.resolve("out/runs").toFile().listFiles()[0].toPath())
                        .contains("\"executionEngine\" : \"local\""));
    }

    /**
     * Two processes started together each import the other's folder, which may not exist yet: the run goes ahead
     * (and imports from it once it does). A dry run with --import writes nothing, the import included.
     */
    @Test
    void importFromAFolderNotCreatedYetRunsAndADryRunImportWritesNothing(@TempDir Path tmp) throws Exception {
        Path f = config(tmp, GOOD);
        Path other = tmp.resolve("other-part");
        Run first = run(new ExperimentCommand(), f.toString(), "--import", other.toString(), "--no-report");
        assertEquals(0, first.code(), first.err());
        long cells = Files.readAllLines(tmp.resolve("out/results.jsonl")).size();
        assertTrue(cells > 0);

        Path copy = tmp.resolve("copy.yaml");
        Files.writeString(copy, GOOD.replace("outputDir: out", "outputDir: fresh"));
        Run dry = run(
                new ExperimentCommand(),
                copy.toString(),
                "--import",
                tmp.resolve("out").toString(),
                "--dry-run");
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("would import " + cells + " cells from "), dry.out());
        assertTrue(dry.out().contains(cells + " cells, 0 done, " + cells + " to import, 0 to run"), dry.out());
        assertFalse(Files.exists(tmp.resolve("fresh")), "the dry run imported nothing and created nothing");
        Run real = run(
                new ExperimentCommand(),
                copy.toString(),
                "--import",
                tmp.resolve("out").toString(),
                "--no-report");
        assertEquals(0, real.code(), real.err());
        assertEquals(
                cells, Files.readAllLines(tmp.resolve("fresh/results.jsonl")).size(), "all imported");
    }

    @Test
    void configWithoutOutputDirWorksWithOut(@TempDir Path tmp) throws Exception {
        Path f = config(tmp, GOOD.replace("outputDir: out\n", ""));
        assertBadConfig(
                run(new ExperimentCommand(), f.toString(), "--dry-run"),
                "missing required field(s) [outputDir]",
                "--out");
        Run r = run(
                new ExperimentCommand(),
                f.toString(),
                "--dry-run",
                "--out",
                tmp.resolve("o").toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void anOutThatIsAFileIsOneLineSayingSo(@TempDir Path tmp) throws Exception {
        Path f = config(tmp, GOOD);
        Path file = tmp.resolve("afile");
        Files.writeString(file, "not a folder");
        Run fromConfig = run(new ExperimentCommand(), f.toString(), "--out", file.toString());
        assertEquals(2, fromConfig.code(), fromConfig.err());
        assertTrue(fromConfig.err().contains("outputDir: " + file + " exists and is not a folder"), fromConfig.err());
        assertOneLine(
                2,
                run(
                        new ExperimentCommand(),
                        "--target",
                        "RTE",
                        "--data",
                        tmp.resolve("glue").toString(),
                        "--k",
                        "4",
                        "--methods",
                        "adapter",
                        "--out",
                        file.toString()),
                "already exists and is not a folder: " + file);
        assertEquals("not a folder", Files.readString(file));
    }

    @Test
    void heldLockDamagedResultsAndMissingFolderAreOneLine(@TempDir Path tmp) throws Exception {
        Path f = config(tmp, GOOD);
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        try (FileChannel ch =
                        FileChannel.open(out.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = ch.lock()) {
            assertOneLine(run(new ExperimentCommand(), f.toString()), "already writing to " + out);
        }
        assertEquals(0, run(new ExperimentCommand(), f.toString()).code());
        Path results = out.resolve("results.jsonl");
        List<String> lines = Files.readAllLines(results);
        Files.writeString(
                results,
                lines.get(0) + "\n{not json at all}\n" + String.join("\n", lines.subList(1, lines.size())) + "\n");
        assertOneLine(run(new ReportCommand(), out.toString()), results + ":2", "not a result record");
        assertOneLine(
                run(new ReportCommand(), tmp.resolve("nothing-here").toString()),
                "nothing-here",
                "no such experiment folder");
    }

    @Test
    void aFailedCellIsOneLineWithHowToResumeAndABugGetsItsTrace(@TempDir Path tmp) throws Exception {
        Path f = config(tmp, GOOD);
        CellRunnerFactory.register((cfg, cache) -> CheapCellRunner.wrapped("1", c -> {
            throw new IllegalArgumentException("k-shot file has label 'maybe', which RTE does not know");
        }));
        Run r = run(new ExperimentCommand(), f.toString(), "--no-report");
        assertOneLine(r, "failed: k-shot file has label 'maybe'", "run the same command again to resume");

        CellRunnerFactory.register((cfg, cache) -> CheapCellRunner.wrapped("1", c -> {
            throw new NullPointerException("a bug");
        }));
        r = run(
                new ExperimentCommand(),
                f.toString(),
                "--no-report",
                "--out",
                tmp.resolve("o2").toString());
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("\tat ") && r.err().contains("This is a bug in mera. Please report it"), r.err());
    }

    /**
     * Issue 23, item 5: a grid whose data files a cell would refuse is refused before the first cell trains, by the
     * dry run and by the run itself, naming the file and line (and every such file at once), exit code 2.
     */
    @Test
    void badDataFilesAreRefusedBeforeTheFirstCell(@TempDir Path tmp) throws Exception {
        Path f = config(tmp, GOOD + "seeds: [13, 21, 42]\n");
        Path glue = tmp.resolve("glue/RTE");
        Path train13 = glue.resolve("k-shot/4-13/train.jsonl");
        List<String> lines = Files.readAllLines(train13);
        lines.set(2, lines.get(2).replace("\"entailment\"", "\"maybe\""));
        Files.write(train13, lines);
        Path dev21 = glue.resolve("k-shot/4-21/dev.jsonl");
        Files.writeString(dev21, FakeGlue.lines(org.mera.data.GlueTasks.RTE, "three per label", 3));
        Path test = glue.resolve("test.jsonl");
        Files.writeString(test, "{\"text_a\": \"only one text\", \"label\": \"entailment\"}\n");

        Run dry = run(new ExperimentCommand(), f.toString(), "--dry-run");
        assertEquals(2, dry.code(), dry.err());
        assertTrue(dry.err().contains(train13 + ":3: unknown label 'maybe' for task RTE"), dry.err());
        assertTrue(
                dry.err()
                        .contains(
                                dev21 + ": a k-shot split for k=4 holds 4 examples of every label of RTE, but this one "
                                        + "holds {entailment=3, not_entailment=3}"),
                dry.err());
        assertTrue(dry.err().contains(test + ":1: the first row has [text_a, label] but task RTE reads"), dry.err());
        assertFalse(dry.err().contains("\tat "), dry.err());

        Run real = run(new ExperimentCommand(), f.toString(), "--no-report");
        assertEquals(2, real.code(), real.err());
        assertTrue(real.err().contains(train13 + ":3: unknown label 'maybe'"), real.err());
        assertFalse(Files.exists(tmp.resolve("out/results.jsonl")), "no cell ran");

        Files.writeString(train13, FakeGlue.lines(org.mera.data.GlueTasks.RTE, "fixed", 4));
        Files.writeString(dev21, FakeGlue.lines(org.mera.data.GlueTasks.RTE, "fixed", 4));
        Files.writeString(test, FakeGlue.lines(org.mera.data.GlueTasks.RTE, "fixed", 1));
        assertEquals(0, run(new ExperimentCommand(), f.toString(), "--dry-run").code());
    }
}
