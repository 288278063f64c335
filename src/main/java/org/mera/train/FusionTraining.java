package org.mera.train;

import java.util.List;
import java.util.function.Consumer;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.fusion.Fusion;
import org.mera.adapter.fusion.FusionConfig;
import org.mera.adapter.fusion.FusionHandle;
import org.mera.adapter.fusion.FusionWeights;

/**
 * Training AdapterFusion: the hook that installs a fusion into a run's {@link TaskModel}. It lives in train, not beside
 * {@link Fusion}, because it needs the task model, and adapter sits below train in the pipeline.
 */
public final class FusionTraining {
    private FusionTraining() {}

    /**
     * A {@link TrainingRun} customise hook for {@code Method.of(FUSION)}: installs the fusion over
     * {@code adapters} (fresh, or from {@code saved} when not null) and adds its regulariser to the loss.
     * {@link Customiser#handle()} gives the installed fusion while the run's model lives.
     */
    public static Customiser customiser(
            List<AdapterWeights> adapters, FusionConfig config, FusionWeights saved, long seed) {
        return new Customiser(adapters, config, saved, seed);
    }

    /** Installs a fusion into a task model and registers its regulariser. */
    public static final class Customiser implements Consumer<TaskModel> {
        private final List<AdapterWeights> adapters;
        private final FusionConfig config;
        private final FusionWeights saved;
        private final long seed;
        private FusionHandle handle;

        private Customiser(List<AdapterWeights> adapters, FusionConfig config, FusionWeights saved, long seed) {
            this.adapters = List.copyOf(adapters);
            this.config = saved == null ? config : saved.config();
            this.saved = saved;
            this.seed = seed;
        }

        @Override
        public void accept(TaskModel model) {
            handle = saved == null
                    ? Fusion.install(model.encoder(), adapters, config, null, seed)
                    : Fusion.install(model.encoder(), adapters, saved);
            handle.attach(model.encoder(), model::addLossTerm);
        }

        /** The adapters the fusion combines, in its order. */
        public List<AdapterWeights> adapters() {
            return adapters;
        }

        public FusionHandle handle() {
            if (handle == null) {
                throw new IllegalStateException("the fusion has not been installed yet");
            }
            return handle;
        }
    }
}
