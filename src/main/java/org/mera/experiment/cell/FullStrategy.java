package org.mera.experiment.cell;

import java.util.Map;

/** {@code full}: the whole encoder fine-tuned few-shot, no adapter. */
final class FullStrategy implements CellStrategy {
    @Override
    public Start start(Inputs in, Map<String, Object> extra) {
        return Start.fresh(org.mera.train.Method.of(org.mera.train.Method.Kind.FULL)
                .withHeadPooling(CellSettings.pooling(in.h())));
    }
}
