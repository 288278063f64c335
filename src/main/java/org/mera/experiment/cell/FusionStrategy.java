package org.mera.experiment.cell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.fusion.FusionConfig;
import org.mera.train.FusionTraining;

/** {@code fusion}: AdapterFusion (dynamic, AdapterHub's settings) over all source adapters, which stay frozen. */
final class FusionStrategy implements CellStrategy {
    @Override
    public Start start(Inputs in, Map<String, Object> extra) throws Exception {
        List<AdapterWeights> adapters = new ArrayList<>();
        for (String s : in.sources()) {
            adapters.add(in.source(s));
        }
        return new Start(
                org.mera.train.Method.of(org.mera.train.Method.Kind.FUSION)
                        .withHeadPooling(CellSettings.pooling(in.h())),
                null,
                FusionTraining.customiser(
                        adapters, FusionConfig.dynamic(), null, in.cell().seed()));
    }
}
