package org.mera.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.bottleneck.AdapterHubDirectory;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.adapter.lora.LoraConfig;
import org.mera.adapter.lora.LoraModule;
import org.mera.adapter.lora.LoraWeights;
import org.mera.adapter.lora.PeftLoraDirectory;
import org.mera.merge.RandomAdapters;
import picocli.CommandLine;

class MergeCommandTest {
    private static final EncoderInfo ENC = new EncoderInfo("bert-base-uncased", "bert", "BertAdapterModel", 24);

    record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new MergeCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertSameWeights(AdapterWeights a, AdapterWeights b) {
        for (int i = 0; i < a.units().size(); i++) {
            assertArrayEquals(
                    a.units().get(i).downWeight().data(),
                    b.units().get(i).downWeight().data());
            assertArrayEquals(
                    a.units().get(i).upWeight().data(),
                    b.units().get(i).upWeight().data());
            assertArrayEquals(
                    a.units().get(i).downBias().data(),
                    b.units().get(i).downBias().data());
        }
    }

    private static List<Path> writePermutedCopies(Path tmp, AdapterWeights a) throws Exception {
        List<Path> dirs = new ArrayList<>();
        for (String n : List.of("mrpc", "qqp", "stsb")) {
            AdapterWeights w =
                    n.equals("mrpc") ? a.renamed("mrpc") : RandomAdapters.permuteNeurons(a, n, n.hashCode(), null);
            Path d = tmp.resolve(n);
            AdapterHubDirectory.write(d, w);
            dirs.add(d);
        }
        return dirs;
    }

    @Test
    void otMergeOfAdapterDirectoriesEndToEnd(@TempDir Path tmp) throws Exception {
        AdapterWeights a = RandomAdapters.create("mrpc", BottleneckConfig.pfeiffer(), ENC, 2, 6, 0.3, 1);
        List<Path> dirs = writePermutedCopies(tmp, a);
        Path out = tmp.resolve("merged");
        Path report = tmp.resolve("report.md");
        Run r = run(
                "--method",
                "ot",
                "--anchor",
                "mrpc",
                "--name",
                "paraphrase",
                "--report",
                report.toString(),
                "--out",
                out.toString(),
                dirs.get(0).toString(),
                dirs.get(1).toString(),
                dirs.get(2).toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("merged 3 adapters [mrpc, qqp, stsb] with ot"), r.out());
        assertTrue(r.out().contains("alignment to anchor mrpc"), r.out());
        AdapterWeights merged = AdapterHubDirectory.read(out);
        assertEquals("paraphrase", merged.name());
        assertEquals("ot", merged.merge().method());
        assertEquals(List.of("mrpc", "qqp", "stsb"), merged.merge().sources());
        assertSameWeights(a, merged);
        assertTrue(Files.readString(out.resolve("adapter_config.json")).contains("\"mera_merge\""));
        assertTrue(Files.readString(report).startsWith("| layer | location | source |"));

        Run avg = run(
                "--method",
                "average",
                "--weights",
                "1,1,2",
                "--out",
                tmp.resolve("avg").toString(),
                dirs.get(0).toString(),
                dirs.get(1).toString(),
                dirs.get(2).toString());
        assertEquals(0, avg.code(), avg.err());
        assertEquals(
                List.of(0.25, 0.25, 0.5),
                AdapterHubDirectory.read(tmp.resolve("avg")).merge().weights());

        Run sk = run(
                "--sinkhorn-reg",
                "0.001",
                "--anchor",
                "iterative",
                "--out",
                tmp.resolve("sk").toString(),
                dirs.get(0).toString(),
                dirs.get(1).toString(),
                dirs.get(2).toString());
        assertEquals(0, sk.code(), sk.err());
        assertEquals(
                "sinkhorn",
                AdapterHubDirectory.read(tmp.resolve("sk")).merge().parameters().get("transport"));
    }

