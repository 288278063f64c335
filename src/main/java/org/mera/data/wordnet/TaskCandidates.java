package org.mera.data.wordnet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.mera.data.Example;
import org.mera.data.wordnet.WordNet.Pointer;
import org.mera.data.wordnet.WordNet.Pos;
import org.mera.data.wordnet.WordNet.Synset;
import org.mera.data.wordnet.WordNetTasks.Item;

/**
 * Builds every candidate example of a task, with the keys (words, synsets) it was built from. All choices
 * come from the one random source, and every collection is walked in a fixed order, so the same seed
 * gives the same candidates. Negatives are checked against the whole database (all senses of the words).
 */
final class TaskCandidates {
    /** Lower-case words of one to three tokens; excludes proper nouns, numbers and Latin binomials' capitals. */
    private static final Pattern PLAIN_WORD = Pattern.compile("[a-z]+(-[a-z]+)*( [a-z]+(-[a-z]+)*){0,2}");

    private static final int FULL_DEPTH = 64;

    private final WordNet wn;
    private final SplittableRandom rng;
    private final Caches caches;

    /**
     * Facts derived from the database alone (no randomness), kept per database so that generating ten
     * tasks, or a suite twice, computes them once.
     */
    private static final class Caches {
        final Map<Pos, List<String>> vocabulary = new HashMap<>();
        final Map<String, Set<String>> senseIds = new HashMap<>();
        final Map<String, Set<String>> ancestorWords = new HashMap<>();
        final Map<String, Set<String>> partWords = new HashMap<>();
        final Map<Synset, List<String>> commonWords = new HashMap<>();
        List<Occurrence> occurrences;
    }

    private static final Map<WordNet, Caches> CACHES = new java.util.WeakHashMap<>();

    private final int budget;

    /**
     * {@code budget}: the builders that have far more material than a task needs stop once they have made
     * this many candidates, walking their anchors in a shuffled order so that the sample is unbiased.
     */
    TaskCandidates(WordNet wn, SplittableRandom rng, int budget) {
        this.wn = wn;
        this.rng = rng;
        this.budget = budget;
        synchronized (CACHES) {
            this.caches = CACHES.computeIfAbsent(wn, w -> new Caches());
        }
    }

    /** The synsets in a seeded random order. */
    private List<Synset> shuffled(List<Synset> synsets) {
        List<Synset> out = new ArrayList<>(synsets);
        WordNetTasks.shuffle(out, rng);
        return out;
    }

    private List<Synset> shuffled(Pos... parts) {
        List<Synset> out = new ArrayList<>();
        for (Pos p : parts) {
            out.addAll(wn.synsets(p));
        }
        return shuffled(out);
    }

    // ---------------------------------------------------------------- lexical relations

    List<Item> synonyms() {
        List<Item> out = new ArrayList<>();
        for (Synset s : shuffled(Pos.values())) {
            {
                if (out.size() >= budget) {
                    break;
                }
                Pos pos = s.pos();
                List<String> words = commonWords(s);
                if (words.size() < 2) {
                    continue;
                }
                List<int[]> pairs = new ArrayList<>();
                for (int i = 0; i < words.size(); i++) {
                    for (int j = i + 1; j < words.size(); j++) {
                        pairs.add(new int[] {i, j});
                    }
                }
                WordNetTasks.shuffle(pairs, rng);
                for (int[] p : pairs.subList(0, Math.min(2, pairs.size()))) {
                    String a = words.get(p[0]);
                    String b = words.get(p[1]);
                    out.add(symmetric(a, b, "1", s, s));
                    // Hard negatives: a word of a hypernym or a sibling synset (nouns, verbs), of an antonym
                    // (adjectives, adverbs); some random words of the same part of speech.
                    double r = rng.nextDouble();
                    List<Synset> related = new ArrayList<>();
                    if (pos == Pos.NOUN || pos == Pos.VERB) {
                        related.addAll(r < 0.45 ? hypernyms(s) : r < 0.8 ? siblings(s) : List.of());
                    } else if (r < 0.6) {
                        related.addAll(lexicalTargets(s, WordNet.ANTONYM));
                    }
                    Choice neg = pickWord(related, w -> !w.equals(a) && !shareSynset(a, w));
                    if (neg == null) {
                        neg = randomWord(pos, w -> !w.equals(a) && !shareSynset(a, w));
                    }
                    if (neg != null) {
                        out.add(symmetric(a, neg.word, "0", s, neg.synset));
                    }
                }
            }
        }
        return out;
    }

