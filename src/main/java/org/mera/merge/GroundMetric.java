package org.mera.merge;

/** The cost between two neurons' feature vectors for optimal transport. */
public enum GroundMetric {
    /** ‖f − g‖², otfusion's default. */
    SQUARED_EUCLIDEAN,
    /** 1 − cos(f, g). */
    COSINE;

    public double cost(double[] f, double[] g) {
        if (this == SQUARED_EUCLIDEAN) {
            double s = 0;
            for (int i = 0; i < f.length; i++) {
                double d = f[i] - g[i];
                s += d * d;
            }
            return s;
        }
        double dot = 0;
        double nf = 0;
        double ng = 0;
        for (int i = 0; i < f.length; i++) {
            dot += f[i] * g[i];
            nf += f[i] * f[i];
            ng += g[i] * g[i];
        }
        if (nf == 0 || ng == 0) {
            return nf == ng ? 0 : 1;
        }
        return 1 - dot / Math.sqrt(nf * ng);
    }

    public static GroundMetric parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
            case "euclidean", "squared-euclidean", "sqeuclidean" -> SQUARED_EUCLIDEAN;
            case "cosine" -> COSINE;
            default ->
                throw new IllegalArgumentException("unknown ground metric '" + s + "' (known: euclidean, cosine)");
        };
    }
}
