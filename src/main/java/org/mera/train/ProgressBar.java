package org.mera.train;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * A one-line progress bar on stderr for the steps of one run, with time elapsed and left; silent when
 * disabled. Its bar and duration formats are shared with the experiment grid's progress line.
 */
public final class ProgressBar implements AutoCloseable {
    private final String label;
    private final long total;
    private final boolean enabled;
    private final PrintStream out = System.err;
    private final long start = System.nanoTime();
    private long done;
    private String suffix = "";
    private long lastPrint;

    public ProgressBar(String label, long total, boolean enabled) {
        this.label = label;
        this.total = Math.max(1, total);
        this.enabled = enabled;
    }

    public void step(long n, String status) {
        done += n;
        suffix = status == null ? "" : status;
        long now = System.nanoTime();
        if (enabled && (now - lastPrint > 200_000_000L || done >= total)) {
            lastPrint = now;
            print();
        }
    }

    private void print() {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double frac = Math.min(1.0, done / (double) total);
        double left = done == 0 ? 0 : elapsed / done * (total - done);
        out.printf(
                Locale.ROOT,
                "\r%-14s [%s] %d/%d %s elapsed, %s left %s   ",
                label,
                bar(frac, 24),
                done,
                total,
                formatDuration(seconds(elapsed)),
                formatDuration(seconds(left)),
                suffix);
        out.flush();
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    /** {@code ####----}: {@code fraction} (clamped to [0, 1]) of {@code width} characters filled. */
    public static String bar(double fraction, int width) {
        int filled = (int) Math.floor(Math.max(0, Math.min(1, fraction)) * width);
        return "#".repeat(filled) + "-".repeat(width - filled);
    }

    /** 4.2s, 42s, 3m12s, 1h05m: short enough for a progress line or a report table. */
    public static String formatDuration(Duration d) {
        long s = d.toSeconds();
        if (d.toMillis() < 10_000) {
            return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
        }
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    @Override
    public void close() {
        if (enabled) {
            print();
            out.println();
        }
    }
}
