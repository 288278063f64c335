package org.mera.merge;

import org.mera.adapter.bottleneck.BottleneckUnit;
import org.mera.io.Tensor;

/** The bottleneck module's own function in plain Java: up(act(down·x + b_down)) + b_up, for checks and activations. */
public final class AdapterForward {
    private AdapterForward() {}

    /** act(x·downᵀ + b_down): [samples, b] for x [samples, H]. */
    public static Tensor bottleneck(BottleneckUnit u, Tensor x, String nonLinearity) {
        int n = x.dim(0);
        int h = u.hiddenSize();
        if (x.rank() != 2 || x.dim(1) != h) {
            throw new IllegalArgumentException("adapter input must be [samples, " + h + "], got " + x.shapeString());
        }
        int b = u.bottleneckSize();
        float[] dw = u.downWeight().data();
        float[] db = u.downBias().data();
        float[] xd = x.data();
        Tensor out = Tensor.zeros(n, b);
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < b; k++) {
                double acc = db[k];
                for (int i = 0; i < h; i++) {
                    acc += (double) dw[k * h + i] * xd[s * h + i];
                }
                out.data()[s * b + k] = (float) activate(acc, nonLinearity);
            }
        }
        return out;
    }

    /** up(act(down·x + b_down)) + b_up: [samples, H]. */
    public static Tensor apply(BottleneckUnit u, Tensor x, String nonLinearity) {
        Tensor z = bottleneck(u, x, nonLinearity);
        int n = x.dim(0);
        int h = u.hiddenSize();
        int b = u.bottleneckSize();
        float[] uw = u.upWeight().data();
        Tensor out = Tensor.zeros(n, h);
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < h; i++) {
                double acc = u.upBias().data()[i];
                for (int k = 0; k < b; k++) {
                    acc += (double) uw[i * b + k] * z.data()[s * b + k];
                }
                out.data()[s * h + i] = (float) acc;
            }
        }
        return out;
    }

    static double activate(double v, String nonLinearity) {
        return switch (nonLinearity) {
            case "relu" -> Math.max(0, v);
            case "swish", "silu" -> v / (1 + Math.exp(-v));
            case "tanh" -> Math.tanh(v);
            case "gelu" -> 0.5 * v * (1 + erf(v / Math.sqrt(2)));
            default -> throw new IllegalArgumentException("unknown non_linearity '" + nonLinearity + "'");
        };
    }

    /** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), enough for checks. */
    private static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1
                - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                        * t
                        * Math.exp(-x * x);
        return x >= 0 ? y : -y;
    }
}
