package org.mera.data.wordnet;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mera.data.Task;
import org.mera.data.wordnet.WordNetTasks.Item;
import org.mera.data.wordnet.WordNetTasks.Quota;
import org.mera.data.wordnet.WordNetTasks.Splits;

/**
 * Deals shuffled candidates into train, dev and test so that no key (word or synset) is used on both the
 * train side (train + dev) and the test side. Greedy: a candidate goes to the side, among those it does
 * not conflict with and that still need its label, that is least filled; a candidate in conflict with both
 * sides is dropped. Finally each split is cut to the same count for every label.
 */
final class LeakFreeSplitter {
    private LeakFreeSplitter() {}

    private static final int TRAIN = 0, DEV = 1, TEST = 2;

    static Splits split(Task task, List<Item> candidates, Quota quota) {
        int labels = task.numLabels();
        int[] limit = {quota.train(), quota.dev(), quota.test()};
        int[][] count = new int[3][labels];
        List<List<Item>> assigned = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Set<String> trainSideKeys = new HashSet<>();
        Set<String> testKeys = new HashSet<>();
        Set<String> seenTexts = new HashSet<>();
        int full = 0;
        for (Item item : candidates) {
            if (full == 3 * labels) {
                break;
            }
            String text = item.example().textA() + "\u0000" + item.example().textB();
            int label = task.labelIndex(item.example().label());
            boolean trainSideOk = disjoint(item.keys(), testKeys);
            boolean testOk = disjoint(item.keys(), trainSideKeys);
            int best = -1;
            double bestFill = Double.MAX_VALUE;
            for (int side : new int[] {TEST, TRAIN, DEV}) {
                boolean ok = side == TEST ? testOk : trainSideOk;
                if (!ok || count[side][label] >= limit[side]) {
                    continue;
                }
                double fill = count[side][label] / (double) limit[side];
                if (fill < bestFill) {
                    bestFill = fill;
                    best = side;
                }
            }
            if (best < 0 || !seenTexts.add(text)) {
                continue;
            }
            assigned.get(best).add(item);
            (best == TEST ? testKeys : trainSideKeys).addAll(item.keys());
            if (++count[best][label] == limit[best]) {
                full++;
            }
        }
        return new Splits(
                task,
                balanced(task, assigned.get(TRAIN), count[TRAIN]),
                balanced(task, assigned.get(DEV), count[DEV]),
                balanced(task, assigned.get(TEST), count[TEST]));
    }

    private static boolean disjoint(List<String> keys, Set<String> claimed) {
        for (String k : keys) {
            if (claimed.contains(k)) {
                return false;
            }
        }
        return true;
    }

    /** Keeps, in order, the first n items of every label, n being the rarest label's count. */
    private static List<Item> balanced(Task task, List<Item> items, int[] counts) {
        int n = Integer.MAX_VALUE;
        for (int c : counts) {
            n = Math.min(n, c);
        }
        int[] kept = new int[counts.length];
        List<Item> out = new ArrayList<>();
        for (Item item : items) {
            int label = task.labelIndex(item.example().label());
            if (kept[label] < n) {
                kept[label]++;
                out.add(item);
            }
        }
        return out;
    }
}
