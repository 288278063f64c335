package org.mera.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The text identity that decides which pool rows are evaluation data in another tokenisation. */
class DecontaminationTest {
    @Test
    void normaliserIgnoresCaseSpacesAndPunctuationButNotWords() {
        // MRPC's tokenised text against STS-B's plain copy of the same sentence.
        assertEquals(
                Decontamination.normalise("He said the foodservice pie business doesn't fit the company's strategy."),
                Decontamination.normalise(
                        "He said the foodservice pie business doesn 't fit the company 's strategy ."));
        assertEquals("doesntfit", Decontamination.normalise("  Doesn 't  FIT! "));
        assertEquals(
                Decontamination.normalise("“ irretrievably tainted ”"),
                Decontamination.normalise("\" irretrievably tainted \""));
        assertEquals("café3", Decontamination.normalise("Café 3"), "letters outside ASCII and digits stay");
        assertNotEquals(Decontamination.normalise("The cat sat."), Decontamination.normalise("The cat sat down."));
        assertNotEquals(
                Decontamination.normalise("It costs 15 dollars"), Decontamination.normalise("It costs 16 dollars"));
        assertEquals("", Decontamination.normalise("... !"));
    }

    @Test
    void aPairsKeyIgnoresTheOrderOfItsTexts() {
        Example mrpc = new Example("The stock rose 5 % .", "Shares went up 5 percent .", "1");
        Example stsbReversed = new Example("Shares went up 5 percent.", "The stock rose 5%.", "4.2");
        assertEquals(Decontamination.key(mrpc), Decontamination.key(stsbReversed));
        assertNotEquals(
                Decontamination.key(mrpc),
                Decontamination.key(new Example("The stock rose 5 % .", "Shares fell.", "0")));
        // a single sentence is not the pair that contains it, and the separator keeps split points apart
        assertNotEquals(Decontamination.key(new Example("The stock rose 5 % .", null, "1")), Decontamination.key(mrpc));
        assertNotEquals(
                Decontamination.key(new Example("ab", "c", "1")), Decontamination.key(new Example("a", "bc", "1")));
        assertEquals("", Decontamination.key(new Example("!", "?", "1")), "nothing left: matches nothing");
    }

    @Test
    void cleaningRemovesHeldRowsAndCountsThemPerOwner() {
        Decontamination.Index index = new Decontamination.Index()
                .add("MRPC", List.of(new Example("A b .", "C d .", "1"), new Example("!", null, "0")))
                .add("STS-B", List.of(new Example("c d", "a b", "3.0")))
                .add("RTE", List.of(new Example("E f", "G h", "entailment")));
        List<Example> pool = List.of(
                new Example("C D", "A, B", "0"),
                new Example("x", "y", "1"),
                new Example("E F.", "G H.", "1"),
                new Example(".", null, "0"),
                new Example("g h", "e f", "1"));
        Decontamination.Cleaned c = index.clean(pool);
        assertEquals(5, c.before());
        assertEquals(List.of(0, 2, 4), c.removedIndexes());
        assertEquals(List.of(pool.get(1), pool.get(3)), c.kept(), "a punctuation-only row matches nothing");
        assertEquals(
                Map.of("MRPC", 1, "STS-B", 1, "RTE", 2), c.removedByOwner(), "a row two targets hold counts for both");
        assertEquals(Set.of("MRPC", "STS-B"), index.ownersOf(new Example("a b", "c d", null)));
        assertTrue(index.ownersOf(new Example("x", "y", null)).isEmpty());
    }
}
