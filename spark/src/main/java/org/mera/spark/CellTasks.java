package org.mera.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.mera.experiment.ArtifactCache;
import org.mera.experiment.Cell;
import org.mera.experiment.CellPredictions;
import org.mera.experiment.CellResult;
import org.mera.experiment.CellRunner;
import org.mera.experiment.CellRunnerFactory;
import org.mera.experiment.ConfigValidator;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.Grid;
import org.mera.experiment.cell.MeraCellRunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a Spark task does on an executor. Tasks travel as JSON strings (the resolved config and a cell key), never as
 * objects holding engine state: the executor expands the grid itself, finds the cell by its key (a hash of everything
 * that determines the result) and runs it with a {@link CellRunner} it keeps for the life of its JVM, so the encoder
 * is loaded once per executor and reused by every cell it runs. The result goes back to the driver as JSON, with the
 * predictions file's bytes; the executor writes nothing to the output folder, so a failed or retried task leaves
 * no trace there.
 */
final class CellTasks {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    private CellTasks() {
    }

    /** A grid as one executor JVM knows it: the runner and the cells by key. */
    record Loaded(ExperimentConfig config, CellRunner runner, Map<String, Cell> cells) {
    }

    /** Per executor JVM, by the hash of the config's JSON: one runner (and through it one encoder) per grid. */
    private static final Map<String, Loaded> LOADED = new ConcurrentHashMap<>();

