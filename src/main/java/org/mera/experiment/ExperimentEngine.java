package org.mera.experiment;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Where the cells of a grid are computed: in this process one after another ({@link #LOCAL}, the default), or
 * elsewhere (the Spark engine of the separate mera-spark module, found as a {@link Provider} service). An engine only
 * computes; the {@link ExperimentRunner} that calls it stays the one writer of the output folder, so resume, imports,
 * reports and cell keys are the same whichever engine ran the cells.
 */
public interface ExperimentEngine {
    /** Shown in run records ({@code executionEngine}) and messages. */
    String name();

    /** What the engine ran on (master, executors...), added to each run record's environment. */
    default Map<String, Object> environment() {
        return Map.of();
    }

    /**
     * Computes every cell of {@code cells} (the ones not finished yet, in grid order) and hands each outcome to
     * {@code sink} on the calling thread as soon as it is known. Returns when all are handed over, or early when
     * {@link Sink#finished} says the run was interrupted.
     */
    void run(ExperimentConfig config, CellRunner runner, List<Cell> cells, Sink sink) throws Exception;

    /** The runner's side: records results and failures, shows progress. */
    interface Sink {
        /**
         * Whether {@code cell} still needs computing: false when a folder this run imports from has finished it in the
         * meantime (it has then been copied here). Engines that hand cells over one at a time ask before each.
         */
        default boolean stillToRun(Cell cell) throws IOException {
            return true;
        }

        /** The cell is about to be handed over ({@code remaining}: it and the cells not handed over yet, for the ETA). */
        void started(Cell cell, List<Cell> remaining);

        /** Progress inside the cell that {@link #started} last. */
        void progress(double fraction, String note);

        /**
         * Records a finished cell (its predictions first, then its results line). A result without the cell's primary
         * metric or with a non-finite metric counts as a failure. False when the run was interrupted and nothing was
         * written: stop. Throws {@link ExperimentRunner.CellFailedException} for a failure without --keep-going.
         */
        boolean finished(Cell cell, CellResult result, long durationMs) throws IOException;

        /** A cell that could not be computed: nothing is written for it. Throws unless the run keeps going. */
        void failed(Cell cell, Exception cause);
    }

    /** Makes an engine by name; listed in {@code META-INF/services/org.mera.experiment.ExperimentEngine$Provider}. */
    interface Provider {
        String name();

        /** @param master where to run (an engine-specific address; null for the engine's default) */
        ExperimentEngine create(String master) throws Exception;
    }

    /** Today's runner: the cells in grid order, one at a time, in this process. */
    ExperimentEngine LOCAL = new ExperimentEngine() {
        @Override
        public String name() {
            return "local";
        }

        @Override
        public void run(ExperimentConfig config, CellRunner runner, List<Cell> cells, Sink sink) throws IOException {
            for (int i = 0; i < cells.size(); i++) {
                Cell cell = cells.get(i);
                if (!sink.stillToRun(cell)) {
                    continue;
                }
                sink.started(cell, cells.subList(i, cells.size()));
                long t0 = System.nanoTime();
                CellResult result;
                try {
                    result = runner.run(cell, sink::progress);
                } catch (Exception e) {
                    sink.failed(cell, e);
                    continue;
                }
                if (!sink.finished(cell, result, (System.nanoTime() - t0) / 1_000_000)) {
                    return;
                }
            }
        }
    };

    /**
     * The engine called {@code name}: "local", or one from a service on the class path. An engine that is not there
     * is an error saying how to get it (the Spark engine lives in its own module so the core CLI stays lean).
     */
    static ExperimentEngine find(String name, String master) throws Exception {
        if (name == null || name.equals("local")) {
            if (master != null) {
                throw new IllegalArgumentException(
                        "--master is for --engine spark; the local engine runs in this process");
            }
            return LOCAL;
        }
        List<String> available = new ArrayList<>(List.of("local"));
        for (Provider p : ServiceLoader.load(Provider.class)) {
            if (p.name().equals(name)) {
                return p.create(master);
            }
            available.add(p.name());
        }
        if (name.equals("spark")) {
            throw new IllegalArgumentException(
                    "--engine spark: the Spark engine is not on the class path. It is a separate module: "
                            + "build it with 'mvn -B -q install -DskipTests && (cd spark && mvn -B -q package -DskipTests)' and run "
                            + "'spark/mera-spark experiment ...', or spark-submit spark/target/mera-spark-assembly.jar (see docs/spark.md)");
        }
        throw new IllegalArgumentException(
                "--engine " + name + ": no such engine (available: " + String.join(", ", available) + ")");
    }
}
