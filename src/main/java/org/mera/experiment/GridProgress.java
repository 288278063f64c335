package org.mera.experiment;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mera.train.ProgressBar;

/**
 * Grid progress on stderr (the steps inside one run have {@link ProgressBar}): cells done/total, elapsed time
 * and an ETA from measured cell durations (durations stored by earlier runs count too). A cell's expected
 * duration is the median of finished cells with its encoder, task and method; failing that, its method's
 * median scaled by how its encoder and task compare with the overall median (an MNLI cell, scoring 9815 test
 * pairs, takes several times an RTE cell whatever the method), then the method's or the task's median alone.
 * Medians, not means: the first cell that needs a source adapter also trains it (on bert-base one cell took
 * 17 minutes where the next took 2), and one such cell must not inflate every estimate.
 * On a terminal the line is redrawn in place; otherwise one line is printed per finished cell.
 */
final class GridProgress {
    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean interactive;
    private final int total;
    private final long startNanos = System.nanoTime();
    private final Map<String, List<Long>> msBy = new HashMap<>(); // "m:", "t:", "tm:" keys -> durations
    private final List<Long> msAll = new ArrayList<>();
    private List<Cell> remaining;
    private int done;
    private Cell current;
    private long currentStart;
    private String currentNote = "";
    private long lastDraw;

    GridProgress(PrintStream out, boolean interactive, int total, int done) {
        this.out = out;
        this.interactive = interactive;
        this.total = total;
        this.done = done;
    }

    /** A duration measured earlier (stored result) or now. */
    void measured(Cell c, long ms) {
        for (String key : List.of(methodKey(c), taskKey(c), taskMethodKey(c))) {
            msBy.computeIfAbsent(key, x -> new ArrayList<>()).add(ms);
        }
        msAll.add(ms);
    }

    private static String methodKey(Cell c) {
        return "m:" + c.method().id();
    }

    private static String taskKey(Cell c) {
        return "t:" + c.encoder() + "/" + c.task();
    }

    private static String taskMethodKey(Cell c) {
        return "tm:" + c.encoder() + "/" + c.task() + "/" + c.method().id();
    }

    private double median(String key) {
        return median(msBy.get(key));
    }

    private static double median(List<Long> values) {
        if (values == null || values.isEmpty()) {
            return Double.NaN;
        }
        long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2.0;
    }

    /** The expected duration of {@code c} in ms (see the class comment); NaN before anything was measured. */
    double expectedMs(Cell c) {
        if (msAll.isEmpty()) {
            return Double.NaN;
        }
        double overall = median(msAll);
        double both = median(taskMethodKey(c));
        double method = median(methodKey(c));
        double task = median(taskKey(c));
        if (!Double.isNaN(both)) {
            return both;
        }
        if (!Double.isNaN(method) && !Double.isNaN(task)) {
            return method * task / overall;
        }
        return !Double.isNaN(method) ? method : !Double.isNaN(task) ? task : overall;
    }

    void start(Cell cell, List<Cell> remainingIncludingThis) {
        current = cell;
        remaining = remainingIncludingThis;
        currentStart = System.nanoTime();
        currentNote = "";
        draw(true);
    }

    void cellProgress(double fraction, String note) {
        currentNote = String.format(
                Locale.ROOT,
                "%d%%%s",
                Math.round(Math.max(0, Math.min(1, fraction)) * 100),
                note == null || note.isBlank() ? "" : " " + note);
        if (interactive && System.nanoTime() - lastDraw > REDRAW_NANOS) {
            draw(false);
        }
    }

    void finish(Cell cell, long ms) {
        measured(cell, ms);
        done++;
        remaining = remaining.subList(1, remaining.size());
        current = null;
        if (interactive) {
            draw(true);
        } else {
            out.println(line() + "  finished " + cell.describe() + " in "
                    + ProgressBar.formatDuration(Duration.ofMillis(ms)));
        }
    }

    /** A cell another folder finished before this run reached it, copied here instead of run. */
    void imported(Cell cell, long ms, java.nio.file.Path from) {
        measured(cell, ms);
        done++;
        if (remaining != null && !remaining.isEmpty() && remaining.get(0).equals(cell)) {
            remaining = remaining.subList(1, remaining.size());
        }
        if (interactive) {
            draw(true);
        } else {
            out.println(line() + "  imported " + cell.describe() + " (finished in " + from + ")");
        }
    }

    void failed(Cell cell, Throwable e) {
        if (interactive) {
            out.print("\r\033[K");
        }
        out.println("FAILED " + cell.describe() + ": " + e);
        remaining = remaining.subList(1, remaining.size());
        current = null;
    }

    void close() {
        if (interactive) {
            out.println();
        }
        out.flush();
    }

    private void draw(boolean force) {
        if (!interactive && !force) {
            return;
        }
        lastDraw = System.nanoTime();
        String s = line()
                + (current == null
                        ? ""
                        : "  now: " + current.describe() + (currentNote.isEmpty() ? "" : " " + currentNote));
        if (interactive) {
            out.print("\r\033[K" + s);
            out.flush();
        }
    }

    String line() {
        String bar = ProgressBar.bar(total == 0 ? 1 : (double) done / total, WIDTH);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        return String.format(
                Locale.ROOT,
                "[%s] %d/%d cells (%d%%)  elapsed %s  ETA %s",
                bar,
                done,
                total,
                total == 0 ? 100 : done * 100 / total,
                ProgressBar.formatDuration(elapsed),
                eta());
    }

    /** Sum over the cells still to run of their expected durations, less the running cell's time so far. */
    String eta() {
        if (remaining == null || remaining.isEmpty()) {
            return done >= total ? "0s" : "--";
        }
        if (msAll.isEmpty()) {
            return "--";
        }
        double ms = 0;
        for (Cell c : remaining) {
            ms += expectedMs(c);
        }
        if (current != null) {
            ms -= Math.min(expectedMs(current), (System.nanoTime() - currentStart) / 1e6);
        }
        return ProgressBar.formatDuration(Duration.ofMillis((long) Math.max(0, ms)));
    }
}
