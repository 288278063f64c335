package org.mera.data.wordnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.data.wordnet.WordNet.Pos;
import org.mera.data.wordnet.WordNet.Synset;
import org.mera.data.wordnet.WordNetTasks.Item;

/**
 * The candidate builders' contract on a hand-made twenty-synset WordNet, where every right answer is known: positives
 * hold the relation, hard negatives never do (for any sense of the word), only common plain words are used, keys name
 * the words and synsets, the budget stops a builder, and the same seed gives the same candidates.
 */
class TaskCandidatesTest {
    private static final long[] SEEDS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    private static WordNet wn;

    /** Words that are in the index but never sense-tagged: not "common", so never used. */
    private static final Set<String> RARE = Set.of("zymurgy", "fido");

    @BeforeAll
    static void writeTinyWordNet(@TempDir Path dir) throws IOException {
        Map<Pos, List<String>> data = new LinkedHashMap<>();
        // offset lex_filenum ss_type w_cnt(hex) word lex_id ... p_cnt pointers [frames] | gloss
        data.put(
                Pos.NOUN,
                List.of(
                        "1000 03 n 02 organism 0 being 0 001 ~ 1100 n 0000 | a living thing that has the ability to act",
                        "1100 05 n 02 animal 0 beast 0 003 @ 1000 n 0000 ~ 1200 n 0000 ~ 1300 n 0000"
                                + " | a living organism that feeds on organic matter; \"the animal ran across the road\"",
                        "1200 05 n 02 dog 0 hound 0 006 @ 1100 n 0000 ~ 1400 n 0000 %p 1500 n 0000 %p 1600 n 0000"
                                + " ~i 1800 n 0000 ~ 1450 n 0000 | a domesticated animal kept as a pet; \"the dogs barked all night long\"",
                        "1300 05 n 02 cat 0 feline 0 002 @ 1100 n 0000 %p 1500 n 0000 | a small furry carnivorous animal",
                        "1400 05 n 01 puppy 0 001 @ 1200 n 0000 | a young dog that is still small",
                        "1450 05 n 01 terrier 0 001 @ 1200 n 0000 | a small lively dog bred for hunting",
                        "1500 08 n 01 tail 0 000 | the hindmost part of an animal",
                        "1600 08 n 02 paw 0 foot 0 000 | a clawed foot of an animal",
                        "1700 06 n 02 car 0 automobile 0 001 %p 1900 n 0000 | a motor vehicle with four wheels",
                        "1800 05 n 01 Fido 0 001 @i 1200 n 0000 | a famous dog of some story",
                        "1900 06 n 01 wheel 0 000 | a simple machine that turns on an axle",
                        "2000 04 n 01 zymurgy 0 000 | the branch of chemistry that deals with fermentation"));
        data.put(
                Pos.VERB,
                List.of(
                        "5000 38 v 02 dog 0 chase 0 001 @ 5100 v 0000 00 | go after with the intent to catch;"
                                + " \"the dogs chased the cat across the yard\"",
                        "5100 38 v 01 follow 0 000 00 | to travel behind or go after",
                        "5200 38 v 01 run 0 000 00 | move fast by using one's feet; \"she ran home very quickly\""));
        data.put(
                Pos.ADJECTIVE,
                List.of(
                        "3000 00 a 01 hot 0 001 ! 3100 a 0101 | used of physical heat; \"a hot stove burns the hand\"",
                        "3100 00 a 01 cold 0 001 ! 3000 a 0101 | having a low temperature; \"a cold wind blew all day\""));
        data.put(Pos.ADVERB, List.of("4000 02 r 02 quickly 0 rapidly 0 000 | with rapid movements"));
        for (Pos pos : Pos.values()) {
            Map<String, List<String>> offsets = new LinkedHashMap<>();
            for (String line : data.get(pos)) {
                Synset s = WordNet.parseData(line, "test", 1);
                for (String lemma : s.lemmas()) {
                    offsets.computeIfAbsent(lemma.toLowerCase(java.util.Locale.ROOT), k -> new ArrayList<>())
                            .add(Integer.toString(s.offset()));
                }
            }
            List<String> index = new ArrayList<>();
            offsets.forEach((lemma, offs) -> index.add(lemma + " " + pos.code + " " + offs.size() + " 0 " + offs.size()
                    + " " + (RARE.contains(lemma) ? 0 : offs.size()) + " " + String.join(" ", offs)));
            Files.write(dir.resolve("data." + pos.fileSuffix), data.get(pos));
            Files.write(dir.resolve("index." + pos.fileSuffix), index);
            Files.write(dir.resolve(pos.fileSuffix + ".exc"), pos == Pos.VERB ? List.of("ran run") : List.of());
        }
        wn = WordNet.load(dir);
    }

