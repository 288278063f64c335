package org.mera.experiment;

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
import org.mera.io.AtomicFiles;
import org.mera.io.Json;

/**
 * Runs the cells of a config that are not in its results file yet, in grid order, persisting each as
 * soon as it finishes. Killing the process at any moment and running again resumes: finished cells are
 * kept, the interrupted one runs again, none is recorded twice. SIGINT/SIGTERM close the run record as
 * "interrupted" and print how to resume; a record a SIGKILLed process left "running" is closed as "killed" by the
 * next run (which holds the folder's lock, so no live process can own it).
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
    public record Summary(
            int cellsTotal,
            int cellsDoneBefore,
            int cellsRun,
            int cellsImported,
            List<String> failures,
            Path resultsFile,
            Duration wallTime) {
        public boolean complete() {
            return failures.isEmpty() && cellsDoneBefore + cellsRun + cellsImported == cellsTotal;
        }
    }

    /** A cell threw; nothing was recorded for it, so it runs again next time. */
    public static final class CellFailedException extends RuntimeException {
        CellFailedException(Cell cell, Throwable cause) {
            super("cell " + cell.describe() + " (key " + cell.key() + ") failed: " + cause, cause);
        }
    }

    /** Run ids are unique across processes by pid, within one by this count. */
    private static final java.util.concurrent.atomic.AtomicInteger runsInProcess =
            new java.util.concurrent.atomic.AtomicInteger();

    private final ExperimentConfig config;
    private final CellRunner runner;
    private final List<Validator> validators = new ArrayList<>();
    private PrintStream progressOut = System.err;

    @SuppressWarnings("SystemConsoleNull") // Java 17: console() is null exactly when not attached to a terminal
    private boolean interactive = System.console() != null;

    private boolean keepGoing;
    private List<Path> importWhileRunning = List.of();
    private ExperimentEngine engine = ExperimentEngine.LOCAL;
    private Grid.Order order = Grid.Order.SEED;

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

    /**
     * Folders to keep importing from while this run goes on: before each cell, a cell one of them has finished in the
     * meantime is copied here instead of run. Two processes that import each other's folders share one grid.
     */
    public ExperimentRunner importWhileRunning(List<Path> folders) {
        this.importWhileRunning = List.copyOf(folders);
        return this;
    }

    /** Continue with the other cells when one fails (failures are listed in the summary) instead of stopping. */
    public ExperimentRunner keepGoing(boolean keepGoing) {
        this.keepGoing = keepGoing;
        return this;
    }

    /** The order cells run in (default {@link Grid.Order#SEED}); results do not depend on it. */
    public ExperimentRunner order(Grid.Order order) {
        this.order = Objects.requireNonNull(order, "order");
        return this;
    }

    /** Where the cells are computed (default: {@link ExperimentEngine#LOCAL}, in this process, in grid order). */
    public ExperimentRunner engine(ExperimentEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
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
        return Grid.expand(config, runner.version(), ConfigValidator.specsFor(runner))
                .ordered(order);
    }

    /**
     * Keys of the cells already finished in the output folder, read without taking its lock (so a dry run can
     * look at a grid another process is running); an absent folder has none.
     */
    public java.util.Set<String> finishedKeys() throws IOException {
        return ResultStore.read(config.outputDir().resolve(RESULTS_FILE))
                .byKey()
                .keySet();
    }

    /**
     * The cells of {@code grid} (this runner's {@link #plan}) still to run: in grid order, those neither finished in
     * the output folder nor in {@code finishedElsewhere} (cells another folder has finished, to be imported).
     */
    public List<Cell> cellsToRun(Grid grid, java.util.Set<String> finishedElsewhere) throws IOException {
        java.util.Set<String> finished = new java.util.HashSet<>(finishedKeys());
        finished.addAll(finishedElsewhere);
        return grid.cells().stream().filter(c -> !finished.contains(c.key())).toList();
    }

    /** What {@link #prepareOnly} did: the products the unfinished cells need, and how many were made or read. */
    public record PreparationSummary(int cellsToRun, int needed, int done) {}

    /**
     * Makes the shared products (source adapters) that the grid's unfinished cells need, in grid order, and runs no
     * cell: ahead of the cells, on another machine or thread count than theirs, or in two processes given the grid in
     * opposite orders, which then train different adapters at once (one that another process is making is waited
     * for, then read). {@code finishedElsewhere}: cells another folder has finished, whose products are not needed.
     */
    public PreparationSummary prepareOnly(java.util.Set<String> finishedElsewhere) throws Exception {
        Grid grid = plan();
        List<Cell> todo = cellsToRun(grid, finishedElsewhere);
        List<CellRunner.Preparation> needed = runner.preparations(todo);
        progressOut.println("mera: experiment '" + config.name() + "': " + todo.size() + " of " + grid.size()
                + " cells to run need " + needed.size()
                + " source adapter(s) (trained now unless cached); no cell runs");
        int done = 0;
        for (CellRunner.Preparation p : needed) {
            long start = System.nanoTime();
            try {
                runner.prepare(p);
            } catch (Exception e) {
                throw new IllegalStateException(
                        "source adapter " + p.source() + " on " + p.cell().encoder() + " (needed by "
                                + p.cell().describe() + "): " + e.getMessage(),
                        e);
            }
            done++;
            progressOut.printf(
                    java.util.Locale.ROOT,
                    "mera: source adapter %d/%d ready: %s on %s (%.0f s)%n",
                    done,
                    needed.size(),
                    p.source(),
                    p.cell().encoder(),
                    (System.nanoTime() - start) / 1e9);
        }
        return new PreparationSummary(todo.size(), needed.size(), done);
    }

    /** A model {@link #saveBest} wrote: the choice, its folder, and the run that made it (its metrics). */
    public record SavedModel(BestOnDev.Choice choice, Path dir, CellResult rerun) {}

    /** What {@link #saveBest} did: the models written, and the targets without one (and why). */
    public record SaveSummary(List<SavedModel> saved, List<BestOnDev.NoChoice> none) {}

    /**
     * For each encoder, target and k of the finished grid, the model {@link BestOnDev} picks on the k-shot dev split,
     * trained again at the learning rate its cell chose and written to {@code dir/<target>} (with {@code -<encoder>-k<k>}
     * when the grid has several), beside a {@code choice.json} saying how it was chosen. Every folder must be new: all
     * are checked before the first trains.
     */
    public SaveSummary saveBest(Path dir) throws Exception {
        Grid grid = plan();
        Map<String, ResultRecord> finished =
                ResultStore.read(config.outputDir().resolve(RESULTS_FILE)).byKey();
        BestOnDev.Result result = BestOnDev.choose(grid, finished, runner::canSave);
        boolean qualify = config.encoders().size() > 1 || config.k().size() > 1;
        List<Path> targets = new ArrayList<>();
        for (BestOnDev.Choice c : result.choices()) {
            Path target =
                    dir.resolve(c.task() + (qualify ? "-" + Path.of(c.encoder()).getFileName() + "-k" + c.k() : ""));
            if (Files.exists(target)) {
                throw new java.nio.file.FileAlreadyExistsException(
                        target.toString(), null, "--save-best writes each model to a new folder; move it away first");
            }
            targets.add(target);
        }
        List<SavedModel> saved = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            BestOnDev.Choice c = result.choices().get(i);
            progressOut.println("mera: training " + c.cell().describe() + " again at lr " + c.lr() + " to save it to "
                    + targets.get(i));
            CellResult rerun = runner.save(c.cell(), c.lr(), targets.get(i), ProgressListener.NONE);
            Map<String, Object> why = new LinkedHashMap<>();
            why.put("experiment", config.name());
            why.put("encoder", c.encoder());
            why.put("task", c.task());
            why.put("k", c.k());
            why.put("method", c.standing().method());
            why.put("sources", c.cell().sourcesUsed());
            why.put("seed", c.cell().seed());
            why.put("lr", c.lr());
            why.put("primaryMetric", c.cell().primaryMetric());
            why.put(
                    "chosenBy",
                    "the best mean k-shot dev score over the grid's seeds, then that method's seed with the best dev"
                            + " score; test scores are reported, never used to choose");
            why.put("dev", rerun.metrics().get("dev_" + c.cell().primaryMetric()));
            why.put("test", rerun.metrics().get(c.cell().primaryMetric()));
            why.put("recordedDev", c.dev());
            why.put("recordedTest", c.record().primary());
            List<Map<String, Object>> ranking = new ArrayList<>();
            for (BestOnDev.Standing st : c.ranking()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("method", st.method());
                row.put("meanDev", st.meanDev());
                row.put("meanTest", st.meanTest());
                row.put("seeds", st.seeds());
                ranking.add(row);
            }
            why.put("ranking", ranking);
            why.put("passedOver", c.passedOver());
            AtomicFiles.writeString(targets.get(i).resolve("choice.json"), Json.PRETTY.writeValueAsString(why) + "\n");
            saved.add(new SavedModel(c, targets.get(i), rerun));
        }
        return new SaveSummary(saved, result.none());
    }

    /** What {@link #importFrom} did. */
    public record ImportSummary(Path from, int imported, int alreadyHere, int notInGrid) {}

    /**
     * What {@link #importFrom} would copy, found without writing anything (for a dry run).
     *
     * @param keys cells of this grid finished there and not here
     */
    public record ImportPreview(Path from, java.util.Set<String> keys, int alreadyHere, int notInGrid) {}

    /** The cells {@link #importFrom} would copy from {@code otherDir}, read without writing or locking either folder. */
    public ImportPreview previewImport(Path otherDir) throws IOException {
        return classify(
                otherDir, plan(), readIfPresent(importedResults(otherDir)).keySet(), finishedKeys()::contains);
    }

    /** Sorts {@code theirs} into cells to import (grid order), cells already here, and cells of other grids. */
    private static ImportPreview classify(
            Path otherDir, Grid grid, java.util.Set<String> theirs, java.util.function.Predicate<String> here) {
        java.util.Set<String> gridKeys = new java.util.HashSet<>();
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        int already = 0;
        for (Cell c : grid.cells()) {
            gridKeys.add(c.key());
            if (theirs.contains(c.key())) {
                if (here.test(c.key())) {
                    already++;
                } else {
                    keys.add(c.key());
                }
            }
        }
        int notInGrid = (int) theirs.stream().filter(k -> !gridKeys.contains(k)).count();
        return new ImportPreview(otherDir, keys, already, notInGrid);
    }

    /**
     * Copies finished cells of this grid from another experiment folder's results file (a part of the grid run
     * by another process or machine) into this one's, with the run records they came from. Cells are matched by
     * key, which hashes everything that determines a result, so an imported cell is exactly one this grid would
     * have run; cells already here are kept, cells of other grids are left out. The other folder is only read.
     */
    public ImportSummary importFrom(Path otherDir) throws IOException {
        Grid grid = plan();
        Path otherResults = importedResults(otherDir);
        Path out = config.outputDir();
        if (Files.isDirectory(out) && Files.isSameFile(out, otherDir)) {
            throw new IllegalArgumentException("cannot import " + otherDir + " into itself");
        }
        Map<String, ResultRecord> theirs = readIfPresent(otherResults);
        Files.createDirectories(out.resolve(RUNS_DIR));
        java.util.Set<String> runIds = new java.util.TreeSet<>();
        try (HeldFolder held = HeldFolder.open(out)) {
            ResultStore store = held.store();
            ImportPreview found = classify(otherDir, grid, theirs.keySet(), store::contains);
            for (String key : found.keys()) {
                copyCell(otherDir, theirs.get(key), store, runIds);
            }
            return new ImportSummary(otherDir, found.keys().size(), found.alreadyHere(), found.notInGrid());
        }
    }

    /**
     * The results file of a folder to import from: the folder must exist (a mistyped path is an error); its results
     * file may not yet (a part of the grid that has not finished a cell).
     */
    private static Path importedResults(Path otherDir) throws IOException {
        if (!Files.isDirectory(otherDir)) {
            throw new java.nio.file.NoSuchFileException(
                    otherDir.toString(), null, "no experiment folder to import from");
        }
        return otherDir.resolve(RESULTS_FILE);
    }

    private static Map<String, ResultRecord> readIfPresent(Path results) throws IOException {
        return Files.isRegularFile(results) ? ResultStore.read(results).byKey() : Map.of();
    }

    /** Copies one finished cell of {@code otherDir} into {@code store}'s folder: its run record, predictions, line. */
    private void copyCell(Path otherDir, ResultRecord r, ResultStore store, java.util.Set<String> runIds)
            throws IOException {
        Path out = config.outputDir();
        // Run records first: a results line never points at a run this folder lacks.
        if (r.runId() != null && runIds.add(r.runId())) {
            Path run = otherDir.resolve(RUNS_DIR).resolve(r.runId() + ".json");
            Path mine = out.resolve(RUNS_DIR).resolve(r.runId() + ".json");
            if (Files.isRegularFile(run) && !Files.exists(mine)) {
                RunInfo info = RUN_RECORDS.readValue(run.toFile(), RunInfo.class);
                if (RUNNING.equals(info.status())) {
                    // Still running over there: not a record a later run here may close as killed.
                    writeJson(
                            mine,
                            new RunInfo(
                                    info.runId(),
                                    info.configName(),
                                    info.startedAt(),
                                    info.endedAt(),
                                    "running in " + otherDir + " when imported",
                                    info.runnerName(),
                                    info.runnerVersion(),
                                    info.synthetic(),
                                    info.cellsTotal(),
                                    info.cellsDoneBefore(),
                                    info.cellsRun(),
                                    info.cellsFailed(),
                                    info.environment()));
                } else {
                    AtomicFiles.write(mine, o -> Files.copy(run, o));
                }
            }
        }
        Path predictions = CellPredictions.file(otherDir, r.key());
        if (Files.isRegularFile(predictions)) {
            Path mine = CellPredictions.file(out, r.key());
            AtomicFiles.write(mine, o -> Files.copy(predictions, o));
        }
        store.append(r);
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
                progressOut.println(
                        "mera: cut an incomplete last line from " + store.file() + " (that cell runs again)");
            }
            progressOut.println("mera: experiment '" + config.name() + "': " + grid.size() + " cells, " + doneBefore
                    + " already done, " + todo.size() + " to run; results in " + store.file());
            writeJson(out.resolve(CONFIG_FILE), config.toMap());
            writeJson(out.resolve(GRID_FILE), gridJson(grid));
            closeAbandonedRuns(out, store);
            int nth = runsInProcess.incrementAndGet();
            String runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                            .withZone(ZoneOffset.UTC)
                            .format(Instant.now())
                    + "-" + ProcessHandle.current().pid() + (nth > 1 ? "-" + nth : "");
            Map<String, Object> env = new LinkedHashMap<>(EnvironmentInfo.capture());
            env.put("pid", ProcessHandle.current().pid());
            env.put("host", hostName());
            env.putAll(runner.environment());
            env.putIfAbsent("engine", "none (" + runner.name() + " uses no deep-learning engine)");
            env.put("executionEngine", engine.name());
            env.putAll(engine.environment());
            OpenRun run = new OpenRun(
                    runId,
                    out.resolve(RUNS_DIR).resolve(runId + ".json"),
                    Instant.now().toString(),
                    grid.size(),
                    doneBefore,
                    env);
            run.write(null, RUNNING);
            Thread onSignal = new Thread(() -> interrupted(run, store.file()), "mera-experiment-interrupted");
            Runtime.getRuntime().addShutdownHook(onSignal);
            List<String> failures = new ArrayList<>();
            java.util.Set<String> importedRunIds = new java.util.HashSet<>();
            int[] importedMeanwhile = {0};
            ExperimentEngine.Sink sink = new ExperimentEngine.Sink() {
                @Override
                public boolean stillToRun(Cell cell) throws IOException {
                    for (Path other : importWhileRunning) {
                        ResultRecord r =
                                readIfPresent(other.resolve(RESULTS_FILE)).get(cell.key());
                        if (r != null && !store.contains(cell.key())) {
                            copyCell(other, r, store, importedRunIds);
                            importedMeanwhile[0]++;
                            bar.imported(cell, r.durationMs(), other);
                            return false;
                        }
                    }
                    return true;
                }

                @Override
                public void started(Cell cell, List<Cell> remaining) {
                    run.current = cell;
                    bar.start(cell, remaining);
                }

                @Override
                public void progress(double fraction, String note) {
                    bar.cellProgress(fraction, note);
                }

                @Override
                public boolean finished(Cell cell, CellResult result, long ms) throws IOException {
                    try {
                        if (result == null) {
                            throw new IllegalStateException(runner.name() + " returned no result");
                        }
                        if (!result.metrics().containsKey(cell.primaryMetric())) {
                            throw new IllegalStateException(runner.name() + " returned metrics "
                                    + result.metrics().keySet() + " without the primary metric '" + cell.primaryMetric()
                                    + "' of " + cell.task());
                        }
                        result.metrics().forEach((metric, value) -> {
                            // results.jsonl refuses such a line when read back: fail the cell instead of recording it
                            if (value == null || !Double.isFinite(value)) {
                                throw new IllegalStateException(
                                        runner.name() + " returned metric " + metric + " = " + value);
                            }
                        });
                    } catch (IllegalStateException e) {
                        failed(cell, e);
                        return true;
                    }
                    if (result.predictions() != null) {
                        // Before the result line, which commits the cell: a line never exists without its predictions.
                        result.predictions().write(CellPredictions.file(out, cell.key()));
                    }
                    if (!run.record(
                            store,
                            ResultRecord.of(cell, result, ms, Instant.now().toString(), runId))) {
                        return false; // interrupted: the shutdown hook closed the run; the JVM is ending
                    }
                    bar.finish(cell, ms);
                    return true;
                }

                @Override
                public void failed(Cell cell, Exception e) {
                    bar.failed(cell, e);
                    if (!keepGoing) {
                        throw new CellFailedException(cell, e);
                    }
                    failures.add(cell.describe() + ": " + e);
                    run.failed++;
                }
            };
            try {
                engine.run(config, runner, todo, sink);
            } catch (Exception e) {
                bar.close();
                run.close("failed: " + e.getMessage(), 1);
                if (e instanceof IOException io) {
                    throw io;
                }
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                throw new IOException("engine " + engine.name() + " failed: " + e, e);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(onSignal);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is ending on a signal: the hook is running or has run and closed the record
                }
            }
            bar.close();
            run.close(failures.isEmpty() ? "complete" : "finished with failures", 0);
            return new Summary(
                    grid.size(),
                    doneBefore,
                    run.ran,
                    importedMeanwhile[0],
                    List.copyOf(failures),
                    store.file(),
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Status of a run record while its process runs. */
    static final String RUNNING = "running";
    /** Status of a run ended by SIGINT/SIGTERM: its finished cells are kept, the cell in progress was abandoned. */
    static final String INTERRUPTED = "interrupted";
    /** Status given, by the next run, to a record its process never closed (killed with SIGKILL, power lost...). */
    static final String KILLED = "killed";

    /** How to run this experiment again, printed when it is interrupted (the CLI sets the command it was given). */
    private String resumeCommand = "run the same command again";

    public ExperimentRunner resumeCommand(String command) {
        this.resumeCommand = "run " + command;
        return this;
    }

    /**
     * The shutdown hook's work on SIGINT/SIGTERM: waits for a results line being written to end (a cell is recorded
     * whole or not at all), closes the run record as interrupted so no further cell is recorded, and says how to resume.
     */
    private void interrupted(OpenRun run, Path results) {
        try {
            Cell abandoned = run.current;
            if (run.close(INTERRUPTED, 0)) {
                progressOut.println();
                progressOut.println("mera: experiment '" + config.name() + "' interrupted: " + run.ran
                        + " cell(s) finished in this run"
                        + " are kept in " + results
                        + (abandoned == null
                                ? ""
                                : "; the cell in progress (" + abandoned.describe()
                                        + ") was abandoned, nothing of it was written")
                        + ". To resume, " + resumeCommand);
                progressOut.flush();
            }
        } catch (IOException | RuntimeException e) {
            progressOut.println("mera: experiment '" + config.name()
                    + "' interrupted, but its run record could not be closed: " + e);
            progressOut.flush();
        }
    }

    /**
     * Run records still "running" when this process holds the folder's lock belong to processes that ended without
     * closing them (SIGKILL, a crash, power loss): only the lock holder writes here. They are closed as killed, ending
     * at their last finished cell, so no record claims to run forever.
     */
    private void closeAbandonedRuns(Path out, ResultStore store) throws IOException {
        Path runs = out.resolve(RUNS_DIR);
        List<Path> files;
        try (java.util.stream.Stream<Path> s = Files.list(runs)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .toList();
        }
        for (Path f : files) {
            RunInfo r;
            try {
                r = RUN_RECORDS.readValue(f.toFile(), RunInfo.class);
            } catch (IOException e) {
                throw new IOException(
                        "run record " + f + " is not readable ("
                                + e.getMessage().lines().findFirst().orElse("") + "); fix or remove it by hand",
                        e);
            }
            if (!RUNNING.equals(r.status())) {
                continue;
            }
            List<ResultRecord> itsCells = store.list().stream()
                    .filter(c -> r.runId() != null && r.runId().equals(c.runId()))
                    .toList();
            String end = itsCells.stream()
                    .map(ResultRecord::finishedAt)
                    .filter(Objects::nonNull)
                    .max(String::compareTo)
                    .orElse(r.startedAt());
            writeJson(
                    f,
                    new RunInfo(
                            r.runId(),
                            r.configName(),
                            r.startedAt(),
                            end,
                            KILLED,
                            r.runnerName(),
                            r.runnerVersion(),
                            r.synthetic(),
                            r.cellsTotal(),
                            r.cellsDoneBefore(),
                            itsCells.size(),
                            r.cellsFailed(),
                            r.environment()));
            progressOut.println(
                    "mera: run " + r.runId() + " ended without closing its record (its process was killed); marked it '"
                            + KILLED + "', its " + itsCells.size() + " finished cell(s) are kept");
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper RUN_RECORDS = Json.LENIENT;

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return String.valueOf(System.getenv("HOSTNAME"));
        }
    }

    /** This invocation's run record; every write to it and every results line goes through its lock. */
    private final class OpenRun {
        final String runId;
        final Path file;
        final String startedAt;
        final int total;
        final int before;
        final Map<String, Object> env;
        volatile Cell current;
        int ran;
        int failed;
        private boolean closed;

        OpenRun(String runId, Path file, String startedAt, int total, int before, Map<String, Object> env) {
            this.runId = runId;
            this.file = file;
            this.startedAt = startedAt;
            this.total = total;
            this.before = before;
            this.env = env;
        }

        /** Appends a finished cell; false (nothing written) when the run was closed by a signal meanwhile. */
        synchronized boolean record(ResultStore store, ResultRecord r) throws IOException {
            if (closed) {
                return false;
            }
            store.append(r);
            ran++;
            return true;
        }

        /** Writes the end; false when it was already closed (a signal came first). */
        synchronized boolean close(String status, int extraFailures) throws IOException {
            if (closed) {
                return false;
            }
            closed = true;
            write(Instant.now().toString(), status, extraFailures);
            return true;
        }

        synchronized void write(String endedAt, String status) throws IOException {
            write(endedAt, status, 0);
        }

        private void write(String endedAt, String status, int extraFailures) throws IOException {
            writeJson(
                    file, runInfo(runId, startedAt, endedAt, status, total, before, ran, failed + extraFailures, env));
        }
    }

    /** An output folder held for writing: its lock (one writer per folder) and its results store, closed together. */
    private record HeldFolder(FileChannel channel, FileLock lock, ResultStore store) implements AutoCloseable {
        static HeldFolder open(Path out) throws IOException {
            FileChannel channel =
                    FileChannel.open(out.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    throw new IOException("another mera experiment is already writing to " + out + " (it holds "
                            + out.resolve(".lock") + ")");
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
            try (channel;
                    lock;
                    store) {
                // closed in reverse order: the store, then the lock, then its channel
            }
        }
    }

    private RunInfo runInfo(
            String runId,
            String startedAt,
            String endedAt,
            String status,
            int total,
            int before,
            int ran,
            int failed,
            Map<String, Object> env) {
        return new RunInfo(
                runId,
                config.name(),
                startedAt,
                endedAt,
                status,
                runner.name(),
                runner.version(),
                runner.synthetic(),
                total,
                before,
                ran,
                failed,
                env);
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