    @Test
    void recipeWithWeightsAndParameters(@TempDir Path tmp) throws Exception {
        AdapterWeights a = RandomAdapters.create("mrpc", BottleneckConfig.pfeiffer(), ENC, 2, 6, 0.3, 2);
        writePermutedCopies(tmp, a);
        Path recipe = tmp.resolve("recipe.yaml");
        Files.writeString(recipe, """
                method: ties
                name: para_ties
                output: out/ties
                sources:
                  - path: mrpc
                    weight: 1.0
                  - path: qqp
                    weight: 0.5
                  - stsb
                parameters:
                  density: 0.5
                  majority_sign_method: frequency
                """);
        Run r = run("--recipe", recipe.toString());
        assertEquals(0, r.code(), r.err());
        AdapterWeights m = AdapterHubDirectory.read(tmp.resolve("out/ties"));
        assertEquals("para_ties", m.name());
        assertEquals("ties", m.merge().method());
        assertEquals(List.of(1.0, 0.5, 1.0), m.merge().weights());
        assertEquals("frequency", m.merge().parameters().get("majority_sign_method"));
        assertEquals("0.5", m.merge().parameters().get("density"));

        Files.writeString(recipe, "method: ot\nsources: [mrpc, qqp]\nparameters: {colour: red}\noutput: x\n");
        Run bad = run("--recipe", recipe.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("colour") && bad.err().contains("recipe.yaml"), bad.err());
    }

    @Test
    void loraDirectoriesMergeBySvd(@TempDir Path tmp) throws Exception {
        List<Path> dirs = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Random rng = new Random(k);
            List<LoraModule> mods = new ArrayList<>();
            for (String m : List.of("query", "value")) {
                mods.add(new LoraModule(
                        "base_model.model.bert.encoder.layer.0.attention.self." + m,
                        RandomAdapters.gaussian(rng, 0.1, 2, 24),
                        RandomAdapters.gaussian(rng, 0.1, 24, 2)));
            }
            Path d = tmp.resolve("lora" + k);
            PeftLoraDirectory.write(
                    d,
                    new LoraWeights(
                            "lora" + k,
                            LoraConfig.of(2, 4, List.of("query", "value"), "bert-base-uncased"),
                            mods,
                            Map.of(),
                            null));
            dirs.add(d);
        }
        Path out = tmp.resolve("merged");
        Run r = run(
                "--method",
                "svd",
                "--rank",
                "4",
                "--out",
                out.toString(),
                dirs.get(0).toString(),
                dirs.get(1).toString());
        assertEquals(0, r.code(), r.err());
        LoraWeights m = PeftLoraDirectory.read(out);
        assertEquals(4, m.config().r());
        assertEquals("svd", m.merge().method());
        Run bad = run(
                "--method",
                "ties",
                "--out",
                out.toString(),
                dirs.get(0).toString(),
                dirs.get(1).toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("svd, linear, cat"), bad.err());
    }

    @Test
    void mismatchedAdaptersFailWithBothNames(@TempDir Path tmp) throws Exception {
        AdapterHubDirectory.write(
                tmp.resolve("a"), RandomAdapters.create("mrpc", BottleneckConfig.pfeiffer(), ENC, 2, 6, 0.3, 3));
        AdapterHubDirectory.write(
                tmp.resolve("b"), RandomAdapters.create("rte", BottleneckConfig.pfeiffer(), ENC, 2, 3, 0.3, 4));
        Run r = run(
                "--out",
                tmp.resolve("m").toString(),
                tmp.resolve("a").toString(),
                tmp.resolve("b").toString());
        assertEquals(1, r.code());
        assertTrue(
                r.err().contains("'mrpc'")
                        && r.err().contains("'rte'")
                        && r.err().contains("bottleneck"),
                r.err());
        assertFalse(Files.exists(tmp.resolve("m")));

        Run noDensity = run(
                "--method",
                "ties",
                "--out",
                tmp.resolve("m").toString(),
                tmp.resolve("a").toString(),
                tmp.resolve("a").toString());
        assertNotEquals(0, noDensity.code());
        assertTrue(noDensity.err().contains("--density"), noDensity.err());

        Run missing = run(
                "--out",
                tmp.resolve("m").toString(),
                tmp.resolve("a").toString(),
                tmp.resolve("nope").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope"), missing.err());
    }

    /** --help is built from the registry: every registered method shows, and the grid's mera-* methods name registered ones. */
    @Test
    void helpListsTheRegisteredMethods() {
        String help = new CommandLine(new MergeCommand()).getUsageMessage();
        for (org.mera.merge.MergeMethods.Registered m : org.mera.merge.MergeMethods.all()) {
            assertTrue(help.contains(m.name()), m.name() + " missing from:\n" + help);
        }
        assertTrue(help.contains("LoRA (PEFT) methods: svd, linear, cat."), help);
        for (org.mera.experiment.Method m : org.mera.experiment.Method.values()) {
            if (m.id().startsWith("mera-")) {
                assertTrue(org.mera.merge.MergeMethods.find(m.mergeMethod()).isPresent(), m.id());
            }
        }
    }
}
