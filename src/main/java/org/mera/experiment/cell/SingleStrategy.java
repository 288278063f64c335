package org.mera.experiment.cell;

import java.util.Map;
import org.mera.experiment.Cell;
import org.mera.experiment.SourceSpec;
import org.mera.train.AdapterFiles;

/** {@code single}: one source adapter, the cell's own, fine-tuned few-shot. */
final class SingleStrategy implements CellStrategy {
    @Override
    public Start start(Inputs in, Map<String, Object> extra) throws Exception {
        Cell cell = in.cell();
        if (cell.sourceSpec(cell.source()) instanceof SourceSpec.Adapter a) {
            // A user's adapter starts the run as it is: its kind (bottleneck or LoRA) and shape come from its files.
            AdapterFiles.Init start =
                    AdapterFiles.readInit(a.dir(), in.model(), cell.definition().task(), false);
            return new Start(start.method().withHeadPooling(CellSettings.pooling(in.h())), start.adapter(), m -> {});
        }
        return Start.from(CellSettings.pfeiffer(in.h()), in.source(cell.source()));
    }
}
