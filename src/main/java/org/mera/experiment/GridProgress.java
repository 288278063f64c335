package org.mera.experiment;

import org.mera.train.ProgressBar;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Grid progress on stderr (the steps inside one run have {@link ProgressBar}): cells done/total, elapsed time
 * and an ETA from measured cell durations (durations stored by earlier runs count too). A cell's expected
 * duration is the mean of finished cells with its encoder, task and method; failing that, its method's mean
 * scaled by how its encoder and task compare with the overall mean (an MNLI cell, scoring 9815 test pairs,
 * takes several times an RTE cell whatever the method), then the method's or the task's mean alone.
 * On a terminal the line is redrawn in place; otherwise one line is printed per finished cell.
 */
final class GridProgress {
    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean interactive;
    private final int total;
    private final long startNanos = System.nanoTime();
    private final Map<String, long[]> msBy = new HashMap<>(); // "m:", "t:", "tm:" keys -> {sum, count}
    private final long[] msAll = new long[2];
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
            add(msBy.computeIfAbsent(key, x -> new long[2]), ms);
        }
        add(msAll, ms);
    }

    private static void add(long[] sumCount, long ms) {
        sumCount[0] += ms;
        sumCount[1]++;
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

    private double mean(String key) {
        long[] s = msBy.get(key);
        return s == null ? Double.NaN : (double) s[0] / s[1];
    }

    /** The expected duration of {@code c} in ms (see the class comment); NaN before anything was measured. */
    double expectedMs(Cell c) {
        if (msAll[1] == 0) {
            return Double.NaN;
        }
        double overall = (double) msAll[0] / msAll[1];
        double both = mean(taskMethodKey(c));
        double method = mean(methodKey(c));
        double task = mean(taskKey(c));
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
        currentNote = String.format(Locale.ROOT, "%d%%%s", Math.round(Math.max(0, Math.min(1, fraction)) * 100),
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
            out.println(line() + "  finished " + cell.describe() + " in " + ProgressBar.formatDuration(Duration.ofMillis(ms)));
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
        String s = line() + (current == null ? "" : "  now: " + current.describe() + (currentNote.isEmpty() ? "" : " " + currentNote));
        if (interactive) {
            out.print("\r\033[K" + s);
            out.flush();
        }
    }

    String line() {
        String bar = ProgressBar.bar(total == 0 ? 1 : (double) done / total, WIDTH);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        return String.format(Locale.ROOT, "[%s] %d/%d cells (%d%%)  elapsed %s  ETA %s", bar, done, total,
                total == 0 ? 100 : done * 100 / total, ProgressBar.formatDuration(elapsed), eta());
    }

    /** Sum over the cells still to run of their expected durations, less the running cell's time so far. */
    String eta() {
        if (remaining == null || remaining.isEmpty()) {
            return done >= total ? "0s" : "--";
        }
        if (msAll[1] == 0) {
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
