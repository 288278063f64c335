package org.mera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How train/eval/fewshot (and the demo) find a task's data when --data is left out, and what they refuse. */
class TrainingDataTest {

    @Test
    void aBuiltInWordNetTaskWithoutDataReadsTheGeneratedSuiteAsExperimentDoes(@TempDir Path home) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingData.Source src =
                TrainingData.resolve("wn-antonym", null, home, new PrintStream(log, true, StandardCharsets.UTF_8));
        Path suite = home.resolve("demo/wordnet-suite");
        assertEquals(suite.resolve("wn-antonym"), src.dir().taskDir());
        assertEquals("wn-antonym", src.task().name());
        assertEquals(16, src.dir().kshotTrain(16, 13).size() / src.task().numLabels());
        String said = log.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("generating the WordNet task suite") && said.contains(suite.toString()), said);

        // The second command reuses the suite instead of generating it again.
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        TrainingData.resolve("wn-antonym", null, home, new PrintStream(again, true, StandardCharsets.UTF_8));
        assertTrue(!again.toString(StandardCharsets.UTF_8).contains("generating"));
    }

    @Test
    void aGlueTaskWithoutDataStillAsksForItAndGeneratesNothing(@TempDir Path home) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> TrainingData.resolve("RTE", null, home, new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("needs its data"), e.getMessage());
        assertTrue(!Files.exists(home.resolve("demo")), "no WordNet suite for a GLUE task");
    }

    @Test
    void demoRefusesWordNetTracksOnGlueInsteadOfIgnoringThem(@TempDir Path glue) {
        java.io.StringWriter err = new java.io.StringWriter();
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            picocli.CommandLine cl = new picocli.CommandLine(new DemoCommand());
            cl.setErr(new java.io.PrintWriter(err));
            code = cl.execute("--glue", glue.toString(), "--tracks", "context");
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, code);
        String said = captured.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("--tracks picks WordNet tracks"), said);
    }
}
