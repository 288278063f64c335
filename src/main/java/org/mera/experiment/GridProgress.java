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
 * and an ETA from measured cell durations (per method, since full fine-tuning and a merge differ a lot;
 * durations stored by earlier runs count too).
 * On a terminal the line is redrawn in place; otherwise one line is printed per finished cell.
 */
final class GridProgress {
    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean interactive;
    private final int total;
    private final long startNanos = System.nanoTime();
    private final Map<Method, long[]> msByMethod = new HashMap<>(); // method -> {sum, count}
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
    void measured(Method m, long ms) {
        long[] s = msByMethod.computeIfAbsent(m, x -> new long[2]);
        s[0] += ms;
        s[1]++;
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
        measured(cell.method(), ms);
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

    /** Sum over the cells still to run of their method's mean duration (overall mean if never measured). */
    String eta() {
        if (remaining == null || remaining.isEmpty()) {
            return done >= total ? "0s" : "--";
        }
        long sum = 0;
        long count = 0;
        for (long[] s : msByMethod.values()) {
            sum += s[0];
            count += s[1];
        }
        if (count == 0) {
            return "--";
        }
        double overall = (double) sum / count;
        double ms = 0;
        for (Cell c : remaining) {
            long[] s = msByMethod.get(c.method());
            ms += s == null ? overall : (double) s[0] / s[1];
        }
        if (current != null) {
            long[] s = msByMethod.get(current.method());
            double expected = s == null ? overall : (double) s[0] / s[1];
            ms -= Math.min(expected, (System.nanoTime() - currentStart) / 1e6);
        }
        return ProgressBar.formatDuration(Duration.ofMillis((long) Math.max(0, ms)));
    }
}
