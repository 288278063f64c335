package org.mera.merge;

/** Small dense linear algebra in double precision for the LoRA merges: thin QR and one-sided Jacobi SVD. */
final class Linalg {
    private Linalg() {}

    record QR(double[][] q, double[][] r) {}

    /** Thin Householder QR of a [m × n] matrix, m ≥ n: Q [m × n] with orthonormal columns, R [n × n] upper. */
    static QR qr(double[][] a) {
        int m = a.length;
        int n = a[0].length;
        if (m < n) {
            throw new IllegalArgumentException("thin QR needs rows ≥ columns, got " + m + "x" + n);
        }
        double[][] r = copy(a);
        double[][] vs = new double[n][];
        for (int k = 0; k < n; k++) {
            double norm = 0;
            for (int i = k; i < m; i++) {
                norm += r[i][k] * r[i][k];
            }
            norm = Math.sqrt(norm);
            double[] v = new double[m - k];
            if (norm == 0) {
                vs[k] = v;
                continue;
            }
            double alpha = r[k][k] > 0 ? -norm : norm;
            for (int i = k; i < m; i++) {
                v[i - k] = r[i][k];
            }
            v[0] -= alpha;
            double vn = 0;
            for (double x : v) {
                vn += x * x;
            }
            if (vn == 0) {
                vs[k] = new double[m - k];
                continue;
            }
            for (int j = k; j < n; j++) {
                double dot = 0;
                for (int i = k; i < m; i++) {
                    dot += v[i - k] * r[i][j];
                }
                double f = 2 * dot / vn;
                for (int i = k; i < m; i++) {
                    r[i][j] -= f * v[i - k];
                }
            }
            vs[k] = v;
        }
        // Q = H_0 ... H_{n-1} applied to the first n columns of the identity.
        double[][] q = new double[m][n];
        for (int j = 0; j < n; j++) {
            q[j][j] = 1;
        }
        for (int k = n - 1; k >= 0; k--) {
            double[] v = vs[k];
            double vn = 0;
            for (double x : v) {
                vn += x * x;
            }
            if (vn == 0) {
                continue;
            }
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int i = k; i < m; i++) {
                    dot += v[i - k] * q[i][j];
                }
                double f = 2 * dot / vn;
                for (int i = k; i < m; i++) {
                    q[i][j] -= f * v[i - k];
                }
            }
        }
        double[][] rn = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                rn[i][j] = r[i][j];
            }
        }
        return new QR(q, rn);
    }

    /** A·V = U·S with V orthogonal; columns sorted by decreasing singular value. */
    record JacobiSvd(double[][] av, double[][] v, double[] singular) {}

    /** One-sided (Hestenes) Jacobi SVD of a [m × n] matrix: rotates columns until they are orthogonal. */
    static JacobiSvd jacobi(double[][] a) {
        int m = a.length;
        int n = a[0].length;
        double[][] u = copy(a);
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double alpha = 0;
                    double beta = 0;
                    double gamma = 0;
                    for (int i = 0; i < m; i++) {
                        alpha += u[i][p] * u[i][p];
                        beta += u[i][q] * u[i][q];
                        gamma += u[i][p] * u[i][q];
                    }
                    if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    if (zeta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(1 + t * t);
                    double s = c * t;
                    for (int i = 0; i < m; i++) {
                        double up = u[i][p];
                        double uq = u[i][q];
                        u[i][p] = c * up - s * uq;
                        u[i][q] = s * up + c * uq;
                    }
                    for (int i = 0; i < n; i++) {
                        double vp = v[i][p];
                        double vq = v[i][q];
                        v[i][p] = c * vp - s * vq;
                        v[i][q] = s * vp + c * vq;
                    }
                }
            }
            if (!rotated) {
                break;
            }
        }
        double[] sv = new double[n];
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int i = 0; i < m; i++) {
                s += u[i][j] * u[i][j];
            }
            sv[j] = Math.sqrt(s);
        }
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) {
            order[j] = j;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(sv[y], sv[x]));
        double[][] us = new double[m][n];
        double[][] vs = new double[n][n];
        double[] ss = new double[n];
        for (int j = 0; j < n; j++) {
            int o = order[j];
            ss[j] = sv[o];
            for (int i = 0; i < m; i++) {
                us[i][j] = u[i][o];
            }
            for (int i = 0; i < n; i++) {
                vs[i][j] = v[i][o];
            }
        }
        return new JacobiSvd(us, vs, ss);
    }

    static double[][] multiply(double[][] a, double[][] b) {
        int m = a.length;
        int k = b.length;
        int n = b[0].length;
        double[][] out = new double[m][n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double x = a[i][p];
                if (x == 0) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    out[i][j] += x * b[p][j];
                }
            }
        }
        return out;
    }

    static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
