package org.mera.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Makes the {@link CellRunner} that {@code mera experiment} uses. Registered either in code
 * ({@link #register}) or as a service ({@code META-INF/services/org.mera.experiment.CellRunnerFactory}).
 */
public interface CellRunnerFactory {
    /**
     * @param config the validated-to-be config (the runner's {@link CellRunner#validate} runs afterwards)
     * @param cache  the artifact cache for source and merged adapters ({@link ExperimentConfig#effectiveCacheDir()})
     */
    CellRunner create(ExperimentConfig config, ArtifactCache cache) throws Exception;

    /** The factory registered in code, if any (wins over services). */
    AtomicReference<CellRunnerFactory> REGISTERED = new AtomicReference<>();

    static void register(CellRunnerFactory factory) {
        REGISTERED.set(factory);
    }

    /** The registered factory, else the only service one; a clear error when there is none or several. */
    static CellRunnerFactory find() {
        CellRunnerFactory f = REGISTERED.get();
        if (f != null) {
            return f;
        }
        List<CellRunnerFactory> services = new ArrayList<>();
        ServiceLoader.load(CellRunnerFactory.class).forEach(services::add);
        if (services.size() == 1) {
            return services.get(0);
        }
        if (services.isEmpty()) {
            throw new IllegalStateException(
                    "no CellRunner is registered, so there is nothing to train cells with: call "
                            + "CellRunnerFactory.register(...) before running, or list a factory in "
                            + "META-INF/services/" + CellRunnerFactory.class.getName());
        }
        throw new IllegalStateException("several CellRunner factories are registered as services ("
                + services.stream().map(s -> s.getClass().getName()).toList()
                + "); register the one to use with CellRunnerFactory.register(...)");
    }
}