    List<Item> hypernyms() {
        List<Item> out = new ArrayList<>();
        for (Synset s : shuffled(Pos.NOUN, Pos.VERB)) {
            {
                if (out.size() >= budget) {
                    break;
                }
                Pos pos = s.pos();
                List<String> words = commonWords(s);
                if (words.isEmpty()) {
                    continue;
                }
                String a = words.get(rng.nextInt(words.size()));
                // Mostly direct hypernyms, some two or three levels up.
                double r = rng.nextDouble();
                int depth = r < 0.6 ? 1 : r < 0.85 ? 2 : 3;
                Choice pos1 = null;
                for (int d = depth; d >= 1 && pos1 == null; d--) {
                    pos1 = pickWord(level(s, d), w -> !w.equals(a) && !shareSynset(a, w));
                }
                if (pos1 == null) {
                    continue;
                }
                out.add(directed(a, pos1.word, "1", s, pos1.synset));
                // Hard negatives: a hyponym (the relation reversed) or a co-hyponym; some random words.
                double q = rng.nextDouble();
                List<Synset> related = q < 0.4 ? hyponyms(s) : q < 0.8 ? siblings(s) : List.of();
                // Not a hypernym of any sense of the word, noun or verb ("cut" is both).
                Set<String> above = new HashSet<>(ancestorWordsOf(a, Pos.NOUN));
                above.addAll(ancestorWordsOf(a, Pos.VERB));
                Choice neg = pickWord(related, w -> !w.equals(a) && !above.contains(w) && !shareSynset(a, w));
                if (neg == null) {
                    neg = randomWord(pos, w -> !w.equals(a) && !above.contains(w) && !shareSynset(a, w));
                }
                if (neg != null) {
                    out.add(directed(a, neg.word, "0", s, neg.synset));
                }
            }
        }
        return out;
    }