    private static List<Item> all(Function<TaskCandidates, List<Item>> builder, long seed) {
        return builder.apply(new TaskCandidates(wn, new SplittableRandom(seed), 1000));
    }

    private static Set<String> words(Iterable<Synset> synsets) {
        Set<String> out = new HashSet<>();
        for (Synset s : synsets) {
            for (String w : s.words()) {
                out.add(w.toLowerCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }

    /** Words of every hypernym of every noun and verb sense of the word. */
    private static Set<String> ancestorWords(String word) {
        Set<String> out = new HashSet<>();
        for (Pos pos : List.of(Pos.NOUN, Pos.VERB)) {
            for (Synset s : wn.senses(word, pos)) {
                out.addAll(words(wn.ancestors(s, 64)));
            }
        }
        return out;
    }

    private static boolean shareSynset(String a, String b) {
        Set<Synset> x = new HashSet<>(wn.senses(a));
        return wn.senses(b).stream().anyMatch(x::contains);
    }

    private static void assertCommonPlainWords(Item item) {
        for (String w : List.of(item.example().textA(), item.example().textB())) {
            assertFalse(RARE.contains(w.toLowerCase(java.util.Locale.ROOT)), "rare or capitalised word used: " + item);
            assertEquals(w.toLowerCase(java.util.Locale.ROOT), w, "lower-case words only: " + item);
        }
        assertTrue(item.keys().contains("w:" + item.example().textA()), "keys name the words: " + item);
        assertTrue(item.keys().contains("w:" + item.example().textB()), "keys name the words: " + item);
        assertTrue(item.keys().stream().anyMatch(k -> k.startsWith("s:")), "keys name a synset: " + item);
    }

    private static Map<String, Integer> labelCounts(List<Item> items) {
        Map<String, Integer> c = new LinkedHashMap<>();
        items.forEach(i -> c.merge(i.example().label(), 1, Integer::sum));
        return c;
    }

    @Test
    void hypernymPositivesPointUpAndNegativesNeverDo() {
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (long seed : SEEDS) {
            List<Item> items = all(TaskCandidates::hypernyms, seed);
            for (Item item : items) {
                String a = item.example().textA();
                String b = item.example().textB();
                assertCommonPlainWords(item);
                if (item.example().label().equals("1")) {
                    assertTrue(ancestorWords(a).contains(b), b + " is a hypernym of " + a);
                } else {
                    // "dog" is also a verb under "follow": no sense's hypernym may be a negative.
                    assertFalse(ancestorWords(a).contains(b), "negative " + a + " -> " + b + " is a hypernym");
                    assertFalse(shareSynset(a, b), "negative " + a + " -> " + b + " are synonyms");
                }
            }
            labelCounts(items).forEach((k, v) -> seen.merge(k, v, Integer::sum));
        }
        assertTrue(seen.getOrDefault("1", 0) > 0 && seen.getOrDefault("0", 0) > 0, "both labels made: " + seen);
    }

    @Test
    void synonymPositivesShareASynsetAndNegativesDoNot() {
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (long seed : SEEDS) {
            List<Item> items = all(TaskCandidates::synonyms, seed);
            for (Item item : items) {
                assertCommonPlainWords(item);
                String a = item.example().textA();
                String b = item.example().textB();
                assertNotEquals(a, b);
                assertEquals(item.example().label().equals("1"), shareSynset(a, b), item.toString());
            }
            labelCounts(items).forEach((k, v) -> seen.merge(k, v, Integer::sum));
        }
        assertTrue(seen.getOrDefault("1", 0) > 0 && seen.getOrDefault("0", 0) > 0, "both labels made: " + seen);
    }

    @Test
    void meronymPositivesNameAPartAndNegativesDoNot() {
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (long seed : SEEDS) {
            List<Item> items = all(TaskCandidates::meronyms, seed);
            for (Item item : items) {
                assertCommonPlainWords(item);
                String whole = item.example().textA();
                String part = item.example().textB();
                Set<String> parts = new HashSet<>();
                for (Synset s : wn.senses(whole, Pos.NOUN)) {
                    parts.addAll(words(wn.related(s, WordNet.PART_MERONYM)));
                }
                assertEquals(item.example().label().equals("1"), parts.contains(part), item.toString());
            }
            labelCounts(items).forEach((k, v) -> seen.merge(k, v, Integer::sum));
        }
        // dog: tail, paw/foot; cat: tail; car: wheel
        assertTrue(seen.getOrDefault("1", 0) >= 4 * SEEDS.length && seen.getOrDefault("0", 0) > 0, seen.toString());
    }

    @Test
    void antonymsAreEachPairOnceWithNegativesThatAreNotAntonyms() {
        for (long seed : SEEDS) {
            List<Item> items = all(TaskCandidates::antonyms, seed);
            List<Item> positives =
                    items.stream().filter(i -> i.example().label().equals("1")).toList();
            assertEquals(1, positives.size(), "hot/cold once, though both synsets point at the other: " + items);
            assertEquals(
                    Set.of("hot", "cold"),
                    Set.of(
                            positives.get(0).example().textA(),
                            positives.get(0).example().textB()));
            for (Item item : items) {
                if (item.example().label().equals("0")) {
                    assertNotEquals(
                            Set.of("hot", "cold"),
                            Set.of(item.example().textA(), item.example().textB()));
                }
            }
        }
    }

    @Test
    void sameSeedSameCandidatesAndTheBudgetStopsABuilder() {
        for (Function<TaskCandidates, List<Item>> builder : List.<Function<TaskCandidates, List<Item>>>of(
                TaskCandidates::hypernyms,
                TaskCandidates::synonyms,
                TaskCandidates::meronyms,
                TaskCandidates::glossMatches)) {
            assertEquals(all(builder, 7), all(builder, 7));
        }
        Set<List<Item>> distinct = new HashSet<>();
        for (long seed : SEEDS) {
            distinct.add(all(TaskCandidates::hypernyms, seed));
        }
        assertTrue(distinct.size() > 1, "the seed changes the candidates");
        // The budget is checked before each anchor, which adds a positive and at most one negative.
        List<Item> capped = new TaskCandidates(wn, new SplittableRandom(3), 1).hypernyms();
        assertTrue(!capped.isEmpty() && capped.size() <= 2, capped.toString());
        assertTrue(all(TaskCandidates::hypernyms, 3).size() > 2);
    }

    @Test
    void lexNamesLabelDefinitionsWithTheirCategory() {
        List<Item> items = all(c -> c.lexNames(Pos.NOUN, List.of("noun.animal", "noun.body")), 1);
        Set<String> definitions = new HashSet<>();
        for (Item item : items) {
            Synset s = wn.synsets(Pos.NOUN).stream()
                    .filter(x -> x.definition().equals(item.example().textA()))
                    .findFirst()
                    .orElseThrow();
            assertEquals(s.lexName(), item.example().label());
            assertNull(item.example().textB());
            definitions.add(item.example().textA());
        }
        // animal, dog, cat, puppy, terrier, Fido, tail, paw: every one of the two categories, nothing else
        assertEquals(8, definitions.size(), definitions.toString());
    }

    @Test
    void usageExamplesMarkTheWordInAnyInflection() {
        TaskCandidates c = new TaskCandidates(wn, new SplittableRandom(1), 1000);
        assertArrayEquals(new int[] {4, 8}, c.find("the dogs barked", "dog", Pos.NOUN), "regular plural");
        assertArrayEquals(new int[] {4, 7}, c.find("she ran home", "run", Pos.VERB), "irregular form from verb.exc");
        assertArrayEquals(new int[] {9, 15}, c.find("the dogs chased it", "chase", Pos.VERB), "e-final past tense");
        assertNull(c.find("a hotdog stand", "hot", Pos.ADJECTIVE), "whole tokens only");
        List<Item> pos = c.examplePos();
        Map<String, String> labels = new LinkedHashMap<>();
        pos.forEach(i -> labels.put(i.example().textA(), i.example().label()));
        // The label is the synset's part of speech: this example illustrates the verb "dog, chase", whose first
        // word found is "dogs".
        assertEquals("verb", labels.get("the [dogs] chased the cat across the yard"), labels.toString());
        assertEquals("noun", labels.get("the [dogs] barked all night long"), labels.toString());
        assertEquals("verb", labels.get("she [ran] home very quickly"), labels.toString());
        assertEquals("adjective", labels.get("a [hot] stove burns the hand"), labels.toString());
    }
}
