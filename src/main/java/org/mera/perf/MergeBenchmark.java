package org.mera.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.merge.MergeMethods;
import org.mera.merge.MergeOptions;
import org.mera.merge.RandomAdapters;

/**
 * Times OT-merging bert-base-sized Pfeiffer adapters (random N(0, 0.02) weights, the AdapterHub init scale)
 * with exact (Hungarian) and Sinkhorn transport: one warm-up merge each, then the median of {@code runs}.
 */
public final class MergeBenchmark {
    private MergeBenchmark() {}

    public record Result(
            int adapters,
            int layers,
            int hidden,
            int bottleneck,
            int runs,
            double exactMedianMs,
            double sinkhornMedianMs,
            double sinkhornReg,
            double averageMedianMs) {
        public String summary() {
            return String.format(
                    Locale.ROOT,
                    "OT merge of %d Pfeiffer adapters (%d layers, H=%d, b=%d), median of %d runs: "
                            + "exact %.1f ms, Sinkhorn (reg %.0e) %.1f ms, plain average %.1f ms",
                    adapters,
                    layers,
                    hidden,
                    bottleneck,
                    runs,
                    exactMedianMs,
                    sinkhornReg,
                    sinkhornMedianMs,
                    averageMedianMs);
        }
    }

    public static Result run(int adapters, int layers, int hidden, int bottleneck, int runs) {
        EncoderInfo enc = new EncoderInfo("bert-base-uncased", "bert", "BertAdapterModel", hidden);
        List<AdapterWeights> sources = new ArrayList<>();
        for (int k = 0; k < adapters; k++) {
            sources.add(RandomAdapters.create(
                    "a" + k, BottleneckConfig.pfeiffer(), enc, layers, bottleneck, 0.02, 1000 + k));
        }
        MergeOptions exact = MergeOptions.defaults();
        MergeOptions sinkhorn = MergeOptions.defaults().withSinkhorn(1e-2);
        double e = medianMs(() -> MergeMethods.get("ot").merge(sources, exact), runs);
        double s = medianMs(() -> MergeMethods.get("ot").merge(sources, sinkhorn), runs);
        double a = medianMs(() -> MergeMethods.get("average").merge(sources, exact), runs);
        return new Result(adapters, layers, hidden, bottleneck, runs, e, s, 1e-2, a);
    }

    /** The default benchmark: 8 bert-base Pfeiffer adapters (12 layers, H=768, b=48), 5 runs. */
    public static Result runDefault() {
        return run(8, 12, 768, 48, 5);
    }

    private static double medianMs(Runnable work, int runs) {
        return Medians.of(1, runs, work) * 1000;
    }

    public static void main(String[] args) {
        System.out.println(runDefault().summary());
    }
}
