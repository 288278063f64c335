package org.mera.data.wordnet;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.mera.data.Example;
import org.mera.data.Task;

/**
 * The built-in few-shot tasks derived from WordNet 3.1, grouped in tracks (each: two or more source tasks
 * and one held-out target), and their generation into leakage-free train / dev / test splits.
 * See docs/tasks.md for what each task asks and how it is built.
 */
public final class WordNetTasks {
    public static final String LEXICAL_RELATIONS = "lexical-relations";
    public static final String DEFINITIONS = "definitions";
    public static final String CONTEXT = "context";

    private static final List<String> BINARY = List.of("0", "1");

    public static final Task SYNONYM = new Task("wn-synonym", true, BINARY, "accuracy", LEXICAL_RELATIONS);
    public static final Task HYPERNYM = new Task("wn-hypernym", true, BINARY, "accuracy", LEXICAL_RELATIONS);
    public static final Task ANTONYM = new Task("wn-antonym", true, BINARY, "accuracy", LEXICAL_RELATIONS);
    public static final Task MERONYM = new Task("wn-meronym", true, BINARY, "accuracy", LEXICAL_RELATIONS);

    /** The eight largest noun lexicographer files of WordNet 3.1. */
    public static final Task NOUN_LEXNAME = new Task(
            "wn-noun-lexname",
            false,
            List.of(
                    "noun.act",
                    "noun.animal",
                    "noun.artifact",
                    "noun.communication",
                    "noun.location",
                    "noun.person",
                    "noun.plant",
                    "noun.state"),
            "accuracy",
            DEFINITIONS);

    public static final Task GLOSS_MATCH = new Task("wn-gloss-match", true, BINARY, "accuracy", DEFINITIONS);
    /** Eight of the largest verb lexicographer files (verb.cognition and verb.creation tie for eighth; cognition kept). */
    public static final Task VERB_LEXNAME = new Task(
            "wn-verb-lexname",
            false,
            List.of(
                    "verb.change",
                    "verb.cognition",
                    "verb.communication",
                    "verb.contact",
                    "verb.motion",
                    "verb.possession",
                    "verb.social",
                    "verb.stative"),
            "accuracy",
            DEFINITIONS);

    public static final Task EXAMPLE_POS =
            new Task("wn-example-pos", false, List.of("adjective", "adverb", "noun", "verb"), "accuracy", CONTEXT);
    public static final Task EXAMPLE_MATCH = new Task("wn-example-match", true, BINARY, "accuracy", CONTEXT);
    public static final Task WIC = new Task("wn-wic", true, BINARY, "accuracy", CONTEXT);

    /** A family of related tasks: adapters trained on the sources are merged, then tuned few-shot on the target. */
    public record Track(String name, List<Task> sources, Task target) {
        public Track {
            sources = List.copyOf(sources);
        }
    }

    public static final List<Track> TRACKS = List.of(
            new Track(LEXICAL_RELATIONS, List.of(SYNONYM, HYPERNYM, ANTONYM), MERONYM),
            new Track(DEFINITIONS, List.of(NOUN_LEXNAME, GLOSS_MATCH), VERB_LEXNAME),
            new Track(CONTEXT, List.of(EXAMPLE_POS, EXAMPLE_MATCH), WIC));

    /** One generated example with the words and synsets it was built from ("w:dog", "s:n02086723"). */
    public record Item(Example example, List<String> keys) {
        public Item {
            keys = List.copyOf(keys);
        }
    }

    /**
     * A task's examples: pool train and pool dev (the "train side") and test. No key (word or synset) of a
     * train-side item is a key of a test item; every split has as many examples of each label.
     */
    public record Splits(Task task, List<Item> train, List<Item> dev, List<Item> test) {
        public Splits {
            train = List.copyOf(train);
            dev = List.copyOf(dev);
            test = List.copyOf(test);
        }
    }

    /** How many examples of each label a split may take. */
    record Quota(int train, int dev, int test) {}

    private WordNetTasks() {}

    /** All tasks, track by track, sources before the target. */
    public static List<Task> all() {
        List<Task> out = new ArrayList<>();
        for (Track t : TRACKS) {
            out.addAll(t.sources());
            out.add(t.target());
        }
        return out;
    }

    public static Task byName(String name) {
        for (Task t : all()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown WordNet task '" + name + "' (known: "
                + all().stream().map(Task::name).toList() + ")");
    }

    public static Track track(String name) {
        for (Track t : TRACKS) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown WordNet track '" + name + "' (known: "
                + TRACKS.stream().map(Track::name).toList() + ")");
    }

    /** Generates one task's splits; the same database, task and seed always give the same splits. */
    public static Splits generate(WordNet wn, Task task, long seed) {
        synchronized (wn) { // the candidate builders share per-database caches
            return generateLocked(wn, task, seed);
        }
    }

    private static Splits generateLocked(WordNet wn, Task task, long seed) {
        SplittableRandom rng =
                new SplittableRandom(seed * 0x9E3779B97F4A7C15L + task.name().hashCode());
        Quota q = quota(task);
        // Four times what the splits can hold leaves room for candidates the splitter drops as conflicts.
        int budget = 4 * (q.train() + q.dev() + q.test()) * task.numLabels();
        TaskCandidates c = new TaskCandidates(wn, rng, budget);
        List<Item> candidates = switch (task.name()) {
            case "wn-synonym" -> c.synonyms();
            case "wn-hypernym" -> c.hypernyms();
            case "wn-antonym" -> c.antonyms();
            case "wn-meronym" -> c.meronyms();
            case "wn-noun-lexname" -> c.lexNames(WordNet.Pos.NOUN, task.labels());
            case "wn-verb-lexname" -> c.lexNames(WordNet.Pos.VERB, task.labels());
            case "wn-gloss-match" -> c.glossMatches();
            case "wn-example-pos" -> c.examplePos();
            case "wn-example-match" -> c.exampleMatches();
            case "wn-wic" -> c.wordInContext();
            default -> throw new IllegalArgumentException("no generator for task '" + task.name() + "'");
        };
        shuffle(candidates, rng);
        return LeakFreeSplitter.split(task, candidates, q);
    }

    static Quota quota(Task task) {
        return switch (task.numLabels()) {
            case 2 -> new Quota(1000, 100, 250);
            case 4 -> new Quota(500, 60, 150);
            default -> new Quota(300, 40, 100);
        };
    }

    static <T> void shuffle(List<T> list, SplittableRandom rng) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
