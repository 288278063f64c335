package org.mera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The no-YAML comparison's hyperparameters: each method chooses its learning rate on dev unless the user fixes one, and
 * {@code --hp} takes lists and per-method keys (a newcomer's review found {@code --hp lrGrid=[...]} refused with its own
 * example as the expected form).
 */
class QuickExperimentTest {
    private static Map<String, String> hp(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void byDefaultEachMethodChoosesItsLearningRateOnDev() {
        Map<String, Map<String, Object>> h = QuickExperiment.hyperparameters(hp("steps", "30"));
        assertEquals(List.of(1.0e-4, 3.0e-4, 1.0e-3), h.get("default").get("lrGrid"));
        assertEquals(30, h.get("default").get("steps"));
        assertEquals(List.of(1.0e-5, 2.0e-5, 5.0e-5), h.get("full").get("lrGrid"));
        assertEquals(List.of(1.0e-5, 5.0e-5, 1.0e-4), h.get("fusion").get("lrGrid"));
        assertEquals(List.of("default", "full", "fusion"), List.copyOf(h.keySet()));
    }

    @Test
    void aLearningRateGivenByTheUserReplacesTheGrids() {
        Map<String, Map<String, Object>> one = QuickExperiment.hyperparameters(hp("lr", "1e-3"));
        assertEquals(Map.of("default", Map.of("lr", 1e-3)), one);
        Map<String, Map<String, Object>> grid =
                QuickExperiment.hyperparameters(hp("lrGrid", "[1.0e-4, 3.0e-4, 1.0e-3]", "full.lrGrid", "[1e-5,3e-5]"));
        assertEquals(List.of(1.0e-4, 3.0e-4, 1.0e-3), grid.get("default").get("lrGrid"));
        assertEquals(List.of(1.0e-5, 3.0e-5), grid.get("full").get("lrGrid"));
        assertFalse(grid.containsKey("fusion"), "no default grid is added once the user sets one: " + grid);
        assertTrue(QuickExperiment.choosesLearningRate(hp("fusion.fusionTemperature", "2")));
        // one method's own rate or grid replaces that method's choice only; the others keep theirs
        Map<String, Map<String, Object>> own =
                QuickExperiment.hyperparameters(hp("full.lrGrid", "[1e-5,3e-5]", "adapter.lr", "1e-3"));
        assertEquals(List.of(1.0e-4, 3.0e-4, 1.0e-3), own.get("default").get("lrGrid"));
        assertEquals(List.of(1.0e-5, 3.0e-5), own.get("full").get("lrGrid"));
        assertEquals(List.of(1.0e-5, 5.0e-5, 1.0e-4), own.get("fusion").get("lrGrid"));
        assertEquals(List.of(1e-3), own.get("adapter").get("lrGrid"), "a grid in force would override adapter.lr");
    }

    @Test
    void builtInWordNetTasksNeedNoDataFolder(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        org.mera.experiment.ExperimentConfig cfg = new QuickExperiment(
                        List.of("wn-verb-lexname"),
                        List.of("wn-noun-lexname", "wn-gloss-match"),
                        List.of(),
                        List.of("adapter", "single"),
                        List.of(13),
                        null,
                        null,
                        null,
                        Map.of(),
                        home.resolve("out"),
                        home)
                .config(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8), false);
        java.nio.file.Path suite = home.resolve("demo/wordnet-suite");
        assertEquals(suite, cfg.dataRoot());
        assertTrue(java.nio.file.Files.isDirectory(suite.resolve("wn-verb-lexname")), "generated on first use");
        String said = log.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(
                said.contains("generating the WordNet task suite into " + suite) && said.contains("read from"), said);
        // with every method left to it: mera-auto over two sources would be mera-ot's network (neurons permuted)
        log.reset();
        org.mera.experiment.ExperimentConfig all = quick(home, Map.of(), log);
        assertFalse(all.methods().contains("mera-auto"), all.methods().toString());
        assertTrue(all.methods().contains("mera-ot"), all.methods().toString());
        said = log.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(
                said.contains("leaving out mera-auto: with two source adapters for [wn-verb-lexname] it merges both"),
                said);
        // both sources are in wn-verb-lexname's track (definitions): same-track would be mera-ot again
        assertFalse(all.methods().contains("mera-same-track"), all.methods().toString());
        assertTrue(said.contains("leaving out mera-same-track: every source is in its target's track"), said);
        assertTrue(quick(home, Map.of("mera-auto.autoTop", "1"), log).methods().contains("mera-auto"));
        // other OT settings for one of them make two results
        assertTrue(quick(home, Map.of("mera-same-track.groundMetric", "cosine"), log)
                .methods()
                .contains("mera-same-track"));
        // a GLUE name beside them still needs --data: no WordNet folder is put in its place
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new QuickExperiment(
                                List.of("MRPC"),
                                List.of("wn-noun-lexname"),
                                List.of(),
                                List.of("adapter"),
                                List.of(13),
                                null,
                                null,
                                null,
                                Map.of(),
                                home.resolve("out2"),
                                home)
                        .config(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), false));
        assertTrue(e.getMessage().contains("MRPC needs its data"), e.getMessage());
    }

    /** A dry run also says which source adapters the cells need trained, and their budget. */
    @Test
    void aDryRunNamesTheSourceAdaptersToTrainAndThoseCachedAlready(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        org.mera.experiment.cell.MeraCellRunner.register();
        java.nio.file.Path suite = tmp.resolve("suite");
        org.mera.data.wordnet.WordNetSuite.write(suite, 42);
        String said = experiment(tmp, suite, "--dry-run");
        assertTrue(
                said.contains("source adapters these cells start from")
                        && said.contains("  minilm: 1 [wn-noun-lexname] (to train: [wn-noun-lexname])")
                        && said.contains("each up to 4 steps of 32 pool rows"),
                said);
        assertFalse(java.nio.file.Files.exists(tmp.resolve("o")), "a dry run writes nothing");

        experiment(tmp, suite, "--sources-only");
        said = experiment(tmp, suite, "--dry-run");
        assertTrue(said.contains("  minilm: 1 [wn-noun-lexname] (cached: [wn-noun-lexname])"), said);

        // as a killed training run leaves it: no adapter yet, a checkpoint beside where it goes
        java.nio.file.Path adapter;
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(tmp)) {
            adapter = files.filter(f -> f.getFileName().toString().startsWith("source-adapter-"))
                    .findFirst()
                    .orElseThrow();
        }
        java.nio.file.Files.move(adapter, tmp.resolve("moved-away"));
        java.nio.file.Files.writeString(adapter.resolveSibling("." + adapter.getFileName() + ".resume"), "");
        said = experiment(tmp, suite, "--dry-run");
        assertTrue(
                said.contains(
                        "  minilm: 1 [wn-noun-lexname] (partly trained, resumes from its checkpoint: [wn-noun-lexname])"),
                said);
    }

    /** Runs the quick experiment of the test above with {@code flag}; returns what it printed. */
    private static String experiment(java.nio.file.Path tmp, java.nio.file.Path suite, String flag) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.out;
        int code;
        try {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            code = new picocli.CommandLine(new ExperimentCommand())
                    .execute(
                            "--target",
                            "wn-verb-lexname",
                            "--source",
                            "wn-noun-lexname",
                            "--methods",
                            "adapter,single",
                            "--seeds",
                            "13,21",
                            "--hp",
                            "sourceSteps=4",
                            "--data",
                            suite.toString(),
                            flag,
                            "--out",
                            tmp.resolve("o").toString());
        } finally {
            System.setOut(saved);
        }
        String said = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, code, flag + ": " + said);
        return said;
    }

    private static org.mera.experiment.ExperimentConfig quick(
            java.nio.file.Path home, Map<String, String> hp, java.io.ByteArrayOutputStream log) throws Exception {
        return new QuickExperiment(
                        List.of("wn-verb-lexname"),
                        List.of("wn-noun-lexname", "wn-gloss-match"),
                        List.of(),
                        List.of(),
                        List.of(13),
                        null,
                        null,
                        null,
                        hp,
                        home.resolve("out"),
                        home)
                .config(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8), false);
    }

    @Test
    void aPerMethodRateThatIsNoNumberIsOneProblem() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> QuickExperiment.hyperparameters(hp("mera-ot.lr", "abc")));
        assertTrue(e.getMessage().contains("--hp mera-ot.lr=abc: a learning rate must be a number"), e.getMessage());
    }

    @Test
    void aPerMethodKeyMustNameAMethod() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> QuickExperiment.hyperparameters(hp("fulll.lr", "1e-5")));
        assertTrue(
                e.getMessage().contains("--hp fulll.lr=1e-5") && e.getMessage().contains("mera-ot"), e.getMessage());
    }
}
