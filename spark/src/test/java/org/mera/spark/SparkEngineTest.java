package org.mera.spark;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.experiment.ArtifactCache;
import org.mera.experiment.Cell;
import org.mera.experiment.CellResult;
import org.mera.experiment.CellRunner;
import org.mera.experiment.CellRunnerFactory;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.cell.MeraCellRunner;
import org.mera.experiment.ProgressListener;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiny grid on Spark local[2] (two cells at a time in one executor JVM, source adapters trained as stage 1) gives
 * the results of the local engine, cell for cell; a task that fails once is retried by Spark and its cell recorded
 * once, whole.
 */
class SparkEngineTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @AfterEach
    void forgetRunner() {
        CellRunnerFactory.REGISTERED.set(null);
    }

    @Test
    void sparkLocal2GivesTheLocalEnginesResults(@TempDir Path tmp) throws Exception {
        Path inputs = TinyGrid.inputs(tmp.resolve("inputs"));
        MeraCellRunner.register();
        ExperimentRunner.Summary local = run(TinyGrid.load(TinyGrid.config(inputs, tmp.resolve("local.yaml"), tmp.resolve("local"))),
                null);
        assertTrue(local.complete());
        assertEquals(TinyGrid.CELLS, local.cellsRun());

        ExperimentConfig sparkConfig = TinyGrid.load(TinyGrid.config(inputs, tmp.resolve("spark.yaml"), tmp.resolve("spark")));
        ExperimentRunner.Summary spark = run(sparkConfig, new SparkEngine("local[2]"));
        assertTrue(spark.complete(), spark.failures().toString());
        assertEquals(TinyGrid.CELLS, spark.cellsRun());
        TinyGrid.assertSameResults(tmp.resolve("local"), tmp.resolve("spark"));
        // Stage 1 trained both source adapters into the Spark run's own cache (not the local run's).
        try (var s = Files.list(sparkConfig.effectiveCacheDir())) {
            assertEquals(2, s.filter(p -> p.getFileName().toString().startsWith("source-adapter-")).count());
        }
        // The run record says which engine ran the cells, and resuming with it finds nothing left to do.
        try (var s = Files.list(tmp.resolve("spark/runs"))) {
            String record = Files.readString(s.findFirst().orElseThrow());
            assertTrue(record.contains("\"executionEngine\" : \"spark\"") && record.contains("local[2,2]"), record);
        }
        ExperimentRunner.Summary again = run(sparkConfig, new SparkEngine("local[2]"));
        assertEquals(0, again.cellsRun());
        assertEquals(TinyGrid.CELLS, again.cellsDoneBefore());
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndItsCellRecordedOnce(@TempDir Path tmp) throws Exception {
        Path inputs = TinyGrid.inputs(tmp.resolve("inputs"));
        MeraCellRunner.register();
        ExperimentRunner.Summary local = run(TinyGrid.load(TinyGrid.config(inputs, tmp.resolve("local.yaml"), tmp.resolve("local"))),
                null);
        assertTrue(local.complete());

        // Executors of local mode share this JVM, so they use this factory: the adapter cell's first attempt fails.
        AtomicInteger attempts = new AtomicInteger();
        CellRunnerFactory.register((config, cache) -> new FailingOnce(new MeraCellRunner(cache, false), attempts));
        ExperimentConfig cfg = TinyGrid.load(TinyGrid.config(inputs, tmp.resolve("spark.yaml"), tmp.resolve("spark")));
        ExperimentRunner.Summary spark = run(cfg, new SparkEngine("local[2]"));
        assertTrue(spark.complete(), spark.failures().toString());
        assertEquals(2, attempts.get(), "the failed attempt and Spark's retry");
        assertEquals(TinyGrid.CELLS, Files.readAllLines(tmp.resolve("spark/results.jsonl")).size(), "one line per cell");
        TinyGrid.assertSameResults(tmp.resolve("local"), tmp.resolve("spark"));
    }

    @Test
    void localMastersGetOneRetryOthersAreKept() {
        org.apache.spark.SparkConf none = new org.apache.spark.SparkConf(false);
        assertEquals("local[2,2]", new SparkEngine("local[2]").resolvedMaster(none));
        assertEquals("local[*,2]", new SparkEngine("local[*]").resolvedMaster(none));
        assertEquals("local[1,2]", new SparkEngine("local").resolvedMaster(none));
        assertEquals("local[2,5]", new SparkEngine("local[2,5]").resolvedMaster(none));
        assertEquals("spark://10.0.0.1:7077", new SparkEngine("spark://10.0.0.1:7077").resolvedMaster(none));
        assertEquals("local[*,2]", new SparkEngine(null).resolvedMaster(none), "no master anywhere: every local core");
        assertEquals("spark://h:7077", new SparkEngine(null).resolvedMaster(none.clone().set("spark.master", "spark://h:7077")),
                "spark-submit's master");
    }

    private static ExperimentRunner.Summary run(ExperimentConfig config, SparkEngine engine) throws Exception {
        CellRunner runner = CellRunnerFactory.find().create(config, new ArtifactCache(config.effectiveCacheDir()));
        ExperimentRunner r = new ExperimentRunner(config, runner).progressTo(QUIET, false);
        if (engine != null) {
            r.engine(engine);
        }
        return r.run();
    }

    /** The real runner, except that the first attempt at the "adapter" cell throws. */
    private record FailingOnce(MeraCellRunner real, AtomicInteger attempts) implements CellRunner {
        @Override
        public String version() {
            return real.version();
        }

        @Override
        public String name() {
            return real.name();
        }

        @Override
        public Map<String, org.mera.experiment.Hyperparameters.Spec> hyperparameterSpecs() {
            return real.hyperparameterSpecs();
        }

        @Override
        public List<Preparation> preparations(List<Cell> cells) {
            return real.preparations(cells);
        }

        @Override
        public void prepare(Preparation p) throws Exception {
            real.prepare(p);
        }

        @Override
        public CellResult run(Cell cell, ProgressListener progress) throws Exception {
            if (cell.methodLabel().equals("adapter") && attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("injected failure of the first attempt at " + cell.describe());
            }
            return real.run(cell, progress);
        }
    }
}
