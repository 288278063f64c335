package org.mera.experiment.cell;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.data.Example;
import org.mera.experiment.Cell;
import org.mera.experiment.Hyperparameters;
import org.mera.experiment.Method;
import org.mera.io.Tensor;
import org.mera.model.PretrainedModel;
import org.mera.train.TaskModel;
import org.mera.train.TrainingRun;

/**
 * How one grid method prepares a cell's few-shot training: what trains and where it starts (a fresh adapter, a source
 * adapter, a merge of several, a fusion over them). {@link MeraCellRunner} picks the strategy of the cell's method,
 * then trains and scores what it returns the same way for every method.
 */
interface CellStrategy {
    /**
     * What a strategy works from: the cell, its encoder and hyperparameters, its k-shot splits (never the test set), its
     * sources (one for a single cell) and the store that holds their adapters.
     */
    record Inputs(
            PretrainedModel model,
            Cell cell,
            Hyperparameters h,
            List<Example> train,
            List<Example> dev,
            List<String> sources,
            SourceAdapterStore store) {
        AdapterWeights source(String name) throws java.io.IOException {
            return store.get(model, cell, name);
        }
    }

    /**
     * The few-shot run's method, its initial adapter (null: fresh; keys of {@link TrainingRun.Outcome#adapterWeights}) and
     * the hook that runs before training (fusion's layers).
     */
    record Start(org.mera.train.Method method, Map<String, Tensor> initialAdapter, Consumer<TaskModel> customise) {
        static Start fresh(org.mera.train.Method method) {
            return new Start(method, null, m -> {});
        }

        /** Starts from a bottleneck adapter, renamed to the adapter name the training run uses. */
        static Start from(org.mera.train.Method method, AdapterWeights adapter) {
            return new Start(method, adapter.renamed(TrainingRun.ADAPTER).tensors(), m -> {});
        }
    }

    /** Builds the start; adds what the cell should record about it (merge, ranking, alignment) to {@code extra}. */
    Start start(Inputs in, Map<String, Object> extra) throws Exception;

    /** The strategy of a grid method. */
    static CellStrategy of(Method method) {
        return switch (method) {
            case FULL -> new FullStrategy();
            case ADAPTER -> new AdapterStrategy();
            case SINGLE -> new SingleStrategy();
            case FUSION -> new FusionStrategy();
            case MERA_SUM, MERA_AVERAGE, MERA_OT, MERA_SAME_TRACK -> new MergeStrategy();
            case MERA_AUTO -> new AutoStrategy();
        };
    }
}
