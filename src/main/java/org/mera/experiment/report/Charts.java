package org.mera.experiment.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.mera.experiment.stats.TrivialBaselines;

/**
 * Report charts drawn with Java2D (no plotting dependency): grouped bars with error bars, and lines
 * over k. Missing values are NaN and simply not drawn. Output is PNG bytes.
 */
final class Charts {
    static final Color[] PALETTE = {
        new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F),
        new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC)
    };

    /** Greys for the trivial baselines, so they read as reference levels rather than as methods. */
    static final Color[] GREYS = {new Color(0x555555), new Color(0x808080), new Color(0xA6A6A6), new Color(0xC8C8C8)};

    private Charts() {}

    /** A method's colour from the palette; a trivial baseline's from the greys. */
    static Color color(List<String> series, int s) {
        if (TrivialBaselines.isTrivial(series.get(s))) {
            int nth = (int) series.subList(0, s).stream()
                    .filter(TrivialBaselines::isTrivial)
                    .count();
            return GREYS[nth % GREYS.length];
        }
        int nth = (int) series.subList(0, s).stream()
                .filter(x -> !TrivialBaselines.isTrivial(x))
                .count();
        return PALETTE[nth % PALETTE.length];
    }

    /** Bars: one group per x label, one bar per series; {@code mean[s][g]} ± {@code std[s][g]}. */
    static byte[] groupedBars(
            String title, String yLabel, List<String> groups, List<String> series, double[][] mean, double[][] std)
            throws IOException {
        int width = 1100;
        int legendRows = (series.size() + 3) / 4;
        int height = 440 + 22 * legendRows;
        Canvas c = new Canvas(width, height, title, yLabel, range(mean, std), 70, 20, 50, 48 + 22 * legendRows);
        double groupWidth = (double) c.plotW / Math.max(1, groups.size());
        double barW = groupWidth * 0.8 / Math.max(1, series.size());
        for (int g = 0; g < groups.size(); g++) {
            double gx = c.left + g * groupWidth;
            c.centeredText(groups.get(g), (int) (gx + groupWidth / 2), c.top + c.plotH + 18);
            for (int s = 0; s < series.size(); s++) {
                double m = mean[s][g];
                if (Double.isNaN(m)) {
                    continue;
                }
                double x = gx + groupWidth * 0.1 + s * barW;
                int y0 = c.y(Math.max(0, c.lo));
                int y1 = c.y(m);
                c.g.setColor(color(series, s));
                c.g.fillRect((int) x, Math.min(y0, y1), Math.max(1, (int) barW - 1), Math.abs(y1 - y0));
                c.errorBar((int) (x + barW / 2), m, std[s][g], (int) Math.max(3, barW / 4));
            }
        }
        c.legend(series);
        return c.png();
    }

    /** Lines over evenly spaced x labels (k values), one per series, with error bars. */
    static byte[] lines(
            String title, String yLabel, List<String> xs, List<String> series, double[][] mean, double[][] std)
            throws IOException {
        int width = 900;
        int legendRows = (series.size() + 3) / 4;
        int height = 420 + 22 * legendRows;
        Canvas c = new Canvas(width, height, title, yLabel, range(mean, std), 70, 30, 50, 48 + 22 * legendRows);
        double step = xs.size() == 1 ? 0 : (double) (c.plotW - 40) / (xs.size() - 1);
        for (int i = 0; i < xs.size(); i++) {
            c.centeredText("k=" + xs.get(i), (int) (c.left + 20 + i * step), c.top + c.plotH + 18);
        }
        for (int s = 0; s < series.size(); s++) {
            c.g.setColor(color(series, s));
            c.g.setStroke(new BasicStroke(2.2f));
            int px = -1;
            int py = -1;
            for (int i = 0; i < xs.size(); i++) {
                double m = mean[s][i];
                if (Double.isNaN(m)) {
                    px = -1;
                    continue;
                }
                // Dodge series sideways a little so their error bars do not overlap.
                int x = (int) (c.left + 20 + i * step + (s - (series.size() - 1) / 2.0) * 5);
                int y = c.y(m);
                if (px >= 0) {
                    c.g.drawLine(px, py, x, y);
                }
                c.g.fillOval(x - 4, y - 4, 8, 8);
                c.errorBar(x, m, std[s][i], 5);
                c.g.setColor(color(series, s));
                c.g.setStroke(new BasicStroke(2.2f));
                px = x;
                py = y;
            }
        }
        c.legend(series);
        return c.png();
    }

    private static double[] range(double[][] mean, double[][] std) {
        double lo = 0;
        double hi = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < mean.length; s++) {
            for (int g = 0; g < mean[s].length; g++) {
                double m = mean[s][g];
                if (Double.isNaN(m)) {
                    continue;
                }
                double e = Double.isNaN(std[s][g]) ? 0 : std[s][g];
                lo = Math.min(lo, m - e);
                hi = Math.max(hi, m + e);
            }
        }
        if (hi == Double.NEGATIVE_INFINITY) {
            hi = 1;
        }
        double tick = niceTick((hi - lo) / 6);
        return new double[] {
            Math.floor(lo / tick) * tick,
            Math.ceil(hi / tick) * tick + (hi == Math.ceil(hi / tick) * tick ? tick : 0),
            tick
        };
    }

    static double niceTick(double raw) {
        if (raw <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double f : new double[] {1, 2, 2.5, 5, 10}) {
            if (f * p >= raw) {
                return f * p;
            }
        }
        return 10 * p;
    }

    /** Axes, grid, title and the value → pixel mapping shared by both chart kinds. */
    private static final class Canvas {
        final BufferedImage image;
        final Graphics2D g;
        final int left;
        final int top;
        final int plotW;
        final int plotH;
        final double lo;
        final double hi;

        Canvas(
                int width,
                int height,
                String title,
                String yLabel,
                double[] range,
                int left,
                int right,
                int top,
                int bottom) {
            this.image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            this.g = image.createGraphics();
            this.left = left;
            this.top = top;
            this.plotW = width - left - right;
            this.plotH = height - top - bottom;
            this.lo = range[0];
            this.hi = range[1];
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.setColor(new Color(0x222222));
            g.drawString(title, left, 28);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (double v = lo; v <= hi + range[2] / 2; v += range[2]) {
                int y = y(v);
                g.setColor(new Color(0xE6E6E6));
                g.drawLine(left, y, left + plotW, y);
                g.setColor(new Color(0x444444));
                String label = String.format(Locale.ROOT, range[2] < 1 ? "%.1f" : "%.0f", v);
                g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 4);
            }
            g.setColor(new Color(0x444444));
            g.drawLine(left, top, left, top + plotH);
            g.drawLine(left, y(Math.max(lo, Math.min(hi, 0))), left + plotW, y(Math.max(lo, Math.min(hi, 0))));
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2);
            g.drawString(yLabel, -(top + plotH / 2 + g.getFontMetrics().stringWidth(yLabel) / 2), 18);
            g.setTransform(saved);
        }

        int y(double v) {
            return (int) Math.round(top + plotH - (v - lo) / (hi - lo) * plotH);
        }

        void centeredText(String s, int x, int y) {
            g.setColor(new Color(0x222222));
            FontMetrics fm = g.getFontMetrics();
            g.drawString(s, x - fm.stringWidth(s) / 2, y);
        }

        void errorBar(int x, double mean, double std, int cap) {
            if (Double.isNaN(std) || std <= 0) {
                return;
            }
            g.setColor(new Color(0x222222));
            g.setStroke(new BasicStroke(1.2f));
            int a = y(mean - std);
            int b = y(mean + std);
            g.drawLine(x, a, x, b);
            g.drawLine(x - cap, a, x + cap, a);
            g.drawLine(x - cap, b, x + cap, b);
        }

        void legend(List<String> series) {
            int colW = plotW / 4;
            int y0 = top + plotH + 42;
            for (int s = 0; s < series.size(); s++) {
                int x = left + (s % 4) * colW;
                int y = y0 + (s / 4) * 22;
                g.setColor(color(series, s));
                g.fillRect(x, y - 11, 14, 14);
                g.setColor(new Color(0x222222));
                g.drawString(series.get(s), x + 20, y);
            }
        }

        byte[] png() throws IOException {
            g.dispose();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this JVM");
            }
            return out.toByteArray();
        }
    }
}
