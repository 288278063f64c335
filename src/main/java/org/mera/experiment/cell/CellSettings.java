package org.mera.experiment.cell;

import org.mera.experiment.Hyperparameters;
import org.mera.model.ClassificationHead;
import org.mera.train.TrainOptions;

/** How a cell's hyperparameters become training settings; shared by the source-adapter store and the cell strategies. */
final class CellSettings {
    private CellSettings() {}

    /**
     * The head's pooling: set only by configs that ask for it, so that the keys of every cell and source adapter
     * from before the option existed stay as they were.
     */
    static ClassificationHead.Pooling pooling(Hyperparameters h) {
        return h.asMap().containsKey("pooling")
                ? ClassificationHead.Pooling.parse(h.getString("pooling"))
                : ClassificationHead.Pooling.FIRST_TOKEN;
    }

    /** The Pfeiffer adapter every adapter-based method trains, with the configured reduction factor and head. */
    static org.mera.train.Method pfeiffer(Hyperparameters h) {
        return org.mera.train.Method.of(org.mera.train.Method.Kind.PFEIFFER)
                .withReductionFactor(h.getInt("reductionFactor"))
                .withHeadPooling(pooling(h));
    }

    /** The few-shot training settings of a cell. */
    static TrainOptions fewShot(Hyperparameters h, long seed) {
        return new TrainOptions(
                (float) h.getDouble("lr"),
                h.getInt("epochs"),
                h.getInt("steps"),
                h.getInt("batchSize"),
                64,
                (float) h.getDouble("warmupRatio"),
                (float) h.getDouble("weightDecay"),
                1.0f,
                h.getInt("evalEvery"),
                seed,
                false);
    }
}
