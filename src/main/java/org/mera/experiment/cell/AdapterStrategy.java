package org.mera.experiment.cell;

import java.util.Map;

/** {@code adapter}: a fresh Pfeiffer adapter trained few-shot. */
final class AdapterStrategy implements CellStrategy {
    @Override
    public Start start(Inputs in, Map<String, Object> extra) {
        return Start.fresh(CellSettings.pfeiffer(in.h()));
    }
}
