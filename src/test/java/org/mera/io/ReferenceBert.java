package org.mera.io;

import java.util.Map;

/**
 * A plain-Java BERT encoder forward pass (post-LN, exact erf GELU) over HF-named weights, used to check that
 * converted weights compute what the original model computes.
 */
final class ReferenceBert {
    private ReferenceBert() {}

    /** Last hidden state [seq, hidden] for one sequence without padding; token types all 0. */
    static float[][] lastHiddenState(Map<String, Tensor> w, int[] ids, int heads, float eps) {
        int seq = ids.length;
        int hidden = w.get("embeddings.word_embeddings.weight").dim(1);
        float[][] x = new float[seq][hidden];
        for (int t = 0; t < seq; t++) {
            for (int j = 0; j < hidden; j++) {
                x[t][j] = w.get("embeddings.word_embeddings.weight").get(ids[t], j)
                        + w.get("embeddings.position_embeddings.weight").get(t, j)
                        + w.get("embeddings.token_type_embeddings.weight").get(0, j);
            }
        }
        x = layerNorm(x, w.get("embeddings.LayerNorm.weight"), w.get("embeddings.LayerNorm.bias"), eps);
        for (int l = 0; w.containsKey("encoder.layer." + l + ".attention.self.query.weight"); l++) {
            String p = "encoder.layer." + l + ".";
            float[][] q = linear(x, w.get(p + "attention.self.query.weight"), w.get(p + "attention.self.query.bias"));
            float[][] k = linear(x, w.get(p + "attention.self.key.weight"), w.get(p + "attention.self.key.bias"));
            float[][] v = linear(x, w.get(p + "attention.self.value.weight"), w.get(p + "attention.self.value.bias"));
            int d = hidden / heads;
            float[][] ctx = new float[seq][hidden];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < seq; i++) {
                    double[] s = new double[seq];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < seq; j++) {
                        double dot = 0;
                        for (int c = 0; c < d; c++) {
                            dot += q[i][h * d + c] * k[j][h * d + c];
                        }
                        s[j] = dot / Math.sqrt(d);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < seq; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int c = 0; c < d; c++) {
                        double acc = 0;
                        for (int j = 0; j < seq; j++) {
                            acc += s[j] / sum * v[j][h * d + c];
                        }
                        ctx[i][h * d + c] = (float) acc;
                    }
                }
            }
            float[][] attn =
                    linear(ctx, w.get(p + "attention.output.dense.weight"), w.get(p + "attention.output.dense.bias"));
            x = layerNorm(
                    add(attn, x),
                    w.get(p + "attention.output.LayerNorm.weight"),
                    w.get(p + "attention.output.LayerNorm.bias"),
                    eps);
            float[][] inter = linear(x, w.get(p + "intermediate.dense.weight"), w.get(p + "intermediate.dense.bias"));
            for (float[] row : inter) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = (float) (0.5 * row[j] * (1 + erf(row[j] / Math.sqrt(2))));
                }
            }
            float[][] out = linear(inter, w.get(p + "output.dense.weight"), w.get(p + "output.dense.bias"));
            x = layerNorm(add(out, x), w.get(p + "output.LayerNorm.weight"), w.get(p + "output.LayerNorm.bias"), eps);
        }
        return x;
    }

    static float[][] linear(float[][] x, Tensor weight, Tensor bias) {
        int out = weight.dim(0);
        int in = weight.dim(1);
        float[][] y = new float[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double acc = bias.data()[o];
                for (int i = 0; i < in; i++) {
                    acc += weight.get(o, i) * x[t][i];
                }
                y[t][o] = (float) acc;
            }
        }
        return y;
    }

    static float[][] layerNorm(float[][] x, Tensor gamma, Tensor beta, float eps) {
        float[][] y = new float[x.length][];
        for (int t = 0; t < x.length; t++) {
            int n = x[t].length;
            double mean = 0;
            for (float v : x[t]) {
                mean += v;
            }
            mean /= n;
            double var = 0;
            for (float v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= n;
            y[t] = new float[n];
            for (int j = 0; j < n; j++) {
                y[t][j] = (float) ((x[t][j] - mean) / Math.sqrt(var + eps) * gamma.data()[j] + beta.data()[j]);
            }
        }
        return y;
    }

    private static float[][] add(float[][] a, float[][] b) {
        float[][] y = new float[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                y[i][j] = a[i][j] + b[i][j];
            }
        }
        return y;
    }

    /** erf by its Maclaurin / continued-fraction split; accurate to ~1e-12 in the range BERT uses. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            // Maclaurin series: erf x = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 60; n++) {
                term *= -ax * ax / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17) {
                    break;
                }
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // erfc continued fraction (Lentz), converges fast for |x| >= 2.5
            double f = ax;
            for (int n = 60; n >= 1; n--) {
                f = ax + (n / 2.0) / f;
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }
}
