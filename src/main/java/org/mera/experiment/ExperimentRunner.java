package org.mera.experiment;

import org.mera.io.AtomicFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs the cells of a config that are not in its results file yet, in grid order, persisting each as
 * soon as it finishes. Killing the process at any moment and running again resumes: finished cells are
 * kept, the interrupted one runs again, none is recorded twice.
 *
 * <p>Output folder: {@code results.jsonl} (the results), {@code config.json} (the resolved config),
 * {@code grid.json} (the current grid's cells and keys; reports show only these), {@code runs/<id>.json}
 * (one per invocation: runner, environment, times), {@code .lock} (one writer at a time).
 */
public final class ExperimentRunner {
    public static final String RESULTS_FILE = "results.jsonl";
    public static final String GRID_FILE = "grid.json";
    public static final String CONFIG_FILE = "config.json";
    public static final String RUNS_DIR = "runs";

    /** What one invocation did. */
    public record Summary(int cellsTotal, int cellsDoneBefore, int cellsRun, List<String> failures, Path resultsFile,
                          Duration wallTime) {
        public boolean complete() {
            return failures.isEmpty() && cellsDoneBefore + cellsRun == cellsTotal;
        }
    }

    /** A cell threw; nothing was recorded for it, so it runs again next time. */
    public static final class CellFailedException extends RuntimeException {
        CellFailedException(Cell cell, Throwable cause) {
            super("cell " + cell.describe() + " (key " + cell.key() + ") failed: " + cause, cause);
        }
    }

    /** Run ids are unique across processes by pid, within one by this count. */
    private static final java.util.concurrent.atomic.AtomicInteger runsInProcess = new java.util.concurrent.atomic.AtomicInteger();

    private final ExperimentConfig config;
    private final CellRunner runner;
    private final List<Validator> validators = new ArrayList<>();
    private PrintStream progressOut = System.err;
    private boolean interactive = System.console() != null;
    private boolean keepGoing;

    public ExperimentRunner(ExperimentConfig config, CellRunner runner) {
        this.config = Objects.requireNonNull(config, "config");
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /** An extra check run with the built-in ones before anything starts. */
    public ExperimentRunner addValidator(Validator v) {
        validators.add(v);
        return this;
    }

    public ExperimentRunner progressTo(PrintStream out, boolean redrawInPlace) {
        this.progressOut = out;
        this.interactive = redrawInPlace;
        return this;
    }

    /** Continue with the other cells when one fails (failures are listed in the summary) instead of stopping. */
    public ExperimentRunner keepGoing(boolean keepGoing) {
        this.keepGoing = keepGoing;
        return this;
    }

    /** All problems from the built-in checks, the runner's and added validators'. */
    public List<String> validate() {
        List<String> problems = new ArrayList<>(new ConfigValidator(ConfigValidator.specsFor(runner)).validate(config));
        problems.addAll(runner.validate(config));
        for (Validator v : validators) {
            problems.addAll(v.validate(config));
        }
        return problems;
    }

    /** Validates and expands the grid without running anything. */
    public Grid plan() {
        List<String> problems = validate();
        if (!problems.isEmpty()) {
            throw new ValidationException(config.name(), problems);
        }
        return Grid.expand(config, runner.version(), ConfigValidator.specsFor(runner));
    }

    /**
     * Keys of the cells already finished in the output folder, read without taking its lock (so a dry run can
     * look at a grid another process is running); an absent folder has none.
     */
    public java.util.Set<String> finishedKeys() throws IOException {
        return ResultStore.read(config.outputDir().resolve(RESULTS_FILE)).byKey().keySet();
    }

    /** What {@link #importFrom} did. */
    public record ImportSummary(Path from, int imported, int alreadyHere, int notInGrid) {
    }

    /**
     * Copies finished cells of this grid from another experiment folder's results file (a part of the grid run
     * by another process or machine) into this one's, with the run records they came from. Cells are matched by
     * key, which hashes everything that determines a result, so an imported cell is exactly one this grid would
     * have run; cells already here are kept, cells of other grids are left out. The other folder is only read.
     */
    public ImportSummary importFrom(Path otherDir) throws IOException {
        Grid grid = plan();
        Path otherResults = otherDir.resolve(RESULTS_FILE);
        if (!Files.isRegularFile(otherResults)) {
            throw new java.nio.file.NoSuchFileException(otherResults.toString(), null, "no results file to import");
        }
        Path out = config.outputDir();
        if (Files.isDirectory(out) && Files.isSameFile(out, otherDir)) {
            throw new IllegalArgumentException("cannot import " + otherDir + " into itself");
        }
        Map<String, ResultRecord> theirs = ResultStore.read(otherResults).byKey();
        Files.createDirectories(out.resolve(RUNS_DIR));
        int imported = 0;
        int here = 0;
        java.util.Set<String> gridKeys = new java.util.HashSet<>();
        java.util.Set<String> runIds = new java.util.TreeSet<>();
        try (HeldFolder held = HeldFolder.open(out)) {
            ResultStore store = held.store();
            for (Cell c : grid.cells()) {
                gridKeys.add(c.key());
                ResultRecord r = theirs.get(c.key());
                if (r == null) {
                    continue;
                }
                if (store.contains(c.key())) {
                    here++;
                    continue;
                }
                // Run records first: a results line never points at a run this folder lacks.
                if (r.runId() != null && runIds.add(r.runId())) {
                    Path run = otherDir.resolve(RUNS_DIR).resolve(r.runId() + ".json");
                    Path mine = out.resolve(RUNS_DIR).resolve(r.runId() + ".json");
                    if (Files.isRegularFile(run) && !Files.exists(mine)) {
                        AtomicFiles.write(mine, o -> Files.copy(run, o));
                    }
                }
                Path predictions = CellPredictions.file(otherDir, c.key());
                if (Files.isRegularFile(predictions)) {
                    Path mine = CellPredictions.file(out, c.key());
                    AtomicFiles.write(mine, o -> Files.copy(predictions, o));
                }
                store.append(r);
                imported++;
            }
        }
        int notInGrid = (int) theirs.keySet().stream().filter(k -> !gridKeys.contains(k)).count();
        return new ImportSummary(otherDir, imported, here, notInGrid);
    }

    public Summary run() throws IOException {
        Grid grid = plan();
        Path out = config.outputDir();
        Files.createDirectories(out.resolve(RUNS_DIR));
        long start = System.nanoTime();
        try (HeldFolder held = HeldFolder.open(out)) {
            ResultStore store = held.store();
            List<Cell> todo = new ArrayList<>();
            int doneBefore = 0;
            GridProgress bar;
            for (Cell c : grid.cells()) {
                if (store.contains(c.key())) {
                    doneBefore++;
                } else {
                    todo.add(c);
                }
            }
            bar = new GridProgress(progressOut, interactive, grid.size(), doneBefore);
            for (Cell c : grid.cells()) {
                ResultRecord r = store.records().get(c.key());
                if (r != null) {
                    bar.measured(c, r.durationMs());
                }
            }
            if (store.repairedTornTail()) {
                progressOut.println("mera: cut an incomplete last line from " + store.file() + " (that cell runs again)");
            }
            progressOut.println("mera: experiment '" + config.name() + "': " + grid.size() + " cells, " + doneBefore
                    + " already done, " + todo.size() + " to run; results in " + store.file());
            writeJson(out.resolve(CONFIG_FILE), config.toMap());
            writeJson(out.resolve(GRID_FILE), gridJson(grid));
            int nth = runsInProcess.incrementAndGet();
            String runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())
                    + "-" + ProcessHandle.current().pid() + (nth > 1 ? "-" + nth : "");
            Path runFile = out.resolve(RUNS_DIR).resolve(runId + ".json");
            Map<String, Object> env = EnvironmentInfo.capture();
            env.putAll(runner.environment());
            env.putIfAbsent("engine", "none (" + runner.name() + " uses no deep-learning engine)");
            String startedAt = Instant.now().toString();
            writeJson(runFile, runInfo(runId, startedAt, null, "running", grid.size(), doneBefore, 0, 0, env));

            int ran = 0;
            List<String> failures = new ArrayList<>();
            try {
                for (int i = 0; i < todo.size(); i++) {
                    Cell cell = todo.get(i);
                    bar.start(cell, todo.subList(i, todo.size()));
                    long t0 = System.nanoTime();
                    CellResult result;
                    try {
                        result = runner.run(cell, bar::cellProgress);
                        if (result == null) {
                            throw new IllegalStateException(runner.name() + " returned no result");
                        }
                        if (!result.metrics().containsKey(cell.primaryMetric())) {
                            throw new IllegalStateException(runner.name() + " returned metrics " + result.metrics().keySet()
                                    + " without the primary metric '" + cell.primaryMetric() + "' of " + cell.task());
                        }
                    } catch (Exception e) {
                        bar.failed(cell, e);
                        if (!keepGoing) {
                            throw new CellFailedException(cell, e);
                        }
                        failures.add(cell.describe() + ": " + e);
                        continue;
                    }
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    if (result.predictions() != null) {
                        // Before the result line, which commits the cell: a line never exists without its predictions.
                        result.predictions().write(CellPredictions.file(out, cell.key()));
                    }
                    store.append(ResultRecord.of(cell, result, ms, Instant.now().toString(), runId));
                    ran++;
                    bar.finish(cell, ms);
                }
            } catch (IOException | RuntimeException e) {
                bar.close();
                writeJson(runFile, runInfo(runId, startedAt, Instant.now().toString(), "failed: " + e.getMessage(), grid.size(),
                        doneBefore, ran, failures.size() + 1, env));
                throw e;
            }
            bar.close();
            writeJson(runFile, runInfo(runId, startedAt, Instant.now().toString(),
                    failures.isEmpty() ? "complete" : "finished with failures", grid.size(), doneBefore, ran, failures.size(), env));
            return new Summary(grid.size(), doneBefore, ran, List.copyOf(failures), store.file(),
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** An output folder held for writing: its lock (one writer per folder) and its results store, closed together. */
    private record HeldFolder(FileChannel channel, FileLock lock, ResultStore store) implements AutoCloseable {
        static HeldFolder open(Path out) throws IOException {
            FileChannel channel = FileChannel.open(out.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    throw new IOException("another mera experiment is already writing to " + out + " (it holds " + out.resolve(".lock") + ")");
                }
                try {
                    return new HeldFolder(channel, lock, ResultStore.open(out.resolve(RESULTS_FILE)));
                } catch (IOException | RuntimeException e) {
                    lock.close();
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try (channel; lock; store) {
                // closed in reverse order: the store, then the lock, then its channel
            }
        }
    }

    private RunInfo runInfo(String runId, String startedAt, String endedAt, String status, int total, int before, int ran,
                            int failed, Map<String, Object> env) {
        return new RunInfo(runId, config.name(), startedAt, endedAt, status, runner.name(), runner.version(),
                runner.synthetic(), total, before, ran, failed, env);
    }

    static Map<String, Object> gridJson(Grid grid) {
        List<Map<String, Object>> cells = new ArrayList<>();
        for (Cell c : grid.cells()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", c.key());
            m.put("encoder", c.encoder());
            m.put("task", c.task());
            m.put("k", c.k());
            m.put("seed", c.seed());
            m.put("method", c.method().id());
            m.put("source", c.source());
            m.put("sources", c.sources());
            m.put("primaryMetric", c.primaryMetric());
            m.put("hyperparameters", c.hyperparameters().asMap());
            cells.add(m);
        }
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("formatVersion", Grid.FORMAT_VERSION);
        g.put("cells", cells);
        return g;
    }

    private static void writeJson(Path file, Object value) throws IOException {
        AtomicFiles.write(file, o -> Json.PRETTY.writeValue(new NonClosing(o), value));
    }

    /** Jackson closes the stream it writes to; AtomicFiles must close it itself. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
