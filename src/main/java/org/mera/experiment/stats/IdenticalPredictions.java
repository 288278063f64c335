package org.mera.experiment.stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mera.experiment.CellPredictions;

/**
 * Methods of one task whose test predictions are the same, example by example, at every seed: their differences are
 * exactly 0 by construction and their separate rows are one result, not several (a fresh adapter and a merge that
 * both learned nothing but the head's bias; mera-average and mera-ot over two sources that OT barely moves). Found from the stored
 * predictions; the rows compared are the methods themselves and each source adapter alone, not the rows built from
 * others (mean of sources, chosen on dev, the oracle best source) or the trivial ones.
 */
public final class IdenticalPredictions {
    private IdenticalPredictions() {}

    /** Per task (the table's order), the groups of two or more rows with identical predictions at each of their seeds. */
    public static Map<String, List<List<String>>> of(ResultTables.Table t, PredictionIndex index) {
        Map<String, List<List<String>>> out = new LinkedHashMap<>();
        for (String task : t.tasks()) {
            Map<String, TreeMap<Integer, CellPredictions>> byRow = new LinkedHashMap<>();
            for (ResultTables.Row r : t.rows()) {
                if (derived(r.label()) || !r.seedValues().containsKey(task)) {
                    continue;
                }
                TreeMap<Integer, CellPredictions> perSeed = new TreeMap<>();
                for (int seed : r.seedValues().get(task).keySet()) {
                    List<CellPredictions> sets = index.sets(t.encoder(), t.k(), task, seed, r.label());
                    if (sets != null && sets.size() == 1) { // null: a cell without stored predictions
                        perSeed.put(seed, sets.get(0));
                    }
                }
                if (!perSeed.isEmpty()
                        && perSeed.size() == r.seedValues().get(task).size()) {
                    byRow.put(r.label(), perSeed);
                }
            }
            List<List<String>> groups = new ArrayList<>();
            List<String> placed = new ArrayList<>();
            for (Map.Entry<String, TreeMap<Integer, CellPredictions>> a : byRow.entrySet()) {
                if (placed.contains(a.getKey())) {
                    continue;
                }
                List<String> group = new ArrayList<>(List.of(a.getKey()));
                for (Map.Entry<String, TreeMap<Integer, CellPredictions>> b : byRow.entrySet()) {
                    if (!placed.contains(b.getKey())
                            && !b.getKey().equals(a.getKey())
                            && a.getValue().equals(b.getValue())) {
                        group.add(b.getKey());
                    }
                }
                if (group.size() > 1) {
                    placed.addAll(group);
                    groups.add(group);
                }
            }
            if (!groups.isEmpty()) {
                out.put(task, groups);
            }
        }
        return out;
    }

    private static boolean derived(String label) {
        return TrivialBaselines.isTrivial(label)
                || label.equals(ResultTables.SINGLE_MEAN)
                || label.equals(ResultTables.SINGLE_DEV)
                || label.equals(ResultTables.SINGLE_BEST);
    }
}
