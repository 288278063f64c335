package org.mera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.adapter.AdapterKind;

/** The recipe schema is parsed and checked in merge, before any adapter is read; the command line overrides it. */
class MergeRecipeTest {
    @Test
    void recipeFieldsBecomeOptionsAndTheCommandLineWins(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("r.yaml");
        Files.writeString(file, """
                method: ties
                name: joint
                output: merged
                sources: [{path: a, weight: 2}, {path: b}]
                parameters: {density: 0.4, majority_sign_method: frequency, seed: 7, normalize: false}
                """);
        MergeRecipe r = MergeRecipe.read(file);
        assertEquals("ties", r.method());
        assertEquals(List.of(tmp.resolve("a"), tmp.resolve("b")), r.sources());
        assertEquals(List.of(2.0, 1.0), r.weights());
        assertEquals(tmp.resolve("merged"), r.output());
        MergeOptions o = r.options();
        assertEquals(0.4, o.density());
        assertEquals("frequency", o.majoritySignMethod());
        assertEquals(7L, o.seed());
        assertEquals(false, o.normalize());
        assertEquals("joint", o.outputName());
        assertTrue(
                r.problems(r.methodOr("ot"), AdapterKind.BOTTLENECK).isEmpty(),
                r.problems("ties", AdapterKind.BOTTLENECK).toString());

        MergeRecipe cli = new MergeRecipe(
                null, null, null, null, List.of(), null, null, null, null, null, 0.9, null, null, null, null);
        MergeRecipe both = cli.orElse(r);
        assertEquals(0.9, both.options().density(), "the command line overrides the file");
        assertEquals(List.of(2.0, 1.0), both.weights(), "unset on the command line: the file's");
        MergeRecipe withDirs = new MergeRecipe(
                null,
                null,
                null,
                null,
                List.of(tmp.resolve("c"), tmp.resolve("d")),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withDirs.orElse(r));
        assertTrue(e.getMessage().contains("r.yaml") && e.getMessage().contains("ADAPTER_DIR"), e.getMessage());
    }

    @Test
    void badRecipesNameTheFileAndTheRegisteredParameters(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("bad.yaml");
        Files.writeString(file, "method: ot\nsources: [a, b]\nparameters: {densty: 0.5}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MergeRecipe.read(file));
        assertTrue(e.getMessage().startsWith(file + ": unknown parameter 'densty'"), e.getMessage());
        assertTrue(e.getMessage().contains("density") && e.getMessage().contains("rank"), e.getMessage());
        Files.writeString(file, "method: ot\nsources: [a, b]\nparameters: {sinkhorn_reg: big}\n");
        e = assertThrows(IllegalArgumentException.class, () -> MergeRecipe.read(file));
        assertTrue(e.getMessage().contains("'sinkhorn_reg' must be a finite number"), e.getMessage());
        Files.writeString(file, "methd: ot\n");
        e = assertThrows(IllegalArgumentException.class, () -> MergeRecipe.read(file));
        assertTrue(e.getMessage().contains("unknown recipe field 'methd'"), e.getMessage());
    }

    @Test
    void problemsAreFoundBeforeAnythingIsRead() {
        MergeRecipe r = new MergeRecipe(
                null,
                "dare",
                null,
                null,
                List.of(Path.of("only-one")),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        List<String> p = r.problems(r.methodOr("ot"), AdapterKind.BOTTLENECK);
        assertEquals(
                2,
                r.problems("dare", AdapterKind.LORA).size(),
                "no LoRA method is called dare: the lookup says so later");
        assertEquals(3, p.size(), p.toString());
        assertTrue(p.get(0).contains("at least 2"), p.toString());
        assertTrue(p.get(1).contains("--out"), p.toString());
        assertTrue(p.get(2).contains("dare needs --density"), p.toString());
        assertNull(new MergeRecipe(
                        null,
                        null,
                        null,
                        null,
                        null,
                        List.of(-1.0, 1.0),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null)
                .method());
        assertTrue(new MergeRecipe(
                        null,
                        null,
                        null,
                        null,
                        null,
                        List.of(-1.0, 1.0),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null)
                .warnings()
                .get(0)
                .contains("negative"));
    }
}
