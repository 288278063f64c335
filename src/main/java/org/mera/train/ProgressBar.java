package org.mera.train;

import java.io.PrintStream;

/** A one-line progress bar on stderr with rate and time left; silent when disabled. */
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
        int width = 24;
        int filled = (int) Math.round(frac * width);
        double left = done == 0 ? 0 : elapsed / done * (total - done);
        out.printf("\r%-14s [%s%s] %d/%d %s elapsed, %s left %s   ", label, "#".repeat(filled), ".".repeat(width - filled),
                done, total, fmt(elapsed), fmt(left), suffix);
        out.flush();
    }

    static String fmt(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%d:%02d", s / 60, s % 60);
    }

    @Override
    public void close() {
        if (enabled) {
            print();
            out.println();
        }
    }
}
