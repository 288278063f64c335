package org.mera.experiment.cell;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.experiment.Hyperparameters;
import org.mera.model.Param;
import org.mera.train.Metrics;
import org.mera.train.TaskModel;
import org.mera.train.TrainOptions;
import org.mera.train.TrainingRun;

/**
 * {@code mera-auto}: ranks the candidate source adapters for the target from its few-shot splits alone (never the test
 * set): each adapter, frozen, gets a head trained briefly on the k-shot train split and is scored on the k-shot dev
 * split; the best {@code autoTop} are merged as {@link MergeStrategy} merges.
 */
final class AutoStrategy implements CellStrategy {
    @Override
    public Start start(Inputs in, Map<String, Object> extra) throws Exception {
        List<String> chosen = rank(in, extra);
        return Start.from(CellSettings.pfeiffer(in.h()), MergeStrategy.merge(in, chosen, extra));
    }

    private static List<String> rank(Inputs in, Map<String, Object> extra) throws Exception {
        Hyperparameters h = in.h();
        int top = h.asMap().containsKey("autoTop") ? h.getInt("autoTop") : 3;
        int steps = h.asMap().containsKey("autoSteps") ? h.getInt("autoSteps") : 40;
        record Ranked(String source, double score) {}
        List<Ranked> ranked = new ArrayList<>();
        for (String s : in.sources()) {
            AdapterWeights a = in.source(s);
            TrainOptions o = CellSettings.fewShot(h, in.cell().seed())
                    .withMaxSteps(steps)
                    .withLearningRate(1e-3f);
            CellStrategy.Start start = CellStrategy.Start.from(CellSettings.pfeiffer(h), a);
            TrainingRun.Outcome r = TrainingRun.run(
                    new TrainingRun.Spec(
                            in.model(),
                            in.cell().definition().task(),
                            in.train(),
                            in.dev(),
                            List.of(),
                            start.method(),
                            o,
                            start.initialAdapter()),
                    AutoStrategy::freezeAdapters);
            ranked.add(new Ranked(s, r.devMetrics().getOrDefault(Metrics.PRIMARY, Double.NEGATIVE_INFINITY)));
        }
        ranked.sort(Comparator.comparingDouble(Ranked::score).reversed().thenComparing(Ranked::source));
        List<String> chosen =
                ranked.stream().limit(Math.max(1, top)).map(Ranked::source).toList();
        Map<String, Double> scores = new LinkedHashMap<>();
        ranked.forEach(r -> scores.put(r.source(), r.score()));
        extra.put("autoRanking", scores);
        extra.put("autoChosen", chosen);
        return chosen;
    }

    /** Only the head trains while ranking: the source adapter is scored as it is. */
    private static void freezeAdapters(TaskModel m) {
        for (Param p : m.encoder().params().all()) {
            if (p.name().contains(".adapters.")) {
                p.setTrainable(false);
            }
        }
    }
}
