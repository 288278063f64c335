package org.mera.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.mera.experiment.Cell;
import org.mera.experiment.CellRunner;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.ExperimentEngine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a grid's cells as Apache Spark tasks. Two stages: first every shared source adapter is trained (one task per
 * source, into the artifact cache on the shared filesystem), then every cell is a one-task job, all submitted at
 * once so Spark keeps every executor slot busy. Results come back to the driver, where the calling
 * {@link org.mera.experiment.ExperimentRunner} appends each to results.jsonl as it arrives: resuming, --import,
 * reports and cell keys are those of the local engine. A task that fails is retried by Spark (up to
 * {@code spark.task.maxFailures} attempts; {@code local[N]} becomes {@code local[N,2]}, one retry, since local mode
 * otherwise never retries) and, as executors write nothing to the output folder, a failed attempt leaves no half cell.
 */
public final class SparkEngine implements ExperimentEngine {
    /** Attempts per task in local mode, where Spark's own default is a single attempt. */
    static final int LOCAL_MAX_FAILURES = 2;
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[([^,\\]]+)])?");

    private final String master;

    /** @param master a Spark master URL; null for spark-submit's (spark.master), else local[*] */
    public SparkEngine(String master) {
        this.master = master;
    }

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("sparkMaster", resolvedMaster(new SparkConf()));
        env.put("sparkVersion", org.apache.spark.package$.MODULE$.SPARK_VERSION());
        return env;
    }

    /** The master to use: the one given, else spark-submit's, else all local cores; local ones with a retry allowed. */
    String resolvedMaster(SparkConf conf) {
        String m = master != null ? master : conf.get("spark.master", "local[*]");
        Matcher local = LOCAL.matcher(m);
        if (local.matches()) {
            return "local[" + (local.group(1) == null ? "1" : local.group(1)) + "," + LOCAL_MAX_FAILURES + "]";
        }
        return m;
    }

    @Override
    public void run(ExperimentConfig config, CellRunner runner, List<Cell> cells, Sink sink) throws Exception {
        if (cells.isEmpty()) {
            return; // nothing to run: no need to start Spark
        }
        SparkConf conf = new SparkConf().setAppName("mera experiment " + config.name());
        conf.setMaster(resolvedMaster(conf));
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // Executors on other machines need mera's classes: ship the jar this class came from (the assembly) unless
        // spark-submit already did.
        Path ownJar = Path.of(SparkEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isRegularFile(ownJar) && !conf.get("spark.jars", "").contains(ownJar.getFileName().toString())) {
            String jars = conf.get("spark.jars", "");
            conf.set("spark.jars", jars.isEmpty() ? ownJar.toString() : jars + "," + ownJar);
        }
        // Where executors find the models (the same converted cache as the driver's, on a shared filesystem) and DJL's
        // offline switch: an executor must not try to download anything.
        String home = System.getenv("MERA_HOME");
        if (home != null && !home.isBlank()) {
            conf.setIfMissing("spark.executorEnv.MERA_HOME", home);
        }
        String opts = conf.get("spark.executor.extraJavaOptions", "");
        if (!opts.contains("ai.djl.offline")) {
            conf.set("spark.executor.extraJavaOptions", (opts + " -Dai.djl.offline=" + System.getProperty("ai.djl.offline", "true")).strip());
        }
        String configJson = CellTasks.JSON.writeValueAsString(config.toMap());
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            prepare(sc, configJson, runner.preparations(cells));
            runCells(sc, configJson, cells, sink);
        }
    }

    /** Stage 1: the shared source adapters, one task each. A failure here is reported and left to the cells that need it. */
    private static void prepare(JavaSparkContext sc, String configJson, List<CellRunner.Preparation> preparations) throws Exception {
        if (preparations.isEmpty()) {
            return;
        }
        List<JavaFutureAction<List<String>>> jobs = new ArrayList<>();
        for (CellRunner.Preparation p : preparations) {
            sc.setJobDescription("mera: source " + p.source() + " on " + p.cell().encoder());
            jobs.add(sc.parallelize(List.of(CellTasks.payload(configJson, p.cell().key(), p.id())), 1)
                    .map(CellTasks::prepare).collectAsync());
        }
        for (int i = 0; i < jobs.size(); i++) {
            CellRunner.Preparation p = preparations.get(i);
            try {
                jobs.get(i).get();
            } catch (ExecutionException e) {
                // The cells that use this source try it again themselves and fail as cells (kept going or not, as asked).
                System.err.println("mera: source " + p.source() + " on " + p.cell().encoder() + " could not be prepared by Spark: "
                        + e.getCause());
            }
        }
    }

    /** Stage 2: one single-task job per cell, all submitted now; each result is handed to the sink as it arrives. */
    private static void runCells(JavaSparkContext sc, String configJson, List<Cell> cells, Sink sink) throws Exception {
        List<Cell> pending = new ArrayList<>(cells);
        Map<Cell, JavaFutureAction<List<String>>> jobs = new LinkedHashMap<>();
        try {
            for (Cell c : cells) {
                sc.setJobDescription("mera: " + c.describe());
                jobs.put(c, sc.parallelize(List.of(CellTasks.payload(configJson, c.key(), null)), 1)
                        .map(CellTasks::runCell).collectAsync());
            }
            while (!pending.isEmpty()) {
                Cell done = null;
                for (Cell c : pending) {
                    if (jobs.get(c).isDone()) {
                        done = c;
                        break;
                    }
                }
                if (done == null) {
                    Thread.sleep(50);
                    continue;
                }
                List<Cell> remaining = new ArrayList<>(pending);
                remaining.remove(done);
                remaining.add(0, done);
                pending.remove(done);
                sink.started(done, remaining); // cells run in parallel: a cell is "started" for the progress bar when its result is in
                String json;
                try {
                    json = jobs.get(done).get().get(0);
                } catch (ExecutionException e) {
                    sink.failed(done, e.getCause() instanceof Exception ex ? ex : e);
                    continue;
                }
                CellTasks.Outcome outcome = CellTasks.decode(json);
                if (!sink.finished(done, outcome.result(), outcome.durationMs())) {
                    return; // interrupted
                }
            }
        } finally {
            for (JavaFutureAction<List<String>> j : jobs.values()) {
                if (!j.isDone()) {
                    j.cancel(true);
                }
            }
        }
    }

    /** Registers the engine as {@code --engine spark}. */
    public static final class Provider implements ExperimentEngine.Provider {
        @Override
        public String name() {
            return "spark";
        }

        @Override
        public ExperimentEngine create(String master) {
            return new SparkEngine(master);
        }
    }
}
