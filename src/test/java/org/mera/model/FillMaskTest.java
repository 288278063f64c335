package org.mera.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Google's BERT-base, converted from its TF checkpoint, answers masked-token probes like a real BERT. */
class FillMaskTest {
    private static Path bert;

    @BeforeAll
    static void fetch() throws Exception {
        bert = ModelCatalog.fromEnvironment().resolve("bert-base-uncased");
    }

    @Test
    void bertBaseUncasedAnswersProbes() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
                BertEncoder enc = BertEncoder.load(bert, m);
                MaskFiller filler = new MaskFiller(enc, bert.resolve("tokenizer.json"))) {
            assertEquals("paris", top(filler, "The capital of France is [MASK]."));
            assertEquals("rome", top(filler, "The capital of Italy is [MASK]."));
            // HF's model card for bert-base-uncased lists fashion, role, new, super, fine for this probe.
            assertEquals(
                    List.of("fashion", "role", "new", "super", "fine"),
                    filler.fill("Hello I'm a [MASK] model.", 5).get(0).stream()
                            .map(MaskFiller.Guess::token)
                            .toList());
            assertTrue(filler.fill("The sky is [MASK].", 5).get(0).stream()
                    .anyMatch(g -> g.token().equals("blue")));
            assertEquals("king", top(filler, "The man who rules a kingdom is called a [MASK]."));
            List<MaskFiller.Guess> two =
                    filler.fill("I took my [MASK] for a walk in the [MASK].", 5).get(1);
            assertTrue(two.stream().anyMatch(g -> g.token().equals("park")), two.toString());
            double total = filler.fill("The capital of France is [MASK].", 30522).get(0).stream()
                    .mapToDouble(MaskFiller.Guess::score)
                    .sum();
            assertEquals(1.0, total, 1e-3, "scores are probabilities over the vocabulary");
        }
    }

    private static String top(MaskFiller filler, String text) {
        return filler.fill(text, 1).get(0).get(0).token();
    }
}
