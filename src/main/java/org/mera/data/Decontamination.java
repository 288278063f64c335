package org.mera.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds the rows of a training pool whose text also occurs in evaluation data, so that a source adapter never
 * trains on a sentence (pair) some target is scored on.
 *
 * <p>Texts are compared after {@link #normalise}: lower case, and every character that is not a letter or digit
 * dropped, spaces included. GLUE's files disagree on tokenisation (MRPC's are tokenised, "doesn 't fit the
 * company 's", STS-B's copies of the same news sentences are not, "doesn't fit the company's"), so an exact
 * string match misses almost every duplicate across tasks. A pair's key ignores the order of its two texts: one
 * task's (a, b) is another's (b, a).
 */
public final class Decontamination {
    private Decontamination() {}

    /** Lower case, letters and digits only (Unicode-aware; accents and non-Latin scripts are kept). */
    public static String normalise(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints()
                .filter(Character::isLetterOrDigit)
                .map(Character::toLowerCase)
                .forEach(out::appendCodePoint);
        return out.toString();
    }

    /**
     * The example's text identity: its normalised text, or for a pair both normalised texts in sorted order (so
     * (a, b) and (b, a) share a key). Empty when nothing of the text survives normalising (only punctuation):
     * such rows match nothing.
     */
    public static String key(Example e) {
        String a = normalise(e.textA());
        if (!e.isPair()) {
            return a;
        }
        String b = normalise(e.textB());
        if (a.isEmpty() && b.isEmpty()) {
            return "";
        }
        // A separator no normalised text contains keeps ("ab", "c") apart from ("a", "bc").
        return a.compareTo(b) <= 0 ? a + "\u0000" + b : b + "\u0000" + a;
    }

    /** Evaluation texts by key, each with the names of the sets (targets) that hold it. */
    public static final class Index {
        private final Map<String, Set<String>> owners = new HashMap<>();

        /** Adds the texts of {@code examples} as belonging to {@code owner} (a target's name). */
        public Index add(String owner, List<Example> examples) {
            for (Example e : examples) {
                String k = key(e);
                if (!k.isEmpty()) {
                    owners.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(owner);
                }
            }
            return this;
        }

        /** The owners holding this example's text; empty if none. */
        public Set<String> ownersOf(Example e) {
            String k = key(e);
            return k.isEmpty() ? Set.of() : owners.getOrDefault(k, Set.of());
        }

        public int size() {
            return owners.size();
        }

        /**
         * Splits {@code pool} into the rows to keep and the rows whose text some owner holds. A row held by two
         * owners counts once in {@code removed} and once under each owner.
         */
        public Cleaned clean(List<Example> pool) {
            List<Example> kept = new ArrayList<>(pool.size());
            List<Integer> removed = new ArrayList<>();
            Map<String, Integer> byOwner = new TreeMap<>();
            for (int i = 0; i < pool.size(); i++) {
                Set<String> o = ownersOf(pool.get(i));
                if (o.isEmpty()) {
                    kept.add(pool.get(i));
                } else {
                    removed.add(i);
                    o.forEach(name -> byOwner.merge(name, 1, Integer::sum));
                }
            }
            return new Cleaned(
                    pool.size(),
                    Collections.unmodifiableList(kept),
                    List.copyOf(removed),
                    Collections.unmodifiableMap(byOwner));
        }
    }

    /**
     * A pool after cleaning: its size before, the rows kept, the indexes (0-based, in file order) of the rows
     * removed, and how many removed rows each owner holds.
     */
    public record Cleaned(
            int before, List<Example> kept, List<Integer> removedIndexes, Map<String, Integer> removedByOwner) {
        public int removed() {
            return removedIndexes.size();
        }
    }
}
