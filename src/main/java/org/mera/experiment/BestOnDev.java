package org.mera.experiment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The model a practitioner would keep from a finished grid, chosen on the k-shot dev split only: per encoder, target
 * and k, the method (each single source counts as one) with the best mean dev score over the grid's seeds, then that
 * method's seed with the best dev score. The test scores are carried along to be reported, never to choose. Methods
 * whose model cannot be saved (see {@code savable}) are passed over and named.
 */
public final class BestOnDev {
    private BestOnDev() {}

    /** A method's standing on one target: its mean k-shot dev and test primary score over the grid's seeds. */
    public record Standing(String method, double meanDev, double meanTest, int seeds) {}

    /**
     * The choice for one encoder, target and k: the cell to train again and save, at the learning rate it chose;
     * {@code ranking} all methods with every seed finished, best dev first; {@code passedOver} those ranked above the
     * choice that cannot be saved.
     */
    public record Choice(
            String encoder,
            String task,
            int k,
            Cell cell,
            ResultRecord record,
            double lr,
            Standing standing,
            List<Standing> ranking,
            List<String> passedOver) {
        /** The cell's own k-shot dev primary score. */
        public double dev() {
            return devScore(record);
        }
    }

    /** Why no model was chosen for an encoder, target and k (no method has every seed finished, or none is savable). */
    public record NoChoice(String encoder, String task, int k, String reason) {}

    /** Choices, and the targets without one. */
    public record Result(List<Choice> choices, List<NoChoice> none) {}

    /**
     * @param grid     the grid's cells, in grid order (ties in mean dev score keep its method order; ties between seeds
     *                 its seed order)
     * @param finished the finished results by cell key
     * @param savable  whether a cell's trained model can be written (e.g. not AdapterFusion)
     */
    public static Result choose(Grid grid, Map<String, ResultRecord> finished, Predicate<Cell> savable) {
        Map<String, List<Cell>> byTarget = new LinkedHashMap<>();
        for (Cell c : grid.cells()) {
            byTarget.computeIfAbsent(c.encoder() + "\u0000" + c.task() + "\u0000" + c.k(), x -> new ArrayList<>())
                    .add(c);
        }
        List<Choice> choices = new ArrayList<>();
        List<NoChoice> none = new ArrayList<>();
        for (List<Cell> cells : byTarget.values()) {
            Cell first = cells.get(0);
            Map<String, List<Cell>> byMethod = new LinkedHashMap<>();
            for (Cell c : cells) {
                byMethod.computeIfAbsent(c.methodLabel(), x -> new ArrayList<>())
                        .add(c);
            }
            List<Standing> ranking = new ArrayList<>();
            for (Map.Entry<String, List<Cell>> m : byMethod.entrySet()) {
                boolean complete = m.getValue().stream()
                        .allMatch(c -> finished.containsKey(c.key()) && hasDev(finished.get(c.key())));
                if (complete) {
                    ranking.add(new Standing(
                            m.getKey(),
                            m.getValue().stream()
                                    .mapToDouble(c -> devScore(finished.get(c.key())))
                                    .average()
                                    .orElseThrow(),
                            m.getValue().stream()
                                    .mapToDouble(c -> finished.get(c.key()).primary())
                                    .average()
                                    .orElseThrow(),
                            m.getValue().size()));
                }
            }
            // stable: equal means keep the grid's method order
            ranking.sort(Comparator.comparingDouble(Standing::meanDev).reversed());
            if (ranking.isEmpty()) {
                none.add(new NoChoice(
                        first.encoder(),
                        first.task(),
                        first.k(),
                        "no method has every seed finished with a k-shot dev score"));
                continue;
            }
            List<String> passedOver = new ArrayList<>();
            Choice chosen = null;
            for (Standing s : ranking) {
                List<Cell> seeds = byMethod.get(s.method());
                if (!savable.test(seeds.get(0))) {
                    passedOver.add(s.method());
                    continue;
                }
                Cell best = seeds.get(0);
                for (Cell c : seeds) {
                    if (devScore(finished.get(c.key())) > devScore(finished.get(best.key()))) {
                        best = c;
                    }
                }
                ResultRecord r = finished.get(best.key());
                chosen = new Choice(
                        first.encoder(),
                        first.task(),
                        first.k(),
                        best,
                        r,
                        learningRate(best, r),
                        s,
                        List.copyOf(ranking),
                        List.copyOf(passedOver));
                break;
            }
            if (chosen == null) {
                none.add(new NoChoice(
                        first.encoder(),
                        first.task(),
                        first.k(),
                        "no finished method's model can be saved (" + passedOver + ")"));
            } else {
                choices.add(chosen);
            }
        }
        return new Result(choices, none);
    }

    private static boolean hasDev(ResultRecord r) {
        return r.metrics().containsKey("dev_" + r.primaryMetric());
    }

    static double devScore(ResultRecord r) {
        return r.metrics().get("dev_" + r.primaryMetric());
    }

    /** The rate the cell chose from its grid (recorded when the grid has several), else its one rate. */
    static double learningRate(Cell cell, ResultRecord r) {
        if (r.extra().get("lr") instanceof Number n) {
            return n.doubleValue();
        }
        Hyperparameters h = cell.hyperparameters();
        // a one-rate grid records no choice; that rate, not the default lr, is what trained
        return h.asMap().containsKey("lrGrid") ? h.getDoubleList("lrGrid").get(0) : h.getDouble("lr");
    }
}