    List<Item> antonyms() {
        Set<String> antonymPairs = new HashSet<>();
        for (Pos pos : Pos.values()) {
            for (Synset s : wn.synsets(pos)) {
                for (Pointer p : s.pointers(WordNet.ANTONYM)) {
                    if (p.isLexical()) {
                        String a = key(s.words().get(p.sourceWord() - 1));
                        String b = key(wn.target(p).words().get(p.targetWord() - 1));
                        // Both ways: a few antonym pointers in the files have no pointer back.
                        antonymPairs.add(a + "\t" + b);
                        antonymPairs.add(b + "\t" + a);
                    }
                }
            }
        }
        List<Item> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Pos pos : Pos.values()) {
            for (Synset s : wn.synsets(pos)) {
                for (Pointer p : s.pointers(WordNet.ANTONYM)) {
                    if (!p.isLexical()) {
                        continue;
                    }
                    Synset t = wn.target(p);
                    String a = key(s.words().get(p.sourceWord() - 1));
                    String b = key(t.words().get(p.targetWord() - 1));
                    if (!isCommonPlain(a, s.lemmas().get(p.sourceWord() - 1), pos)
                            || !isCommonPlain(b, t.lemmas().get(p.targetWord() - 1), t.pos())
                            || !seen.add(a.compareTo(b) < 0 ? a + "\t" + b : b + "\t" + a)) {
                        continue;
                    }
                    out.add(symmetric(a, b, "1", s, t));
                    // Hard negatives: a synonym of one side, or a word of a similar / hypernym synset.
                    boolean fromA = rng.nextBoolean();
                    String anchor = fromA ? a : b;
                    Synset anchorSynset = fromA ? s : t;
                    double r = rng.nextDouble();
                    List<Synset> related = new ArrayList<>();
                    if (r < 0.45) {
                        related.add(anchorSynset);
                    } else if (r < 0.8) {
                        related.addAll(wn.related(anchorSynset, WordNet.SIMILAR_TO));
                        related.addAll(hypernyms(anchorSynset));
                    }
                    java.util.function.Predicate<String> ok =
                            w -> !w.equals(anchor) && !antonymPairs.contains(anchor + "\t" + w);
                    Choice neg = pickWord(related, ok);
                    if (neg == null) {
                        neg = randomWord(anchorSynset.pos(), ok);
                    }
                    if (neg != null) {
                        out.add(symmetric(anchor, neg.word, "0", anchorSynset, neg.synset));
                    }
                }
            }
        }
        return out;
    }

    List<Item> meronyms() {
        List<Item> out = new ArrayList<>();
        for (Synset whole : wn.synsets(Pos.NOUN)) {
            List<String> wholeWords = commonWords(whole);
            if (wholeWords.isEmpty()) {
                continue;
            }
            for (Synset part : wn.related(whole, WordNet.PART_MERONYM)) {
                String a = wholeWords.get(rng.nextInt(wholeWords.size()));
                Choice b = pickWord(List.of(part), w -> !w.equals(a) && !shareSynset(a, w));
                if (b == null) {
                    continue;
                }
                out.add(directed(a, b.word, "1", whole, part));
                // Hard negatives: the pair reversed (the whole is not part of its part), a hypernym of the
                // whole (a kind, not a part), some random nouns.
                double r = rng.nextDouble();
                if (r < 0.4 && !partWordsOf(b.word).contains(a)) {
                    out.add(directed(b.word, a, "0", part, whole));
                    continue;
                }
                Set<String> parts = partWordsOf(a);
                java.util.function.Predicate<String> ok = w -> !w.equals(a) && !parts.contains(w) && !shareSynset(a, w);
                Choice neg = r < 0.75 ? pickWord(hypernyms(whole), ok) : null;
                if (neg == null) {
                    neg = randomWord(Pos.NOUN, ok);
                }
                if (neg != null) {
                    out.add(directed(a, neg.word, "0", whole, neg.synset));
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- definitions

    List<Item> lexNames(Pos pos, List<String> categories) {
        Set<String> wanted = new HashSet<>(categories);
        List<Item> out = new ArrayList<>();
        for (Synset s : shuffled(pos)) {
            if (out.size() >= budget) {
                break;
            }
            if (wanted.contains(s.lexName()) && s.definition().split(" ").length >= 3) {
                out.add(new Item(new Example(s.definition(), null, s.lexName()), synsetKeys(s, null)));
            }
        }
        return out;
    }

    List<Item> glossMatches() {
        // A word alone is ambiguous across its senses, so the first text lists the synset's words; only
        // synsets whose list is unique in WordNet are used, so "another sense's gloss" is truly wrong.
        Map<String, Integer> displayCount = new HashMap<>();
        for (Pos pos : Pos.values()) {
            for (Synset s : wn.synsets(pos)) {
                displayCount.merge(display(s), 1, Integer::sum);
            }
        }
        List<Item> out = new ArrayList<>();
        for (Synset s : shuffled(Pos.values())) {
            {
                if (out.size() >= budget) {
                    break;
                }
                List<Synset> all = wn.synsets(s.pos());
                if (commonWords(s).isEmpty()
                        || displayCount.get(display(s)) != 1
                        || s.definition().split(" ").length < 3) {
                    continue;
                }
                out.add(new Item(new Example(display(s), s.definition(), "1"), synsetKeys(s, null)));
                double r = rng.nextDouble();
                List<Synset> others = new ArrayList<>();
                if (r < 0.5) {
                    for (String w : s.words()) {
                        others.addAll(wn.senses(w));
                    }
                } else if (r < 0.8) {
                    others.addAll(hypernyms(s));
                    others.addAll(siblings(s));
                    others.addAll(wn.related(s, WordNet.SIMILAR_TO));
                }
                others.removeIf(o -> o.equals(s) || o.definition().equals(s.definition()));
                Synset t = others.isEmpty() ? all.get(rng.nextInt(all.size())) : others.get(rng.nextInt(others.size()));
                if (!t.equals(s) && !t.definition().equals(s.definition())) {
                    out.add(new Item(new Example(display(s), t.definition(), "0"), synsetKeys(s, t)));
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- context (usage examples)

    /** A usage example of a synset with the word it illustrates marked in brackets. */
    record Occurrence(String word, Synset synset, String marked) {}

    List<Item> examplePos() {
        List<Item> out = new ArrayList<>();
        for (Occurrence o : occurrences()) {
            String label = switch (o.synset.pos()) {
                case NOUN -> "noun";
                case VERB -> "verb";
                case ADJECTIVE -> "adjective";
                case ADVERB -> "adverb";
            };
            out.add(new Item(new Example(o.marked, null, label), List.of("w:" + o.word, "s:" + o.synset.id())));
        }
        return out;
    }

    List<Item> exampleMatches() {
        List<Item> out = new ArrayList<>();
        for (Occurrence o : occurrences()) {
            if (out.size() >= budget) {
                break;
            }
            Synset s = o.synset;
            out.add(new Item(new Example(s.definition(), o.marked, "1"), List.of("w:" + o.word, "s:" + s.id())));
            // Hard negative: the definition of another sense of the same word; otherwise a random one.
            List<Synset> others = new ArrayList<>(wn.senses(o.word));
            others.removeIf(x -> x.equals(s) || x.definition().equals(s.definition()));
            Synset t;
            if (!others.isEmpty() && rng.nextDouble() < 0.75) {
                t = others.get(rng.nextInt(others.size()));
            } else {
                List<Synset> all = wn.synsets(s.pos());
                t = all.get(rng.nextInt(all.size()));
                if (t.equals(s) || t.definition().equals(s.definition()) || shareSynset(o.word, t)) {
                    continue;
                }
            }
            out.add(new Item(
                    new Example(t.definition(), o.marked, "0"), List.of("w:" + o.word, "s:" + s.id(), "s:" + t.id())));
        }
        return out;
    }

    List<Item> wordInContext() {
        // Same word, same part of speech: label 1 when both sentences are usage examples of one synset.
        Map<String, Map<Synset, List<Occurrence>>> byWord = new LinkedHashMap<>();
        for (Occurrence o : occurrences()) {
            byWord.computeIfAbsent(o.word + "/" + o.synset.pos(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(o.synset, k -> new ArrayList<>())
                    .add(o);
        }
        List<Item> out = new ArrayList<>();
        for (Map<Synset, List<Occurrence>> senses : byWord.values()) {
            List<Synset> synsets = new ArrayList<>(senses.keySet());
            int positives = 0;
            for (Synset s : synsets) {
                List<Occurrence> occ = senses.get(s);
                if (occ.size() >= 2 && positives < 3) {
                    int i = rng.nextInt(occ.size());
                    int j = (i + 1 + rng.nextInt(occ.size() - 1)) % occ.size();
                    out.add(wicItem(occ.get(i), occ.get(j), "1"));
                    positives++;
                }
            }
            if (synsets.size() < 2) {
                continue;
            }
            for (int n = 0; n < Math.max(1, positives); n++) {
                // Negatives pair senses from different lexicographer files (supersenses: "bank" as a slope and as
                // an institution), as WiC pruned its too-fine sense distinctions: WordNet's sister senses are
                // often indistinguishable in a short example, which left the task at chance even for a trained
                // adapter.
                Synset si = synsets.get(rng.nextInt(synsets.size()));
                List<Synset> coarse = synsets.stream()
                        .filter(x -> x.lexFileNumber() != si.lexFileNumber())
                        .toList();
                if (coarse.isEmpty()) {
                    break;
                }
                Synset sj = coarse.get(rng.nextInt(coarse.size()));
                List<Occurrence> oi = senses.get(si);
                List<Occurrence> oj = senses.get(sj);
                out.add(wicItem(oi.get(rng.nextInt(oi.size())), oj.get(rng.nextInt(oj.size())), "0"));
            }
        }
        return out;
    }

    private Item wicItem(Occurrence x, Occurrence y, String label) {
        boolean swap = rng.nextBoolean();
        Occurrence a = swap ? y : x;
        Occurrence b = swap ? x : y;
        return new Item(
                new Example(a.marked, b.marked, label),
                List.of("w:" + a.word, "s:" + a.synset.id(), "s:" + b.synset.id()));
    }

    /** Every usage example in which one of its synset's common words is found (lemma or inflected form). */
    List<Occurrence> occurrences() {
        if (caches.occurrences != null) {
            return caches.occurrences;
        }
        List<Occurrence> out = new ArrayList<>();
        for (Pos pos : Pos.values()) {
            for (Synset s : wn.synsets(pos)) {
                if (s.examples().isEmpty()) {
                    continue;
                }
                List<String> words = commonWords(s);
                for (String example : s.examples()) {
                    if (example.split(" ").length < 3) {
                        continue;
                    }
                    for (String w : words) {
                        int[] span = find(example, w, pos);
                        if (span != null) {
                            String marked = example.substring(0, span[0]) + "[" + example.substring(span[0], span[1])
                                    + "]" + example.substring(span[1]);
                            out.add(new Occurrence(w, s, marked));
                            break;
                        }
                    }
                }
            }
        }
        caches.occurrences = List.copyOf(out);
        return caches.occurrences;
    }

    /** Where the word (or a regular or listed irregular inflection of it) first occurs as a whole token. */
    int[] find(String sentence, String word, Pos pos) {
        String lower = sentence.toLowerCase(Locale.ROOT);
        if (word.indexOf(' ') >= 0) {
            int from = 0;
            int at;
            while ((at = lower.indexOf(word, from)) >= 0) {
                int end = at + word.length();
                if ((at == 0 || !Character.isLetter(lower.charAt(at - 1)))
                        && (end == lower.length() || !Character.isLetter(lower.charAt(end)))) {
                    return new int[] {at, end};
                }
                from = at + 1;
            }
            return null;
        }
        Set<String> forms = forms(word, pos);
        int i = 0;
        int n = lower.length();
        while (i < n) {
            if (!Character.isLetter(lower.charAt(i))) {
                i++;
                continue;
            }
            int j = i;
            while (j < n && (Character.isLetter(lower.charAt(j)) || lower.charAt(j) == '-')) {
                j++;
            }
            if (forms.contains(lower.substring(i, j))) {
                return new int[] {i, j};
            }
            i = j;
        }
        return null;
    }

    private Set<String> forms(String w, Pos pos) {
        Set<String> f = new LinkedHashSet<>();
        f.add(w);
        f.addAll(wn.irregularForms(w, pos));
        if (w.length() <= 2) {
            return f;
        }
        char last = w.charAt(w.length() - 1);
        String stem = w.substring(0, w.length() - 1);
        boolean consonantY = last == 'y' && !isVowel(w.charAt(w.length() - 2));
        switch (pos) {
            case NOUN -> {
                f.add(w + "s");
                f.add(w + "es");
                if (consonantY) {
                    f.add(stem + "ies");
                }
            }
            case VERB -> {
                f.add(w + "s");
                f.add(w + "es");
                f.add(w + "ing");
                if (last == 'e') {
                    f.add(w + "d");
                    f.add(stem + "ing");
                } else {
                    f.add(w + "ed");
                }
                if (consonantY) {
                    f.add(stem + "ies");
                    f.add(stem + "ied");
                }
                if (!isVowel(last) && isVowel(w.charAt(w.length() - 2)) && !isVowel(w.charAt(w.length() - 3))) {
                    f.add(w + last + "ed");
                    f.add(w + last + "ing");
                }
            }
            case ADJECTIVE -> {
                if (last == 'e') {
                    f.add(w + "r");
                    f.add(w + "st");
                } else if (consonantY) {
                    f.add(stem + "ier");
                    f.add(stem + "iest");
                } else {
                    f.add(w + "er");
                    f.add(w + "est");
                }
            }
            case ADVERB -> {}
        }
        return f;
    }

    private static boolean isVowel(char c) {
        return "aeiou".indexOf(c) >= 0;
    }

    // ---------------------------------------------------------------- helpers

    private record Choice(String word, Synset synset) {}

    private Item symmetric(String a, String b, String label, Synset sa, Synset sb) {
        return rng.nextBoolean() ? directed(a, b, label, sa, sb) : directed(b, a, label, sb, sa);
    }

    private static Item directed(String a, String b, String label, Synset sa, Synset sb) {
        List<String> keys = new ArrayList<>(List.of("w:" + a, "w:" + b, "s:" + sa.id()));
        if (!sb.equals(sa)) {
            keys.add("s:" + sb.id());
        }
        return new Item(new Example(a, b, label), keys);
    }

    private static List<String> synsetKeys(Synset s, Synset other) {
        List<String> keys = new ArrayList<>();
        keys.add("s:" + s.id());
        if (other != null) {
            keys.add("s:" + other.id());
        }
        for (String w : s.words()) {
            String k = "w:" + key(w);
            if (!keys.contains(k)) {
                keys.add(k);
            }
        }
        return keys;
    }

    /** The synset's words as shown to a model: up to four, comma separated. */
    private static String display(Synset s) {
        List<String> w = s.words();
        return String.join(", ", w.subList(0, Math.min(4, w.size())));
    }

    static String key(String word) {
        return word.toLowerCase(Locale.ROOT);
    }

    private boolean isCommonPlain(String word, String lemma, Pos pos) {
        return lemma.equals(lemma.toLowerCase(Locale.ROOT))
                && word.length() >= 2
                && PLAIN_WORD.matcher(word).matches()
                && wn.isCommon(word, pos);
    }

    /** The synset's words that are common (sense-tagged), lower case and plain, without repeats. */
    List<String> commonWords(Synset s) {
        return caches.commonWords.computeIfAbsent(s, this::findCommonWords);
    }

    private List<String> findCommonWords(Synset s) {
        List<String> out = new ArrayList<>();
        List<String> words = s.words();
        for (int i = 0; i < s.lemmas().size(); i++) {
            String w = words.get(i);
            if (isCommonPlain(w, s.lemmas().get(i), s.pos()) && !out.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }

    private Choice pickWord(List<Synset> synsets, java.util.function.Predicate<String> ok) {
        List<Choice> choices = new ArrayList<>();
        for (Synset s : synsets) {
            for (String w : commonWords(s)) {
                if (ok.test(w)) {
                    choices.add(new Choice(w, s));
                }
            }
        }
        return choices.isEmpty() ? null : choices.get(rng.nextInt(choices.size()));
    }

    private Choice randomWord(Pos pos, java.util.function.Predicate<String> ok) {
        List<String> vocab = caches.vocabulary.computeIfAbsent(pos, p -> {
            List<String> v = new ArrayList<>();
            for (Synset s : wn.synsets(p)) {
                for (String w : commonWords(s)) {
                    v.add(w);
                }
            }
            return v;
        });
        for (int attempt = 0; attempt < 20; attempt++) {
            String w = vocab.get(rng.nextInt(vocab.size()));
            if (ok.test(w)) {
                return new Choice(w, wn.senses(w, pos).get(0));
            }
        }
        return null;
    }

    private Set<String> senseIdsOf(String word) {
        return caches.senseIds.computeIfAbsent(word, w -> {
            Set<String> ids = new HashSet<>();
            for (Synset s : wn.senses(w)) {
                ids.add(s.id());
            }
            return ids;
        });
    }

    /** Whether two words share a synset in any part of speech. */
    private boolean shareSynset(String a, String b) {
        Set<String> x = senseIdsOf(a);
        for (String id : senseIdsOf(b)) {
            if (x.contains(id)) {
                return true;
            }
        }
        return false;
    }

    private boolean shareSynset(String word, Synset s) {
        return senseIdsOf(word).contains(s.id());
    }

    private List<Synset> hypernyms(Synset s) {
        List<Synset> out = new ArrayList<>(wn.related(s, WordNet.HYPERNYM));
        out.addAll(wn.related(s, WordNet.INSTANCE_HYPERNYM));
        return out;
    }

    private List<Synset> hyponyms(Synset s) {
        List<Synset> out = new ArrayList<>(wn.related(s, WordNet.HYPONYM));
        out.addAll(wn.related(s, WordNet.INSTANCE_HYPONYM));
        return out;
    }

    /** Co-hyponyms: the other hyponyms of the synset's hypernyms. */
    private List<Synset> siblings(Synset s) {
        List<Synset> out = new ArrayList<>();
        for (Synset h : hypernyms(s)) {
            for (Synset c : hyponyms(h)) {
                if (!c.equals(s) && !out.contains(c)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** The synsets exactly {@code depth} hypernym steps above. */
    private List<Synset> level(Synset s, int depth) {
        List<Synset> frontier = List.of(s);
        for (int d = 0; d < depth; d++) {
            List<Synset> next = new ArrayList<>();
            for (Synset f : frontier) {
                for (Synset h : hypernyms(f)) {
                    if (!next.contains(h)) {
                        next.add(h);
                    }
                }
            }
            frontier = next;
        }
        return frontier;
    }

    private List<Synset> lexicalTargets(Synset s, String symbol) {
        List<Synset> out = new ArrayList<>();
        for (Pointer p : s.pointers(symbol)) {
            out.add(wn.target(p));
        }
        return out;
    }

    /** Words of every hypernym, at any depth, of any sense of the word in that part of speech. */
    private Set<String> ancestorWordsOf(String word, Pos pos) {
        return caches.ancestorWords.computeIfAbsent(word + "/" + pos, k -> {
            Set<String> out = new HashSet<>();
            for (Synset s : wn.senses(word, pos)) {
                for (Synset a : wn.ancestors(s, FULL_DEPTH)) {
                    for (String w : a.words()) {
                        out.add(key(w));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Words of the parts (part, substance and member meronyms, three levels deep) of any noun sense of the
     * word or of its hypernyms, which pass their parts on (a car has wheels because wheeled vehicles do).
     */
    private Set<String> partWordsOf(String word) {
        return caches.partWords.computeIfAbsent(word, k -> {
            Set<String> out = new HashSet<>();
            List<Synset> frontier = new ArrayList<>();
            for (Synset s : wn.senses(word, Pos.NOUN)) {
                frontier.add(s);
                frontier.addAll(wn.ancestors(s, FULL_DEPTH));
            }
            Set<Synset> seen = new HashSet<>();
            for (int d = 0; d < 3 && !frontier.isEmpty(); d++) {
                List<Synset> next = new ArrayList<>();
                for (Synset f : frontier) {
                    for (String sym :
                            List.of(WordNet.PART_MERONYM, WordNet.SUBSTANCE_MERONYM, WordNet.MEMBER_MERONYM)) {
                        for (Synset p : wn.related(f, sym)) {
                            if (seen.add(p)) {
                                next.add(p);
                                for (String w : p.words()) {
                                    out.add(key(w));
                                }
                            }
                        }
                    }
                }
                frontier = next;
            }
            return out;
        });
    }
}