    /** The payload of a task: the config (as {@link ExperimentConfig#toMap()} JSON), the cell key and, for a preparation, its id. */
    static String payload(String configJson, String cellKey, String preparationId) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", configJson);
        m.put("key", cellKey);
        if (preparationId != null) {
            m.put("prepare", preparationId);
        }
        return JSON.writeValueAsString(m);
    }

    /**
     * One computation at a time per executor JVM. Training seeds the engine's random generator, which PyTorch keeps per
     * process (dropout draws from it), so two cells training at once in one JVM would interleave their draws and lose
     * the same-seed-same-result contract. Parallelism comes from executors (JVMs), each of which uses its cores
     * through PyTorch's own threads; extra task slots of an executor only queue here.
     */
    private static final Object ENGINE = new Object();

    /** Spark task: trains one shared product (a source adapter) into the artifact cache; returns its id. */
    static String prepare(String payload) throws Exception {
        synchronized (ENGINE) {
            return prepareAlone(payload);
        }
    }

    private static String prepareAlone(String payload) throws Exception {
        Map<?, ?> p = JSON.readValue(payload, Map.class);
        Loaded grid = load((String) p.get("config"));
        asOnTheEngineThread();
        Cell cell = cell(grid, (String) p.get("key"));
        String id = (String) p.get("prepare");
        CellRunner.Preparation preparation = grid.runner().preparations(List.of(cell)).stream().filter(x -> x.id().equals(id))
                .findFirst().orElseThrow(() -> new IllegalStateException("cell " + cell.describe() + " needs no preparation " + id));
        grid.runner().prepare(preparation);
        return id;
    }

    /** Spark task: computes one cell; returns its result as JSON (metrics, extra, predictions, duration). */
    static String runCell(String payload) throws Exception {
        synchronized (ENGINE) {
            return runCellAlone(payload);
        }
    }

    private static String runCellAlone(String payload) throws Exception {
        Map<?, ?> p = JSON.readValue(payload, Map.class);
        Loaded grid = load((String) p.get("config"));
        asOnTheEngineThread();
        Cell cell = cell(grid, (String) p.get("key"));
        long t0 = System.nanoTime();
        CellResult r = grid.runner().run(cell, (fraction, note) -> { });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (r == null) {
            throw new IllegalStateException(grid.runner().name() + " returned no result for " + cell.describe());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("metrics", r.metrics());
        out.put("extra", r.extra());
        out.put("durationMs", ms);
        out.put("predictions", r.predictions() == null ? null : Base64.getEncoder().encodeToString(bytes(r.predictions())));
        return JSON.writeValueAsString(out);
    }

    /** A cell result as computed on an executor, and how long it took there. */
    record Outcome(CellResult result, long durationMs) {
    }

    /** The driver's side of {@link #runCell}. */
    @SuppressWarnings("unchecked")
    static Outcome decode(String json) throws IOException {
        Map<String, Object> m = JSON.readValue(json, Map.class);
        Map<String, Double> metrics = new LinkedHashMap<>();
        ((Map<String, Object>) m.get("metrics")).forEach((k, v) -> metrics.put(k, v == null ? null : ((Number) v).doubleValue()));
        String predictions = (String) m.get("predictions");
        CellPredictions cp = predictions == null ? null : fromBytes(Base64.getDecoder().decode(predictions));
        return new Outcome(new CellResult(metrics, (Map<String, Object>) m.get("extra"), cp), ((Number) m.get("durationMs")).longValue());
    }

    /**
     * PyTorch's grad mode is per thread: DJL turns it off on the thread that starts the engine and mera's training
     * turns it on only inside its gradient collectors; a Spark task thread starts with PyTorch's default (on), where
     * initialising a parameter in place fails ("a leaf Variable that requires grad is being used in an in-place
     * operation"). Tasks run on pooled threads, so every task sets it.
     */
    private static void asOnTheEngineThread() {
        ai.djl.engine.Engine.getInstance(); // starts the engine first, which sets the mode on its own thread only
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }

    private static Cell cell(Loaded grid, String key) {
        Cell cell = grid.cells().get(key);
        if (cell == null) {
            throw new IllegalStateException("this executor's grid for '" + grid.config().name() + "' has no cell " + key + " ("
                    + grid.cells().size() + " cells): the driver and the executors run different mera versions or see "
                    + "different files (data, tasks and the model cache must be the same on every worker)");
        }
        return cell;
    }

    private static Loaded load(String configJson) throws IOException {
        String id = sha256(configJson);
        Loaded known = LOADED.get(id);
        if (known != null) {
            return known;
        }
        synchronized (LOADED) {
            known = LOADED.get(id);
            if (known != null) {
                return known;
            }
            // The config as the driver resolved it (absolute paths), read back through the same loader as a YAML file.
            Path dir = Files.createTempDirectory("mera-spark-config");
            Path file = dir.resolve("config.json");
            ExperimentConfig config;
            try {
                Files.writeString(file, configJson);
                config = ExperimentConfig.load(file);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
            if (CellRunnerFactory.REGISTERED.get() == null) {
                MeraCellRunner.register(); // as the CLI does; in local mode the driver's registration is already here
            }
            CellRunner runner;
            try {
                runner = CellRunnerFactory.find().create(config, new ArtifactCache(config.effectiveCacheDir()));
            } catch (Exception e) {
                throw new IOException("cannot make the cell runner for '" + config.name() + "' on this executor: " + e, e);
            }
            Map<String, Cell> cells = new LinkedHashMap<>();
            for (Cell c : Grid.expand(config, runner.version(), ConfigValidator.specsFor(runner)).cells()) {
                cells.put(c.key(), c);
            }
            Loaded loaded = new Loaded(config, runner, Map.copyOf(cells));
            LOADED.put(id, loaded);
            return loaded;
        }
    }

    private static byte[] bytes(CellPredictions p) throws IOException {
        Path dir = Files.createTempDirectory("mera-spark-predictions");
        Path f = dir.resolve("p.bin.gz");
        try {
            p.write(f);
            return Files.readAllBytes(f);
        } finally {
            Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        }
    }

    private static CellPredictions fromBytes(byte[] b) throws IOException {
        Path dir = Files.createTempDirectory("mera-spark-predictions");
        Path f = dir.resolve("p.bin.gz");
        try {
            Files.write(f, b);
            return CellPredictions.read(f);
        } finally {
            Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
