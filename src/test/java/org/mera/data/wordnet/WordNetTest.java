package org.mera.data.wordnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mera.data.wordnet.WordNet.Pos;
import org.mera.data.wordnet.WordNet.Synset;

/** The database reader against known WordNet 3.1 facts. */
class WordNetTest {
    static WordNet wn;

    @BeforeAll
    static void load() {
        wn = SharedWordNet.get();
    }

    @Test
    void dogIsACanineAnimalWithItsGlossAndExample() {
        List<Synset> dogs = wn.senses("dog", Pos.NOUN);
        assertEquals(7, dogs.size());
        Synset dog = dogs.get(0);
        assertEquals("n02086723", dog.id());
        assertEquals("noun.animal", dog.lexName());
        assertEquals(List.of("dog", "domestic dog", "Canis familiaris"), dog.words());
        assertTrue(dog.definition().startsWith("a member of the genus Canis"), dog.definition());
        assertTrue(!dog.definition().contains("\""), dog.definition());
        assertEquals(List.of("the dog barked all night"), dog.examples());
        Set<String> hypernymWords = wn.related(dog, WordNet.HYPERNYM).stream()
                .flatMap(s -> s.words().stream())
                .collect(Collectors.toSet());
        assertTrue(hypernymWords.contains("canine"), hypernymWords.toString());
        Set<String> inherited =
                wn.ancestors(dog, 64).stream().flatMap(s -> s.words().stream()).collect(Collectors.toSet());
        assertTrue(inherited.containsAll(List.of("carnivore", "mammal", "animal", "entity")), inherited.toString());
        assertTrue(wn.isCommon("dog", Pos.NOUN));
    }

    @Test
    void hotAndColdAreLexicalAntonyms() {
        Synset hot = wn.senses("hot", Pos.ADJECTIVE).get(0);
        boolean found = false;
        for (WordNet.Pointer p : hot.pointers(WordNet.ANTONYM)) {
            assertTrue(p.isLexical());
            if (wn.target(p).words().get(p.targetWord() - 1).equals("cold")) {
                found = true;
            }
        }
        assertTrue(found, "hot (sense 1) should have the antonym cold");
    }

    @Test
    void aCarHasWheelsThroughItsParts() {
        Synset car = wn.senses("car", Pos.NOUN).get(0);
        assertEquals("n02961779", car.id());
        Set<String> parts = wn.related(car, WordNet.PART_MERONYM).stream()
                .flatMap(s -> s.words().stream())
                .collect(Collectors.toSet());
        assertTrue(parts.contains("car door") && parts.contains("accelerator"), parts.toString());
        // The holonym pointer comes back from the part.
        Synset door = wn.senses("car door", Pos.NOUN).get(0);
        assertTrue(wn.related(door, WordNet.PART_HOLONYM).contains(car));
    }

    @Test
    void adjectiveMarkersAreStrippedAndSatellitesKnown() {
        Synset abounding = wn.synset(Pos.ADJECTIVE, 14377);
        assertEquals(List.of("abounding", "galore"), abounding.lemmas());
        assertTrue(abounding.satellite());
    }

    @Test
    void morphologicalExceptionsBothWays() {
        assertTrue(wn.exceptionBaseForms("ran", Pos.VERB).contains("run"));
        assertTrue(wn.irregularForms("run", Pos.VERB).contains("ran"));
        assertTrue(wn.irregularForms("mouse", Pos.NOUN).contains("mice"));
    }

    @Test
    void everySynsetOfTheFilesIsRead() {
        // Entry lines of the jar's WordNet 3.1 data files (WordNet 3.0 had 82,115 / 13,767 / 18,156 / 3,621).
        assertEquals(82192, wn.synsets(Pos.NOUN).size());
        assertEquals(13789, wn.synsets(Pos.VERB).size());
        assertEquals(18185, wn.synsets(Pos.ADJECTIVE).size());
        assertEquals(3625, wn.synsets(Pos.ADVERB).size());
    }

    @Test
    void malformedLinesNameTheFileAndLine() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> WordNet.parseData("00001740 03 n 01 entity 0 | gloss", "data.noun", 30));
        assertTrue(e.getMessage().contains("data.noun line 30"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> WordNet.parseData("00001740 99 n 01 entity 0 000 | gloss", "data.noun", 31));
        assertTrue(e.getMessage().contains("lex_filenum 99"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WordNet.parseIndex("dog n seven 5", "index.noun", 12));
        assertTrue(e.getMessage().contains("index.noun line 12"), e.getMessage());
    }

    @Test
    void unknownSynsetIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wn.synset(Pos.NOUN, 3));
        assertTrue(e.getMessage().contains("offset 3"), e.getMessage());
    }
}
