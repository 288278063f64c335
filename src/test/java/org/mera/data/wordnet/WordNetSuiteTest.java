package org.mera.data.wordnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.data.wordnet.WordNet.Pos;
import org.mera.data.wordnet.WordNet.Synset;
import org.mera.data.wordnet.WordNetTasks.Item;
import org.mera.data.wordnet.WordNetTasks.Splits;
import org.mera.data.wordnet.WordNetTasks.Track;

/** The written suite: determinism, layout, counts, balance, no leakage, and labels that WordNet confirms. */
class WordNetSuiteTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = 42;

    @TempDir
    static Path tmp;

    static WordNet wn;
    static Path root;
    static List<Splits> splits;

    @BeforeAll
    static void writeSuite() throws IOException {
        wn = SharedWordNet.get();
        root = tmp.resolve("suite");
        splits = WordNetSuite.write(root, SEED, wn);
    }

    @Test
    void sameSeedGivesByteIdenticalFilesAndAnotherSeedDiffers() throws IOException {
        Path again = tmp.resolve("again");
        WordNetSuite.write(again, SEED, wn);
        List<Path> files = files(root);
        assertEquals(files, files(again));
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(root.resolve(f)), Files.readAllBytes(again.resolve(f)), f.toString());
        }
        for (Task task : List.of(WordNetTasks.VERB_LEXNAME, WordNetTasks.ANTONYM)) {
            Splits other = WordNetTasks.generate(wn, task, SEED + 1);
            Splits same = splits.stream()
                    .filter(s -> s.task().equals(task))
                    .findFirst()
                    .orElseThrow();
            assertNotEquals(examples(same.test()), examples(other.test()), task.name());
            assertNotEquals(examples(same.train()), examples(other.train()), task.name());
        }
    }

    @Test
    void layoutAndSuiteDescription() throws IOException {
        JsonNode suite = JSON.readTree(root.resolve("suite.json").toFile());
        assertEquals(10, suite.get("tasks").size());
        assertEquals(3, suite.get("tracks").size());
        assertEquals(WordNetSuite.GENERATOR_VERSION, suite.get("generator").asInt());
        assertTrue(WordNetSuite.isCurrent(root, SEED));
        assertFalse(WordNetSuite.isCurrent(root, SEED + 1), "another seed's suite is not this one");
        Path old = tmp.resolve("old-suite");
        Files.createDirectories(old);
        Files.writeString(old.resolve("suite.json"), "{\"name\": \"wordnet-3.1\", \"seed\": " + SEED + "}");
        assertFalse(WordNetSuite.isCurrent(old, SEED), "a suite from before generator versions is regenerated");
        for (JsonNode track : suite.get("tracks")) {
            Track t = WordNetTasks.track(track.get("name").asText());
            assertTrue(track.get("sources").size() >= 2, t.name());
            assertEquals(t.target().name(), track.get("target").asText());
        }
        for (JsonNode n : suite.get("tasks")) {
            Task task = WordNetTasks.byName(n.get("name").asText());
            assertEquals(task.pair(), n.get("pair").asBoolean());
            assertEquals(task.track(), n.get("track").asText());
            Path dir = root.resolve(task.name());
            assertEquals(
                    n.get("sizes").get("train").asInt(),
                    read(dir.resolve("pool/train.jsonl"), task).size());
            assertEquals(
                    n.get("sizes").get("test").asInt(),
                    read(dir.resolve("test.jsonl"), task).size());
            for (long k : WordNetSuite.K_SHOT_SEEDS) {
                assertTrue(Files.isRegularFile(dir.resolve("k-shot/16-" + k + "/train.jsonl")));
                assertTrue(Files.isRegularFile(dir.resolve("k-shot/16-" + k + "/dev.jsonl")));
            }
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertTrue(
                    left.noneMatch(p -> p.getFileName().toString().startsWith(".")),
                    "temporary directories left behind");
        }
    }

    @Test
    void countsAndLabelBalance() throws IOException {
        for (Task task : WordNetTasks.all()) {
            Path dir = root.resolve(task.name());
            List<Example> train = read(dir.resolve("pool/train.jsonl"), task);
            List<Example> dev = read(dir.resolve("pool/dev.jsonl"), task);
            List<Example> test = read(dir.resolve("test.jsonl"), task);
            assertBalanced(task, train, "pool/train");
            assertBalanced(task, dev, "pool/dev");
            assertBalanced(task, test, "test");
            assertTrue(train.size() >= 500 && train.size() <= 3000, task.name() + " train " + train.size());
            assertTrue(test.size() >= 300 && test.size() <= 1000, task.name() + " test " + test.size());
            Set<Example> trainSet = new HashSet<>(train);
            Set<Example> devSet = new HashSet<>(dev);
            List<Set<Example>> kShotTrains = new ArrayList<>();
            for (long k : WordNetSuite.K_SHOT_SEEDS) {
                List<Example> kTrain = read(dir.resolve("k-shot/16-" + k + "/train.jsonl"), task);
                List<Example> kDev = read(dir.resolve("k-shot/16-" + k + "/dev.jsonl"), task);
                for (String label : task.labels()) {
                    assertEquals(
                            16,
                            kTrain.stream().filter(e -> e.label().equals(label)).count(),
                            task.name() + " " + k + " " + label);
                    assertEquals(
                            16,
                            kDev.stream().filter(e -> e.label().equals(label)).count(),
                            task.name() + " " + k + " " + label);
                }
                assertTrue(trainSet.containsAll(kTrain), "k-shot train drawn from pool train");
                assertTrue(devSet.containsAll(kDev), "k-shot dev drawn from pool dev");
                kShotTrains.add(new HashSet<>(kTrain));
            }
            assertEquals(5, new HashSet<>(kShotTrains).size(), task.name() + ": the five k-shot seeds should differ");
        }
    }

    @Test
    void noWordOrSynsetIsSharedBetweenTrainSideAndTest() {
        for (Splits s : splits) {
            Set<String> trainSide = new HashSet<>();
            Stream.concat(s.train().stream(), s.dev().stream()).forEach(i -> trainSide.addAll(i.keys()));
            for (Item i : s.test()) {
                for (String key : i.keys()) {
                    assertFalse(trainSide.contains(key), s.task().name() + ": key " + key + " on both sides");
                }
            }
            Set<Example> trainExamples = new HashSet<>(examples(s.train()));
            assertTrue(
                    examples(s.test()).stream().noneMatch(trainExamples::contains),
                    s.task().name());
        }
    }

    @Test
    void wordPairTasksShareNoWordTextsAcrossSplits() throws IOException {
        // Independent of the generator's keys: the raw strings in the files.
        for (Task task :
                List.of(WordNetTasks.SYNONYM, WordNetTasks.HYPERNYM, WordNetTasks.ANTONYM, WordNetTasks.MERONYM)) {
            Path dir = root.resolve(task.name());
            Set<String> trainWords = new HashSet<>();
            for (String f : List.of("pool/train.jsonl", "pool/dev.jsonl")) {
                for (Example e : read(dir.resolve(f), task)) {
                    trainWords.add(e.textA());
                    trainWords.add(e.textB());
                }
            }
            for (Example e : read(dir.resolve("test.jsonl"), task)) {
                assertFalse(trainWords.contains(e.textA()) || trainWords.contains(e.textB()), task.name() + ": " + e);
            }
        }
        Pattern marked = Pattern.compile("\\[([^\\]]+)\\]");
        Task wic = WordNetTasks.WIC;
        Set<String> trainTargets = new HashSet<>();
        for (Example e : read(root.resolve(wic.name()).resolve("pool/train.jsonl"), wic)) {
            trainTargets.add(target(marked, e.textA()));
        }
        Set<String> testTargets = new HashSet<>();
        for (Example e : read(root.resolve(wic.name()).resolve("test.jsonl"), wic)) {
            testTargets.add(target(marked, e.textA()));
        }
        Set<String> both = new HashSet<>(testTargets);
        both.retainAll(trainTargets);
        // Inflected forms can coincide across different lemmas ("saw" of see / saw); lemmas themselves never do.
        assertTrue(both.size() <= testTargets.size() / 50, "shared WiC target forms: " + both);
    }

    @Test
    void labelsAgreeWithWordNet() {
        for (Splits s : splits) {
            String name = s.task().name();
            for (Item item : concat(s)) {
                Example e = item.example();
                boolean positive = e.label().equals("1");
                switch (name) {
                    case "wn-synonym" -> assertEquals(positive, shareSynset(e.textA(), e.textB()), e.toString());
                    case "wn-hypernym" -> assertEquals(positive, isHypernym(e.textA(), e.textB()), e.toString());
                    case "wn-antonym" ->
                        assertEquals(
                                positive,
                                isAntonym(e.textA(), e.textB()) || isAntonym(e.textB(), e.textA()),
                                e.toString());
                    case "wn-meronym" -> {
                        if (positive) {
                            assertTrue(isDirectPart(e.textA(), e.textB()), e.toString());
                        } else {
                            assertFalse(isDirectPart(e.textA(), e.textB()), e.toString());
                        }
                    }
                    case "wn-noun-lexname", "wn-verb-lexname" ->
                        assertTrue(definitionsIn(e.label()).contains(e.textA()), e.toString());
                    case "wn-gloss-match" ->
                        assertEquals(positive, glossOfListedSynset(e.textA(), e.textB()), e.toString());
                    case "wn-example-pos", "wn-example-match", "wn-wic" -> {
                        assertTrue(e.textA().contains("[") || name.equals("wn-example-match"), e.toString());
                        if (e.isPair()) {
                            assertTrue(e.textB().contains("["), e.toString());
                        }
                    }
                    default -> throw new AssertionError("unchecked task " + name);
                }
            }
        }
    }

    @Test
    void refusesToReplaceADirectoryThatIsNotASuite() throws IOException {
        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        IOException e = assertThrows(IOException.class, () -> WordNetSuite.write(foreign, SEED, wn));
        assertTrue(e.getMessage().contains("without suite.json"), e.getMessage());
        assertEquals("mine", Files.readString(foreign.resolve("notes.txt")));
    }

    // ---------------------------------------------------------------- independent WordNet checks

    private Set<String> ids(String word) {
        return wn.senses(word).stream().map(Synset::id).collect(Collectors.toSet());
    }

    private boolean shareSynset(String a, String b) {
        Set<String> x = ids(a);
        x.retainAll(ids(b));
        return !x.isEmpty();
    }

    private boolean isHypernym(String a, String b) {
        for (Pos pos : List.of(Pos.NOUN, Pos.VERB)) {
            for (Synset s : wn.senses(a, pos)) {
                for (Synset h : wn.ancestors(s, 64)) {
                    if (h.words().stream().anyMatch(w -> w.equalsIgnoreCase(b))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private boolean isAntonym(String a, String b) {
        for (Synset s : wn.senses(a)) {
            for (WordNet.Pointer p : s.pointers(WordNet.ANTONYM)) {
                if (s.words().get(p.sourceWord() - 1).equalsIgnoreCase(a)
                        && wn.target(p).words().get(p.targetWord() - 1).equalsIgnoreCase(b)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean isDirectPart(String whole, String part) {
        for (Synset s : wn.senses(whole, Pos.NOUN)) {
            for (Synset p : wn.related(s, WordNet.PART_MERONYM)) {
                if (p.words().stream().anyMatch(w -> w.equalsIgnoreCase(part))) {
                    return true;
                }
            }
        }
        return false;
    }

    private final Map<String, Set<String>> definitionsByLexName = new HashMap<>();

    private Set<String> definitionsIn(String lexName) {
        return definitionsByLexName.computeIfAbsent(lexName, l -> {
            Set<String> out = new HashSet<>();
            for (Pos pos : Pos.values()) {
                for (Synset s : wn.synsets(pos)) {
                    if (s.lexName().equals(l)) {
                        out.add(s.definition());
                    }
                }
            }
            return out;
        });
    }

    private boolean glossOfListedSynset(String wordList, String gloss) {
        String first = wordList.split(", ")[0];
        for (Synset s : wn.senses(first)) {
            List<String> w = s.words();
            if (String.join(", ", w.subList(0, Math.min(4, w.size()))).equals(wordList)) {
                return s.definition().equals(gloss);
            }
        }
        throw new AssertionError("no synset lists " + wordList);
    }

    private static String target(Pattern marked, String text) {
        Matcher m = marked.matcher(text);
        assertTrue(m.find(), text);
        return m.group(1).toLowerCase(java.util.Locale.ROOT);
    }

    private static List<Item> concat(Splits s) {
        List<Item> all = new ArrayList<>(s.train());
        all.addAll(s.dev());
        all.addAll(s.test());
        return all;
    }

    private static void assertBalanced(Task task, List<Example> rows, String split) {
        Map<String, Long> counts = rows.stream().collect(Collectors.groupingBy(Example::label, Collectors.counting()));
        assertEquals(Set.copyOf(task.labels()), counts.keySet(), task.name() + " " + split);
        assertEquals(1, new HashSet<>(counts.values()).size(), task.name() + " " + split + " " + counts);
    }

    private static List<Example> examples(List<Item> items) {
        return items.stream().map(Item::example).toList();
    }

    private static List<Example> read(Path file, Task task) throws IOException {
        List<Example> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode n = JSON.readTree(line);
            assertEquals(task.pair(), n.has("text_b"), file + ": " + line);
            out.add(new Example(
                    n.get("text_a").asText(),
                    n.has("text_b") ? n.get("text_b").asText() : null,
                    n.get("label").asText()));
            task.labelIndex(n.get("label").asText());
        }
        return out;
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
        }
    }
}
